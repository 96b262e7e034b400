import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servingOptionsFromEnv } from './serving-options.ts';

test('serving options come from the environment, validated', () => {
  assert.deepEqual(servingOptionsFromEnv({}), { workers: undefined, refreshIntervalMs: undefined, batching: {}, inferenceLog: { enabled: true } });
  const o = servingOptionsFromEnv({ PHAROS_SERVING_MAX_BATCH_SIZE: '16', PHAROS_INFERENCE_LOG_SAMPLE_RATE: '0.25', PHAROS_INFERENCE_LOG: 'off', PHAROS_SERVING_WORKERS: '0' });
  assert.deepEqual(o.batching, { maxBatchSize: 16 });
  assert.deepEqual(o.inferenceLog, { enabled: false, sampleRate: 0.25 });
  assert.equal(o.workers, 0);
  assert.throws(() => servingOptionsFromEnv({ PHAROS_INFERENCE_LOG_SAMPLE_RATE: '2' }), /PHAROS_INFERENCE_LOG_SAMPLE_RATE must be a number from 0 to 1, got '2'/);
});
