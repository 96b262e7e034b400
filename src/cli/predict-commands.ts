import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { createPharos } from '../app.ts';
import { invalidParameter } from '../core/errors.ts';
import type { ExportOptions, ExportTarget, ServingTarget } from '../deploy/index.ts';
import { RegistryModelResolver } from '../serving/index.ts';
import { batchPredict, downloadModel } from '../serving/batch/index.ts';
import { VERSION } from '../version.ts';
import { positiveInt, printJson, serverUrl } from './output.ts';

// Loaded on use: the Kubernetes schemas take most of a second to import, and every other command would pay it.
const loadDeploy = () => import('../deploy/index.ts');

const hasScheme = (uri: string) => /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri) && !/^[a-zA-Z]:[\\/]/.test(uri);

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * A model URI as a local path: files stay where they are; registry URIs resolve through the local store when
 * --data-dir/--backend-store-uri is given, else through the server (--url) with the files downloaded.
 */
async function localModel(model: string, opts: { url?: string; dataDir?: string; backendStoreUri?: string }): Promise<{ path: string; cleanup: () => Promise<void> }> {
  if (!hasScheme(model) || model.startsWith('file://')) {
    const local = await new RegistryModelResolver(null, null).resolve(model);
    return { path: local.localPath, cleanup: async () => {} };
  }
  if (opts.dataDir || opts.backendStoreUri) {
    const pharos = await createPharos({ dataDir: opts.dataDir ?? process.env.PHAROS_DATA_DIR ?? 'pharos-data', storeUri: opts.backendStoreUri });
    try {
      const resolved = await new RegistryModelResolver((u) => pharos.registry.resolveModelUri(u), pharos.artifacts).resolve(model);
      return { path: resolved.localPath, cleanup: () => pharos.close() };
    } catch (e) {
      await pharos.close();
      throw e;
    }
  }
  const downloaded = await downloadModel(serverUrl(opts), model);
  return { path: downloaded.localPath, cleanup: () => rm(downloaded.downloadDir, { recursive: true, force: true }) };
}

function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('Score a CSV or Parquet file with an ONNX model: streamed, on every core, rows in input order')
    .requiredOption('--model <uri>', 'models:/name@alias, models:/name/version, runs:/..., or a path to model.onnx / a model folder')
    .requiredOption('--input <file>', 'input table (.csv, .tsv, .parquet)')
    .requiredOption('--output <file>', 'predictions (.csv or .parquet)')
    .option('--batch-size <n>', 'rows a model call', positiveInt('--batch-size'), 10_000)
    .option('--workers <n>', 'worker threads with a session each (default: one a core)', positiveInt('--workers'))
    .option('--columns <names>', 'feature columns in model order (when the model has no MLflow signature)', list)
    .option('--keep <names>', 'input columns copied to the output, e.g. an id', list)
    .option('--url <url>', 'Pharos server resolving registry URIs (default $PHAROS_URL, $MLFLOW_TRACKING_URI, http://127.0.0.1:5000)')
    .option('--data-dir <dir>', 'resolve registry URIs in this local Pharos data folder instead of through a server')
    .option('--backend-store-uri <uri>', 'resolve registry URIs in this store (postgresql://... or SQLite file) instead of through a server')
    .option('--json', 'print a JSON summary')
    .action(async (opts) => {
      const model = await localModel(opts.model, opts);
      const bar = process.stderr.isTTY && !opts.json
        ? new SingleBar({ format: 'predict [{bar}] {percentage}% | {rows} rows | {eta_formatted} left', stream: process.stderr, hideCursor: true })
        : null;
      // Started on the first finished batch, so an early error (bad columns, unknown file) prints alone.
      let barStarted = false;
      try {
        const summary = await batchPredict({
          modelPath: model.path,
          input: opts.input,
          output: opts.output,
          batchSize: opts.batchSize,
          workers: opts.workers,
          columns: opts.columns,
          keep: opts.keep,
          onProgress: ({ fraction, rows }) => {
            if (!bar) return;
            if (!barStarted) bar.start(100, 0, { rows: 0 });
            barStarted = true;
            bar.update(Math.floor(fraction * 100), { rows });
          },
        });
        if (barStarted) {
          bar!.update(100, { rows: summary.rows });
          bar!.stop();
        }
        // Peak resident memory of this process, workers included: the evidence that streaming kept it flat.
        const peakRssBytes = process.resourceUsage().maxRSS * 1024;
        if (opts.json) printJson({ ...summary, model: opts.model, rowsPerSecond: summary.rows / summary.seconds, peakRssBytes });
        else {
          process.stdout.write(
            `${summary.rows} rows scored in ${summary.seconds.toFixed(1)} s (${Math.round(summary.rows / summary.seconds)} rows/s, ` +
              `${summary.workers} workers) -> ${summary.output}\ncolumns: ${summary.columns.join(', ')}\n`,
          );
        }
      } finally {
        if (barStarted) bar!.stop();
        await model.cleanup();
      }
    });
}

function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw invalidParameter(`--env expects KEY=VALUE, got '${p}'`);
    env[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return env;
}

interface DeploymentJson {
  name: string;
  stable: { uri: string };
  candidate: { uri: string; mode: 'canary' | 'shadow'; percent: number } | null;
}

/** A Pharos deployment as the server describes it (`GET /api/v1/deployments/{name}`). */
async function fetchDeployment(name: string, url: string): Promise<DeploymentJson | null> {
  const base = url.replace(/\/+$/, '');
  const res = await fetch(`${base}/api/v1/deployments/${encodeURIComponent(name)}`).catch((e: Error) => {
    throw invalidParameter(`'${name}' is not a model URI or path, and the Pharos server at ${base} (deployments) cannot be reached: ${e.message}`);
  });
  if (res.status === 404) return null;
  if (!res.ok) throw invalidParameter(`reading deployment '${name}' from ${base} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { deployment: DeploymentJson }).deployment;
}

/**
 * What `<deployment-or-model>` names: a model URI or path is served as is (`pharos serve --model`); any other word
 * is a Pharos deployment on the server, served with `pharos serve --deployment`, which reads the same store and so
 * keeps its canary or shadow split.
 */
async function servingTarget(name: string, opts: Record<string, any>): Promise<ServingTarget> {
  const { isKServeStorageUri } = await loadDeploy();
  const canaryPercent = opts.canaryTraffic !== undefined ? Number(opts.canaryTraffic) : undefined;
  if (!hasScheme(name) && !existsSync(name)) {
    const url = serverUrl(opts);
    const d = await fetchDeployment(name, url);
    if (!d) throw invalidParameter(`'${name}' is neither a model URI, a model path, nor a deployment on ${url}`);
    if (!opts.env.some((e: string) => e.startsWith('PHAROS_STORE_URI='))) {
      process.stderr.write(`note: pharos serve --deployment reads the deployment from the store: pass --env PHAROS_STORE_URI=postgresql://...\n`);
    }
    const target: ServingTarget = { name: opts.name ?? d.name, kind: 'deployment', serveArgs: ['--deployment', d.name], primary: { uri: d.stable.uri, storageUri: opts.storageUri } };
    if (d.candidate?.mode === 'canary') {
      target.canary = { uri: d.candidate.uri, storageUri: opts.canaryStorageUri, trafficPercent: canaryPercent ?? d.candidate.percent };
    } else if (d.candidate?.mode === 'shadow' && opts.target === 'kserve') {
      process.stderr.write(`note: KServe has no shadow traffic; the shadow model ${d.candidate.uri} is left out\n`);
    }
    return target;
  }
  const uri = hasScheme(name) ? name : resolve(name);
  // models:/churn@champion -> churn; /models/churn/model.onnx -> churn (a file named just "model" says nothing).
  const segments = resolve(name).split(/[\\/]/).filter(Boolean);
  const base = (segments.pop() ?? 'model').replace(/\.onnx$/, '');
  const modelName = hasScheme(name) ? (/^models:\/([^/@]+)/.exec(name)?.[1] ?? 'model') : base === 'model' ? (segments.pop() ?? base) : base;
  if (!hasScheme(name)) process.stderr.write(`note: ${uri} is a local path; mount it at the same path in the container, or export a models:/ URI\n`);
  const target: ServingTarget = {
    name: opts.name ?? modelName,
    kind: 'model',
    serveArgs: ['--model', uri],
    primary: { uri, storageUri: opts.storageUri ?? (isKServeStorageUri(name) ? name : undefined) },
  };
  if (opts.canaryModel) {
    if (canaryPercent === undefined) throw invalidParameter('--canary-model needs --canary-traffic <percent>');
    if (opts.target === 'kubernetes') throw invalidParameter('--canary-model: for Kubernetes, create a Pharos deployment with a canary (pharos deploy) and export it');
    target.canary = { uri: opts.canaryModel, storageUri: opts.canaryStorageUri ?? (isKServeStorageUri(opts.canaryModel) ? opts.canaryModel : undefined), trafficPercent: canaryPercent };
  }
  return target;
}

/**
 * Commander checks an ancestor's mandatory options before running a subcommand, so `deploy <name>`'s required
 * `--model` would reject `deploy export ...`. The requirement is kept for `deploy <name>` itself, checked in a
 * hook that sees which command is about to run.
 */
function relaxMandatoryOptionsForSubcommands(parent: Command): void {
  const mandatory = parent.options.filter((o) => o.mandatory);
  if (mandatory.length === 0) return;
  for (const o of mandatory) o.mandatory = false;
  parent.hook('preAction', (_this, actionCommand) => {
    if (actionCommand !== parent) return;
    for (const o of mandatory) {
      if (parent.getOptionValue(o.attributeName()) === undefined) parent.error(`error: required option '${o.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
    }
  });
}

/** Adds `export` under an existing `deploy` command (the serving commands own `deploy <name>`). */
export function addDeployExportCommand(deploy: Command): void {
  relaxMandatoryOptionsForSubcommands(deploy);
  deploy
    .command('export')
    .description('Write Kubernetes (Deployment + Service + HPA running `pharos serve`) or KServe manifests for a deployment or model')
    .argument('<deployment-or-model>', 'a deployment on the Pharos server (--url), a models:/ URI, or a path to a model')
    .requiredOption('--target <target>', 'kubernetes or kserve')
    .option('--out <dir>', 'folder for the YAML files (default: print to stdout)')
    .option('--url <url>', 'Pharos server holding the deployment (default $PHAROS_URL, $MLFLOW_TRACKING_URI, http://127.0.0.1:5000)')
    .option('--image <image>', 'container image with Pharos (see the Dockerfile)', `ghcr.io/pharos-mlops/pharos:${VERSION}`)
    .option('--namespace <ns>', 'Kubernetes namespace')
    .option('--name <name>', 'resource name (default: the deployment or model name)')
    .option('--port <port>', 'port pharos serve listens on in the container', positiveInt('--port'), 8080)
    .option('--min-replicas <n>', 'HPA minimum (and initial replicas)', positiveInt('--min-replicas'), 1)
    .option('--max-replicas <n>', 'HPA maximum', positiveInt('--max-replicas'), 5)
    .option('--target-cpu <percent>', 'HPA target CPU utilisation', positiveInt('--target-cpu'), 70)
    .option('--cpu <quantity>', 'CPU request', '500m')
    .option('--memory <quantity>', 'memory request', '512Mi')
    .option('--memory-limit <quantity>', 'memory limit', '1Gi')
    .option('--env <KEY=VALUE...>', 'container environment, e.g. PHAROS_STORE_URI=postgresql://... to resolve models:/ URIs', [])
    .option('--tracking-uri <url>', 'Pharos server the pods resolve models:/ URIs through (sets MLFLOW_TRACKING_URI)')
    .option('--storage-uri <uri>', 'KServe: where the model folder is (s3://, gs://, pvc://, https://)')
    .option('--canary-model <uri>', 'KServe: a model to run as canary (when exporting a model rather than a deployment)')
    .option('--canary-traffic <percent>', 'canary share of traffic, 0-100')
    .option('--canary-storage-uri <uri>', "KServe: where the canary model's folder is")
    .option('--json', 'print the manifests (or the written paths) as JSON')
    .action(async (name: string, _opts, command: Command) => {
      // Options the parent `deploy` also declares (--json) are parsed by the parent: read them merged.
      const opts = command.optsWithGlobals();
      const { EXPORT_TARGETS, defaultExportOptions, exportManifests, renderYaml, writeManifests } = await loadDeploy();
      if (!EXPORT_TARGETS.includes(opts.target)) throw invalidParameter(`--target must be one of ${EXPORT_TARGETS.join(', ')}, got '${opts.target}'`);
      const target = await servingTarget(name, opts);
      const options: ExportOptions = {
        ...defaultExportOptions(opts.image),
        namespace: opts.namespace,
        port: opts.port,
        minReplicas: opts.minReplicas,
        maxReplicas: opts.maxReplicas,
        targetCpuUtilization: opts.targetCpu,
        resources: { cpuRequest: opts.cpu, memoryRequest: opts.memory, memoryLimit: opts.memoryLimit },
        env: { ...(opts.trackingUri ? { MLFLOW_TRACKING_URI: opts.trackingUri } : {}), ...parseEnv(opts.env) },
      };
      const files = exportManifests(target, opts.target as ExportTarget, options);
      if (opts.out) {
        const paths = await writeManifests(opts.out, files);
        if (opts.json) printJson({ target: opts.target, files: paths });
        else process.stdout.write(paths.map((p) => `wrote ${p}\n`).join(''));
      } else if (opts.json) printJson(files.map((f) => f.object));
      else process.stdout.write(renderYaml(files));
    });
}

/** `pharos predict` and `pharos deploy export`. Registered after the serving commands so `deploy` is shared. */
export function registerPredictCommands(program: Command): void {
  registerPredict(program);
  const deploy = program.commands.find((c) => c.name() === 'deploy') ?? program.command('deploy').description('Deployments: serve, roll out, export');
  if (!deploy.commands.some((c) => c.name() === 'export')) addDeployExportCommand(deploy);
}
