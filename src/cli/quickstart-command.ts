import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { printJson, serverUrl } from './output.ts';

/** The checkout (or installed package) root: examples/ and scripts/ sit beside src/ and dist/. */
const packageRoot = resolve(import.meta.dirname, '..', '..');
const TRAIN_SCRIPT = join(packageRoot, 'examples', 'quickstart', 'train.py');

export interface QuickstartOptions {
  url: string;
  /** Registered model, deployment and monitor names. */
  model: string;
  deployment: string;
  monitor: string;
  /** Where the training script writes its data files; kept, because monitors read training data through lineage. */
  workDir: string;
  /** Python with mlflow, scikit-learn and skl2onnx; default PHAROS_PYTHON, then `scripts/pyenv.sh`. */
  python?: string;
  /** Canary requests to send at most before giving up on a decision. */
  maxCanaryRequests?: number;
  /** Progress lines for people (nothing with --json). */
  print?: (line: string) => void;
}

export type StepStatus = 'done' | 'skipped' | 'failed';

export interface QuickstartStep {
  id: string;
  title: string;
  status: StepStatus;
  lines: string[];
}

export interface QuickstartSummary {
  url: string;
  model: string;
  deployment: string;
  monitor: string;
  steps: QuickstartStep[];
  training?: { version: string; runId: string; metrics: Record<string, number>; driftedAccuracy: number };
  retraining?: { version: string; runId: string; metrics: Record<string, number> };
  traffic: Record<string, { rows: number; requests: number; failed: number; sample: unknown }>;
  monitorRuns: Record<string, { id: string; status: string; rows: number; driftShare: number | null; driftedColumns: string[]; accuracy: number | null; estimatedAccuracy: number | null; alerts: string[] }>;
  rollout?: { action: 'promote' | 'rollback' | 'none'; reason: string; canaryRequests: number; stable: string };
  history: Array<{ time: string; action: string; reason: string }>;
}

/** A server without the route this step needs (a capability not built yet): the step is skipped, not faked. */
class NotAvailable extends Error {}

type Json = any;

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: the text goes into the error */
  }
  // The MLflow-shaped routes answer ENDPOINT_NOT_FOUND; the OIP v2 routes keep their own `{error: "No route for ..."}`.
  if (res.status === 404 && (json?.error_code === 'ENDPOINT_NOT_FOUND' || /^No route for /.test(json?.error ?? ''))) throw new NotAvailable(`${method} ${path.split('?')[0]} is not available on this server yet`);
  if (!res.ok) throw Object.assign(new Error(`${method} ${path.split('?')[0]}: ${res.status} ${json?.message ?? json?.error ?? text}`), { status: res.status });
  return json;
}

function resolvePython(explicit?: string): Promise<string> {
  if (explicit) return Promise.resolve(explicit);
  if (process.env.PHAROS_PYTHON) return Promise.resolve(process.env.PHAROS_PYTHON);
  // pyenv.sh installs the pinned mlflow / scikit-learn / skl2onnx on first use and says so on stderr.
  return new Promise((res, rej) => {
    const child = spawn('bash', [join(packageRoot, 'scripts', 'pyenv.sh')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', rej);
    child.on('exit', (code) => (code === 0 ? res(out.trim().split('\n').pop()!) : rej(new Error(`scripts/pyenv.sh failed (exit ${code})`))));
  });
}

function runTraining(python: string, url: string, phase: 'initial' | 'retrain', opts: QuickstartOptions): Promise<Json> {
  return new Promise((res, rej) => {
    const child = spawn(python, [TRAIN_SCRIPT, phase, '--out', opts.workDir, '--model', opts.model], {
      env: { ...process.env, MLFLOW_TRACKING_URI: url, GIT_PYTHON_REFRESH: 'quiet', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', rej);
    child.on('exit', (code) => {
      if (code !== 0) return rej(new Error(`train.py ${phase} exited with ${code}:\n${err.slice(-4000)}`));
      try {
        res(JSON.parse(out.trim().split('\n').pop() ?? ''));
      } catch {
        rej(new Error(`train.py ${phase} printed no JSON summary:\n${out.slice(-2000)}`));
      }
    });
  });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

interface TrafficData {
  records: Array<Record<string, number>>;
  labels: number[];
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The closed loop against a running server: train and register (real mlflow client), deploy, predict over
 * OIP v2 and /invocations, late labels, a monitor run, drifted traffic and the drift it causes, retraining,
 * a canary with automatic promotion, and the routing history. Each step reports what it did and where to look.
 */
export async function runQuickstart(opts: QuickstartOptions): Promise<QuickstartSummary> {
  const base = opts.url.replace(/\/+$/, '');
  const print = opts.print ?? (() => {});
  const summary: QuickstartSummary = { url: base, model: opts.model, deployment: opts.deployment, monitor: opts.monitor, steps: [], traffic: {}, monitorRuns: {}, history: [] };
  // Request ids unique to this run, so labels from an earlier quickstart on the same data never collide.
  const tag = `qs-${Date.now().toString(36)}`;
  const dir = resolve(opts.workDir, tag);
  mkdirSync(dir, { recursive: true });
  const runOpts = { ...opts, workDir: dir };
  const dep = encodeURIComponent(opts.deployment);
  const mon = encodeURIComponent(opts.monitor);
  let columns: string[] = [];
  let python = '';

  const step = async (id: string, title: string, requires: string[], fn: (lines: string[]) => Promise<void>): Promise<void> => {
    const s: QuickstartStep = { id, title, status: 'done', lines: [] };
    summary.steps.push(s);
    print(`\n▸ ${title}`);
    const missing = requires.filter((r) => summary.steps.find((x) => x.id === r)?.status !== 'done');
    if (missing.length) {
      s.status = 'skipped';
      s.lines.push(`skipped: needs ${missing.join(', ')}`);
      print(`  – ${s.lines[0]}`);
      return;
    }
    const started = Date.now();
    try {
      await fn(s.lines);
      for (const l of s.lines) print(`  ${l}`);
      print(`  ✓ ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      for (const l of s.lines) print(`  ${l}`);
      s.status = e instanceof NotAvailable ? 'skipped' : 'failed';
      const line = e instanceof NotAvailable ? `not yet available: ${e.message}` : `failed: ${(e as Error).message}`;
      s.lines.push(line);
      print(`  ${e instanceof NotAvailable ? '–' : '✗'} ${line}`);
    }
  };

  const waitReady = async (wantCandidate: boolean): Promise<Json> => {
    for (let i = 0; i < 120; i++) {
      const d = (await call(base, 'GET', `/api/v1/deployments/${dep}`)).deployment;
      if (d.stable.state === 'failed') throw new Error(`stable model failed to load: ${d.stable.reason}`);
      if (wantCandidate && d.candidate?.state === 'failed') throw new Error(`candidate failed to load: ${d.candidate.reason}`);
      if (d.ready && (!wantCandidate || d.candidate?.state === 'ready')) return d;
      await sleep(500);
    }
    throw new Error(`deployment '${opts.deployment}' not ready after 60 s`);
  };

  /** Sends the rows in requests of 4, alternating OIP v2 and /invocations, and returns one label a logged row. */
  const sendTraffic = async (key: string, data: TrafficData): Promise<Array<{ request_id: string; label: number }>> => {
    const chunks: Array<{ id: string; rows: Array<Record<string, number>>; labels: number[]; oip: boolean }> = [];
    for (let i = 0; i < data.records.length; i += 4) chunks.push({ id: `${tag}-${key}-${i / 4}`, rows: data.records.slice(i, i + 4), labels: data.labels.slice(i, i + 4), oip: (i / 4) % 2 === 0 });
    const stats = { rows: data.records.length, requests: chunks.length, failed: 0, sample: null as unknown };
    const labels: Array<{ request_id: string; label: number }> = [];
    await pool(chunks, 4, async (c) => {
      try {
        if (c.oip) {
          const inputs = columns.map((name) => ({ name, shape: [c.rows.length, 1], datatype: 'FP32', data: c.rows.map((r) => r[name]) }));
          await call(base, 'POST', `/v2/models/${dep}/infer`, { id: c.id, inputs });
        } else {
          const res = await call(base, 'POST', `/deployments/${dep}/invocations`, { dataframe_records: c.rows }, { 'x-request-id': c.id });
          stats.sample ??= { request: c.rows[0], answer: res.predictions[0] };
        }
        // The inference log keys row i of a multi-row request as `<id>:<i>` (row 0 as `<id>`).
        c.labels.forEach((label, i) => labels.push({ request_id: i === 0 ? c.id : `${c.id}:${i}`, label }));
      } catch (e) {
        if (e instanceof NotAvailable) throw e;
        stats.failed++;
      }
    });
    summary.traffic[key] = stats;
    return labels;
  };

  const runMonitor = async (key: string, lines: string[]): Promise<void> => {
    // Reading the inference log flushes rows still queued, so the run's window holds this traffic.
    await call(base, 'GET', `/api/v1/deployments/${dep}/inference-log?last=1`);
    const run = (await call(base, 'POST', `/api/v1/monitors/${mon}/runs`)).run;
    if (run.status === 'failed') throw new Error(`monitor run failed: ${run.error}`);
    const r = run.results;
    const drifted = (r.featureDrift?.columns ?? []).filter((c: Json) => c.drifted).map((c: Json) => c.column);
    const estimated = r.estimatedPerformance && 'metrics' in r.estimatedPerformance ? r.estimatedPerformance.metrics.accuracy ?? null : null;
    const alerts = (run.alerts ?? []).map((a: Json) => `${a.rule} (${a.status}): ${a.message}`);
    summary.monitorRuns[key] = {
      id: run.id,
      status: run.status,
      rows: run.row_count,
      driftShare: r.featureDrift?.share ?? null,
      driftedColumns: drifted,
      accuracy: r.performance?.metrics?.accuracy ?? null,
      estimatedAccuracy: estimated,
      alerts,
    };
    lines.push(`run ${run.id}: status ${run.status.toUpperCase()} over ${run.row_count} logged rows (reference: ${r.reference.source.split(':')[0]}, ${r.reference.rows} rows)`);
    if (r.featureDrift) lines.push(`feature drift: ${r.featureDrift.nDrifted} of ${r.featureDrift.nColumns} columns${drifted.length ? ` (${drifted.join(', ')})` : ''}`);
    if (r.predictionDrift) lines.push(`prediction drift: ${r.predictionDrift.drifted ? 'yes' : 'no'} (${r.predictionDrift.method} ${r.predictionDrift.score?.toFixed(4) ?? ''})`);
    if (r.performance) lines.push(`accuracy from late labels: ${pct(r.performance.metrics?.accuracy)} on ${r.performance.labelled} labelled rows${r.performance.reference ? ` (reference ${pct(r.performance.reference.accuracy)})` : ''}`);
    if (estimated !== null) lines.push(`estimated accuracy before labels arrive (CBPE): ${pct(estimated)}`);
    if (r.conceptDrift?.detected) lines.push(`concept drift: ${r.conceptDrift.reason}`);
    for (const [check, why] of Object.entries(r.skipped ?? {})) lines.push(`(${check} skipped: ${why})`);
    if (r.latency) lines.push(`latency p50 ${r.latency.p50Ms.toFixed(2)} ms, p99 ${r.latency.p99Ms.toFixed(2)} ms`);
    for (const a of alerts) lines.push(`alert ${a}`);
    lines.push(`look: ${base}/api/v1/monitor-runs/${run.id}`);
    if (r.featureDrift && !r.approximate) lines.push(`drift report with plots: ${base}/api/v1/monitor-runs/${run.id}/drift-report.html   (or: pharos monitors report ${run.id} --html drift.html)`);
  };

  let production: TrafficData = { records: [], labels: [] };
  let baselineLabels: Array<{ request_id: string; label: number }> = [];
  let drifted: TrafficData = { records: [], labels: [] };

  await step('train', '1. Train a scikit-learn classifier and log it with the mlflow client', [], async (lines) => {
    python = await resolvePython(opts.python);
    const t = await runTraining(python, base, 'initial', runOpts);
    columns = t.columns;
    production = JSON.parse(readFileSync(join(dir, 'production.json'), 'utf8'));
    drifted = JSON.parse(readFileSync(join(dir, 'drifted.json'), 'utf8'));
    summary.training = { version: t.version, runId: t.run_id, metrics: t.metrics, driftedAccuracy: t.drifted_accuracy };
    lines.push(`breast cancer data (${t.params.train_rows} training rows, features ${columns.join(', ')})`);
    lines.push(`run ${t.run_id}: test accuracy ${pct(t.metrics.test_accuracy)}, ROC AUC ${t.metrics.test_roc_auc.toFixed(3)}; ONNX model logged by mlflow.onnx.log_model`);
    lines.push(`registered ${opts.model} version ${t.version}, alias champion -> ${t.version}`);
    lines.push(`look: ${base}/api/2.0/mlflow/runs/get?run_id=${t.run_id}   (or: pharos runs get ${t.run_id})`);
    lines.push(`      ${base}/api/v1/models/${encodeURIComponent(opts.model)}   (or: pharos models versions ${opts.model})`);
  });

  await step('deploy', `2. Deploy models:/${opts.model}@champion as '${opts.deployment}'`, ['train'], async (lines) => {
    const body = { model_uri: `models:/${opts.model}@champion`, canary_uri: null, shadow_uri: null };
    const existing = await call(base, 'GET', `/api/v1/deployments/${dep}`).catch((e) => {
      if (e.status === 404) return null;
      throw e;
    });
    if (existing) await call(base, 'PATCH', `/api/v1/deployments/${dep}`, body);
    else await call(base, 'POST', '/api/v1/deployments', { name: opts.deployment, model_uri: body.model_uri });
    const d = await waitReady(false);
    lines.push(`${existing ? 'updated' : 'created'}: serving ${d.stable.uri} (version ${d.stable.model_version})   (CLI: pharos deploy ${opts.deployment} --model models:/${opts.model}@champion)`);
    lines.push(`look: ${base}/v2/models/${dep}   (OIP v2 metadata)`);
  });

  await step('predict', '3. Send prediction traffic (OIP v2 and MLflow /invocations)', ['deploy'], async (lines) => {
    baselineLabels = await sendTraffic('baseline', production);
    const t = summary.traffic.baseline;
    lines.push(`${t.rows} rows in ${t.requests} requests, ${t.failed} failed`);
    if (t.failed) throw new Error(`${t.failed} prediction requests failed`);
    lines.push(`half over POST ${base}/v2/models/${opts.deployment}/infer, half over POST ${base}/deployments/${opts.deployment}/invocations`);
    const sample = t.sample as { request: unknown; answer: unknown } | null;
    if (sample) lines.push(`e.g. ${JSON.stringify(sample.request)} -> ${JSON.stringify(sample.answer)}`);
    lines.push(`look: ${base}/api/v1/deployments/${dep}/inference-log?last=5`);
  });

  await step('labels', '4. Upload the late ground-truth labels', ['predict'], async (lines) => {
    const res = await call(base, 'POST', '/api/v1/labels', baselineLabels);
    lines.push(`${res.stored} labels stored, joined to logged rows by request id   (CLI: pharos labels upload labels.csv)`);
  });

  await step('monitor', '5. Create a monitor (drift + performance) and run it', ['labels'], async (lines) => {
    const spec = {
      task: 'binary',
      reference: { type: 'training', labelColumn: 'label' },
      // The window is one traffic phase: each run looks at exactly the rows the step before it sent.
      window: { type: 'count', size: production.records.length },
      checks: { featureDrift: true, predictionDrift: true, dataQuality: true, latency: true, errorRate: true, performance: true, estimatedPerformance: true },
      // No cool-down: every quickstart run, even minutes after the last, shows its alerts firing.
      alerts: [
        { name: 'feature-drift', metric: 'feature_drift.share', op: '>', threshold: 0.3, cooldownMs: 0 },
        { name: 'accuracy-drop', metric: 'performance.accuracy', op: '<', threshold: 0.85, cooldownMs: 0 },
      ],
    };
    const existing = await call(base, 'GET', `/api/v1/monitors/${mon}`).catch((e) => {
      if (e.status === 404) return null;
      throw e;
    });
    if (existing) await call(base, 'PATCH', `/api/v1/monitors/${mon}`, { deployment: opts.deployment, spec, enabled: true });
    else await call(base, 'POST', '/api/v1/monitors', { name: opts.monitor, deployment: opts.deployment, spec });
    lines.push(`${existing ? 'updated' : 'created'} monitor '${opts.monitor}': reference = the training data found through model lineage, window = last ${spec.window.size} rows`);
    await runMonitor('baseline', lines);
  });

  await step('drift', '6. Production drifts: a recalibrated scanner reports sizes 30% larger', ['monitor'], async (lines) => {
    const labels = await sendTraffic('drifted', drifted);
    const t = summary.traffic.drifted;
    if (t.failed) throw new Error(`${t.failed} prediction requests failed`);
    const res = await call(base, 'POST', '/api/v1/labels', labels);
    lines.push(`${t.rows} drifted rows in ${t.requests} requests; ${res.stored} late labels`);
    await runMonitor('drifted', lines);
  });

  await step('retrain', `7. Retrain on data from the new scanner`, ['drift'], async (lines) => {
    const t = await runTraining(python, base, 'retrain', runOpts);
    summary.retraining = { version: t.version, runId: t.run_id, metrics: t.metrics };
    lines.push(`run ${t.run_id}: accuracy on drifted hold-out ${pct(t.metrics.test_accuracy)} (the deployed version scores ${pct(summary.training!.driftedAccuracy)})`);
    lines.push(`registered ${opts.model} version ${t.version} (no alias yet: the canary decides)`);
  });

  await step('canary', `8. Canary rollout of version ${summary.retraining?.version ?? '?'} with automatic promotion`, ['retrain'], async (lines) => {
    const candidate = `models:/${opts.model}/${summary.retraining!.version}`;
    // Promote after 60 canary requests within bounds; latency bounds loose enough for a busy laptop.
    const policy = { auto_promote: true, min_requests: 60, min_duration_ms: 0, max_error_rate_increase: 0.01, max_latency_ratio: 2, latency_slack_ms: 25 };
    await call(base, 'PATCH', `/api/v1/deployments/${dep}`, { canary_uri: candidate, canary_percent: 30, policy });
    await waitReady(true);
    lines.push(`canary ${candidate} at 30% of traffic; promote after ${policy.min_requests} requests if error rate and p99 latency stay within bounds`);
    lines.push(`(CLI: pharos deploy ${opts.deployment} --model models:/${opts.model}@champion --canary ${candidate} --canary-percent 30 --auto-promote-after ${policy.min_requests})`);
    const rows = drifted.records;
    let sent = 0;
    let d: Json = null;
    const max = opts.maxCanaryRequests ?? 2000;
    while (sent < max) {
      const batch = Array.from({ length: 40 }, (_, i) => rows[(sent + i) % rows.length]);
      await pool(batch, 4, async (row) => {
        await call(base, 'POST', `/deployments/${dep}/invocations`, { dataframe_records: [row] }).catch((e) => {
          if (e instanceof NotAvailable) throw e;
        });
      });
      sent += batch.length;
      d = (await call(base, 'GET', `/api/v1/deployments/${dep}`)).deployment;
      if (!d.candidate) break;
    }
    const last = [...d.history].reverse().find((e: Json) => e.action === 'promote' || e.action === 'rollback');
    if (d.candidate || !last) {
      summary.rollout = { action: 'none', reason: `no decision after ${sent} requests`, canaryRequests: d.candidate?.stats.requests ?? 0, stable: d.stable.uri };
      throw new Error(`no automatic decision after ${sent} requests (candidate stats ${JSON.stringify(d.candidate?.stats)})`);
    }
    summary.rollout = { action: last.action, reason: last.reason, canaryRequests: last.details?.stats?.candidate?.requests ?? 0, stable: d.stable.uri };
    lines.push(`${sent} requests sent: ${last.action === 'promote' ? 'PROMOTED' : 'ROLLED BACK'} — ${last.reason}`);
    lines.push(`now serving ${d.stable.uri} (version ${d.stable.model_version})`);
    if (last.action === 'promote') {
      await call(base, 'POST', '/api/2.0/mlflow/registered-models/alias', { name: opts.model, alias: 'champion', version: d.stable.model_version });
      lines.push(`alias champion -> version ${d.stable.model_version}, so models:/${opts.model}@champion names what production serves`);
    }
  });

  await step('recheck', '9. Monitor after the rollout', ['canary'], async (lines) => {
    if (summary.rollout?.action !== 'promote') {
      lines.push('the canary was rolled back: the old version still serves, drift remains');
      return;
    }
    const labels = await sendTraffic('after', drifted);
    await call(base, 'POST', '/api/v1/labels', labels);
    await runMonitor('after', lines);
  });

  await step('audit', '10. Final routing and audit trail', ['deploy'], async (lines) => {
    const d = (await call(base, 'GET', `/api/v1/deployments/${dep}`)).deployment;
    lines.push(`routing: 100% -> ${d.stable.uri} (version ${d.stable.model_version})${d.candidate ? `, ${d.candidate.mode} ${d.candidate.uri} ${d.candidate.percent}%` : ''}`);
    summary.history = d.history.map((e: Json) => ({ time: new Date(e.timestamp).toISOString(), action: e.action, reason: e.reason }));
    const recent = summary.history.slice(-8);
    for (const e of recent) lines.push(`${e.time}  ${e.action.padEnd(14)} ${e.reason.length > 150 ? `${e.reason.slice(0, 149)}…` : e.reason}`);
    lines.push(`(each change is also an event in the audit trail)   look: ${base}/api/v1/deployments/${dep}   (or: pharos deployments get ${opts.deployment})`);
  });

  return summary;
}

export function registerQuickstartCommand(program: Command): void {
  program
    .command('quickstart')
    .description('Run the closed loop against a Pharos server: train (mlflow client), register, deploy, predict, labels, monitor, drift, retrain, canary, promote')
    .option('--url <url>', 'Pharos server URL (default PHAROS_URL, MLFLOW_TRACKING_URI, http://127.0.0.1:5000)')
    .option('--model <name>', 'registered model name', 'breast-cancer')
    .option('--deployment <name>', 'deployment name', 'breast-cancer')
    .option('--monitor <name>', 'monitor name', 'breast-cancer-watch')
    .option('--work-dir <dir>', 'folder for the generated data (kept: monitors read training data from it)', join(process.env.PHAROS_DATA_DIR ?? 'pharos-data', 'quickstart'))
    .option('--python <path>', 'Python with mlflow, scikit-learn and skl2onnx (default PHAROS_PYTHON, then scripts/pyenv.sh)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: Record<string, any>) => {
      const url = serverUrl(opts);
      const print = opts.json ? undefined : (line: string) => process.stdout.write(`${line}\n`);
      print?.(`Pharos quickstart against ${url}`);
      const summary = await runQuickstart({ url, model: opts.model, deployment: opts.deployment, monitor: opts.monitor, workDir: resolve(opts.workDir), python: opts.python, print });
      if (opts.json) return printJson(summary);
      const counts = (s: StepStatus) => summary.steps.filter((x) => x.status === s).length;
      print!(`\nQuickstart: ${counts('done')} steps done, ${counts('skipped')} skipped, ${counts('failed')} failed.`);
      print!(`API docs: ${url.replace(/\/+$/, '')}/docs   Prometheus metrics: ${url.replace(/\/+$/, '')}/metrics`);
      if (counts('failed')) process.exitCode = 1;
    });
}
