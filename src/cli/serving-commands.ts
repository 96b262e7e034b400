import type { Command } from 'commander';
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore, defaultStoreUri } from '../store/index.ts';
import { LocalArtifactStore } from '../artifacts/index.ts';
import { AuditLog } from '../governance/index.ts';
import { TrackingService } from '../tracking/index.ts';
import { RegistryService } from '../registry/index.ts';
import { ServingService, RegistryModelResolver, HttpModelResolver, buildStandaloneServer, readDeploymentSpec, serveClusterMetrics, type ModelResolver } from '../serving/index.ts';
import { output, printJson, serverUrl } from './output.ts';

async function api(opts: { url?: string }, method: string, path: string, body?: unknown): Promise<any> {
  const base = serverUrl(opts).replace(/\/+$/, '');
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: report the text */
  }
  if (!res.ok) throw Object.assign(new Error(json?.message ?? json?.error ?? `${res.status} ${text}`), { status: res.status });
  return json;
}

const num = (v: string | undefined, flag: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${flag} must be a number, got '${v}'`);
  return n;
};

function sampleRate(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`--inference-log-sample-rate must be from 0 to 1, got '${v}'`);
  return n;
}

function rolloutOptions(cmd: Command): Command {
  return cmd
    .option('--auto-promote-after <requests>', 'promote the canary automatically after this many requests within bounds')
    .option('--min-duration <seconds>', 'and after at least this long')
    .option('--max-error-rate-increase <fraction>', 'rollback when the canary error rate exceeds stable by this much (0.01 = 1 point)')
    .option('--max-latency-ratio <ratio>', "rollback when the canary p99 exceeds stable's times this")
    .option('--no-auto-promote', 'never promote automatically')
    .option('--max-batch-size <rows>', 'dynamic batching: rows a run')
    .option('--max-wait-ms <ms>', 'dynamic batching: how long a request waits for company when a runner is idle (default 0)');
}

function policyFrom(opts: Record<string, any>) {
  const policy: Record<string, unknown> = {};
  if (opts.autoPromoteAfter !== undefined) policy.min_requests = num(opts.autoPromoteAfter, '--auto-promote-after');
  if (opts.minDuration !== undefined) policy.min_duration_ms = num(opts.minDuration, '--min-duration')! * 1000;
  if (opts.maxErrorRateIncrease !== undefined) policy.max_error_rate_increase = num(opts.maxErrorRateIncrease, '--max-error-rate-increase');
  if (opts.maxLatencyRatio !== undefined) policy.max_latency_ratio = num(opts.maxLatencyRatio, '--max-latency-ratio');
  if (opts.autoPromote === false) policy.auto_promote = false;
  const batching: Record<string, unknown> = {};
  if (opts.maxBatchSize !== undefined) batching.max_batch_size = num(opts.maxBatchSize, '--max-batch-size');
  if (opts.maxWaitMs !== undefined) batching.max_wait_ms = num(opts.maxWaitMs, '--max-wait-ms');
  return { policy: Object.keys(policy).length ? policy : undefined, batching: Object.keys(batching).length ? batching : undefined };
}

const summary = (d: any) => ({
  name: d.name,
  ready: d.ready,
  stable: `${d.stable.uri}${d.stable.model_version ? ` (v${d.stable.model_version})` : ''}`,
  candidate: d.candidate ? `${d.candidate.mode} ${d.candidate.uri}${d.candidate.mode === 'canary' ? ` ${d.candidate.percent}%` : ''}` : '',
  reason: d.reason ?? '',
});

/**
 * `pharos serve --processes n`: n copies of this process share the port (node:cluster). A small model is bound by
 * HTTP parsing, JSON and the socket calls on the event loop, not by onnxruntime, so whole processes (each with its
 * own event loop, running its model in that loop) use the cores better than worker threads behind one loop:
 * measured in bench/serving (RESULTS.md). The primary answers /metrics scrapes with the sum over the processes.
 */
async function runServeCluster(n: number): Promise<void> {
  serveClusterMetrics();
  const workers = Array.from({ length: n }, () => cluster.fork());
  let announced = false;
  for (const w of workers) {
    w.on('message', (m: { listening?: string }) => {
      if (m.listening && !announced) {
        announced = true;
        process.stdout.write(`Pharos serving with ${n} processes listening on ${m.listening}\n`);
      }
    });
    w.on('exit', (code) => {
      if (!announced) process.exit(code ?? 1);
    });
  }
  const shutdown = () => {
    for (const w of workers) w.process.kill('SIGTERM');
    let left = workers.length;
    for (const w of workers) w.once('exit', () => --left === 0 && process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** `pharos deploy <name>`, `pharos serve`, `pharos deployments list|get|promote|rollback|delete`. */
export function registerServingCommands(program: Command): void {
  const deploy = rolloutOptions(
    program
      .command('deploy')
      .description('Create or update a deployment served by the Pharos server (subcommands: export)')
      .argument('<name>', 'deployment name')
      .requiredOption('--model <uri>', 'model serving the traffic, e.g. models:/churn@champion')
      .option('--canary <uri>', 'candidate model getting --canary-percent of the traffic')
      .option('--canary-percent <percent>', 'share of traffic for the canary (default 10)')
      .option('--shadow <uri>', 'candidate model getting a copy of every request (answers logged, never returned)')
      .option('--url <url>', 'Pharos server URL (default PHAROS_URL, MLFLOW_TRACKING_URI, http://127.0.0.1:5000)')
      .option('--json', 'print JSON'),
  );
  deploy.action(async (name: string, opts: Record<string, any>) => {
    const { policy, batching } = policyFrom(opts);
    const body = {
      model_uri: opts.model,
      canary_uri: opts.canary,
      canary_percent: num(opts.canaryPercent, '--canary-percent'),
      shadow_uri: opts.shadow,
      policy,
      batching,
    };
    const exists = await api(opts, 'GET', `/deployments/${encodeURIComponent(name)}`).then(
      () => true,
      (e) => {
        if (e.status === 404) return false;
        throw e;
      },
    );
    const res = exists ? await api(opts, 'PATCH', `/deployments/${encodeURIComponent(name)}`, body) : await api(opts, 'POST', '/deployments', { name, ...body });
    output(opts, res.deployment, [summary(res.deployment)]);
  });

  program
    .command('serve')
    .description('Serve one model (or one deployment) in this process: MLflow scoring protocol at /invocations and Open Inference Protocol v2 at /v2')
    .argument('[model]', 'model URI or path (same as --model)')
    .option('--model <uri>', 'models:/name@alias, models:/name/3, runs:/..., a model directory or an .onnx file')
    .option('--deployment <name>', 'serve a deployment of the Pharos store (its model and candidate)')
    .option('--name <name>', 'model name in /v2/models/{name} (default: the registered model name or "model")')
    .option('-h, --host <host>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port (0 picks a free one)', '8080')
    .option('--tracking-uri <url>', 'a Pharos (or MLflow) server to resolve models:/ URIs and download the model from', process.env.MLFLOW_TRACKING_URI)
    .option('--data-dir <dir>', 'a Pharos data folder to resolve models:/ URIs from directly', process.env.PHAROS_DATA_DIR)
    .option('--backend-store-uri <uri>', 'a Pharos store (postgresql://... or SQLite file) to resolve models:/ URIs from', process.env.PHAROS_STORE_URI)
    .option('--artifacts-destination <dir>', 'the artifact folder of that store (default <data-dir>/artifacts)')
    .option('--workers <n>', 'worker threads running the model (0: in the event-loop thread; default: 0 for a model under 1 MiB or with --processes over 1, else one a core, at most 4)')
    .option('--max-batch-size <rows>', 'dynamic batching: rows a run', '64')
    .option('--max-wait-ms <ms>', 'dynamic batching: how long a request waits for company when a runner is idle (0: run at once, batch only what queues while runners are busy)', '0')
    .option('--inference-log <dir>', 'write the inference log (Parquet segments) to this folder')
    .option('--inference-log-sample-rate <fraction>', 'fraction of requests logged (0-1)', '1')
    .option('--processes <n>', "serving processes sharing the port (node:cluster); 'auto': one a core (at most 8), the fastest for a small model under high load", '1')
    .option('--log-level <level>', 'pino log level', 'warn')
    .action(async (positional: string | undefined, opts: Record<string, any>) => {
      const processes = opts.processes === 'auto' ? Math.min(8, availableParallelism()) : Number(opts.processes);
      if (!Number.isInteger(processes) || processes < 1) throw new Error(`--processes must be 'auto' or a whole number from 1, got '${opts.processes}'`);
      if (processes > 1 && cluster.isPrimary) return runServeCluster(processes);
      const modelUri: string | undefined = opts.model ?? positional;
      if (!modelUri && !opts.deployment) throw new Error('give a model (--model <uri>) or a deployment (--deployment <name>)');
      let resolver: ModelResolver;
      let closeStore = async () => {};
      let spec;
      const local = opts.dataDir || opts.backendStoreUri || opts.deployment || !opts.trackingUri;
      if (opts.trackingUri && !opts.dataDir && !opts.backendStoreUri) {
        if (opts.deployment) throw new Error('--deployment reads the Pharos store: give --data-dir or --backend-store-uri');
        resolver = new HttpModelResolver(opts.trackingUri);
      } else if (local && (opts.dataDir || opts.backendStoreUri || opts.deployment || /^(models|runs|mlflow-artifacts):/.test(modelUri ?? ''))) {
        const dataDir = resolve(opts.dataDir ?? 'pharos-data');
        const store = await openStore(opts.backendStoreUri ?? defaultStoreUri(dataDir));
        const artifacts = new LocalArtifactStore(opts.artifactsDestination ?? join(dataDir, 'artifacts'));
        const audit = new AuditLog(store);
        const tracking = new TrackingService({ store, artifacts, audit });
        const registry = new RegistryService({ store, artifacts, audit, tracking });
        resolver = new RegistryModelResolver((uri) => registry.resolveModelUri(uri), artifacts);
        if (opts.deployment) spec = await readDeploymentSpec(store, opts.deployment);
        // A canary is promoted or rolled back on what its process saw: several processes would each decide alone.
        if (spec?.canaryUri && cluster.isWorker) throw new Error(`deployment '${spec.name}' runs a canary: serve it with --processes 1, since each process would judge the canary alone`);
        closeStore = () => store.close();
      } else {
        resolver = new RegistryModelResolver(null, null);
      }
      const name = opts.name ?? spec?.name ?? (/^models:\/([^/@]+)/.exec(modelUri ?? '')?.[1] || 'model');
      const serving = new ServingService({
        store: null,
        audit: null,
        resolver,
        inferenceLogDir: opts.inferenceLog ? resolve(opts.inferenceLog) : null,
        options: {
          // Several processes already use the cores: each runs its model in its own event loop unless told otherwise.
          workers: num(opts.workers, '--workers') ?? (cluster.isWorker ? 0 : undefined),
          batching: { maxBatchSize: num(opts.maxBatchSize, '--max-batch-size'), maxWaitMs: num(opts.maxWaitMs, '--max-wait-ms') },
          inferenceLog: { sampleRate: sampleRate(opts.inferenceLogSampleRate) },
        },
      });
      await serving.start();
      serving.activate();
      const view = await serving.serveEphemeral(spec ? { ...spec, name } : { name, modelUri: modelUri! });
      if (!view.ready) process.stderr.write(`warning: model not ready: ${view.reason}\n`);
      const app = await buildStandaloneServer(serving, name, { logger: { level: opts.logLevel } });
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port '${opts.port}'`);
      const address = await app.listen({ host: opts.host, port });
      if (cluster.isWorker) process.send!({ listening: address });
      else process.stdout.write(`Pharos serving ${name} (${view.stable.uri}) listening on ${address}\n`);
      const shutdown = async () => {
        await app.close();
        await serving.close();
        await closeStore();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });

  const deployments = program.command('deployments').description('Deployments on the Pharos server');
  const common = (c: Command) => c.option('--url <url>', 'Pharos server URL').option('--json', 'print JSON');
  common(deployments.command('list').description('List deployments')).action(async (opts) => {
    const res = await api(opts, 'GET', '/deployments');
    output(opts, res.deployments, res.deployments.map(summary));
  });
  common(deployments.command('get').argument('<name>').description('A deployment, its rollout and routing history')).action(async (name: string, opts) => {
    const res = await api(opts, 'GET', `/deployments/${encodeURIComponent(name)}`);
    if (opts.json) return printJson(res.deployment);
    output(opts, res.deployment, [summary(res.deployment)]);
    process.stdout.write('\nHISTORY\n');
    for (const e of res.deployment.history) process.stdout.write(`${new Date(e.timestamp).toISOString()}  ${e.action.padEnd(16)} ${e.reason}\n`);
  });
  for (const [verb, what] of [
    ['promote', 'Make the candidate the stable model'],
    ['rollback', 'Remove the candidate; stable takes all traffic'],
  ] as const) {
    common(deployments.command(verb).argument('<name>').option('--reason <text>', 'why (kept in the history and the audit trail)').description(what)).action(async (name: string, opts) => {
      const res = await api(opts, 'POST', `/deployments/${encodeURIComponent(name)}/${verb}`, { reason: opts.reason });
      output(opts, res.deployment, [summary(res.deployment)]);
    });
  }
  common(deployments.command('delete').argument('<name>').description('Delete a deployment')).action(async (name: string, opts) => {
    await api(opts, 'DELETE', `/deployments/${encodeURIComponent(name)}`);
    if (opts.json) printJson({});
    else process.stdout.write(`deleted ${name}\n`);
  });
}
