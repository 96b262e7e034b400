import type { ServingOptions } from './serving-service.ts';

/**
 * Serving settings of the Pharos server from the environment (the server command has no serving flags):
 *   PHAROS_SERVING_WORKERS               worker threads a model (0 = in process; default by model size)
 *   PHAROS_SERVING_MAX_BATCH_SIZE        dynamic batching: rows a run (default 64; 1 disables batching)
 *   PHAROS_SERVING_MAX_WAIT_MS           dynamic batching: wait for company when a runner is idle (default 0: adaptive)
 *   PHAROS_SERVING_REFRESH_MS            how often aliases are re-resolved (default 2000; 0 = only on refresh)
 *   PHAROS_INFERENCE_LOG                 'off' disables the inference log
 *   PHAROS_INFERENCE_LOG_SAMPLE_RATE     fraction of requests logged (default 1)
 *   PHAROS_INFERENCE_LOG_QUEUE_ROWS      rows held before dropping (default 200000)
 */
export function servingOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ServingOptions {
  const num = (name: string, min: number, max = Infinity): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number from ${min}${max === Infinity ? '' : ` to ${max}`}, got '${v}'`);
    return n;
  };
  const batching = { maxBatchSize: num('PHAROS_SERVING_MAX_BATCH_SIZE', 1), maxWaitMs: num('PHAROS_SERVING_MAX_WAIT_MS', 0) };
  return {
    workers: num('PHAROS_SERVING_WORKERS', 0, 64),
    refreshIntervalMs: num('PHAROS_SERVING_REFRESH_MS', 0),
    batching: Object.fromEntries(Object.entries(batching).filter(([, v]) => v !== undefined)),
    inferenceLog: {
      enabled: env.PHAROS_INFERENCE_LOG !== 'off',
      ...(num('PHAROS_INFERENCE_LOG_SAMPLE_RATE', 0, 1) !== undefined ? { sampleRate: num('PHAROS_INFERENCE_LOG_SAMPLE_RATE', 0, 1) } : {}),
      ...(num('PHAROS_INFERENCE_LOG_QUEUE_ROWS', 1) !== undefined ? { queueCapacityRows: num('PHAROS_INFERENCE_LOG_QUEUE_ROWS', 1) } : {}),
    },
  };
}
