import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse';
import { output, positiveInt, printJson, serverUrl } from './output.ts';
import { readTable } from '../data/index.ts';
import { tableRows } from '../monitoring/index.ts';

const MAX_REFERENCE_UPLOAD_ROWS = 200_000;

/** A call to the native monitoring API; the server's `{error_code, message}` becomes the thrown message. */
async function api<T>(opts: { url?: string }, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${serverUrl(opts).replace(/\/+$/, '')}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${json.error_code ?? res.status}: ${json.message ?? text}`);
  return json as T;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? '' : new Date(ms).toISOString());
const common = (c: Command) => c.option('--url <url>', 'Pharos server URL (default $PHAROS_URL, $MLFLOW_TRACKING_URI, http://127.0.0.1:5000)').option('--json', 'print JSON');

/**
 * Streams `request_id,label` rows from a CSV file and posts them in batches (a file of millions of labels
 * never sits in memory whole). Returns how many were stored.
 */
export async function uploadLabelsCsv(file: string, opts: { url?: string; batchSize?: number }, onBatch?: (sent: number) => void): Promise<{ stored: number }> {
  const batchSize = opts.batchSize ?? 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new Error(`--batch-size must be an integer from 1 to 100000, got '${opts.batchSize}'`);
  const input = createReadStream(file);
  const parser = input.pipe(parse({ columns: true, bom: true, skip_empty_lines: true, trim: true }));
  // pipe() does not forward errors: without this a missing file is an unhandled 'error' event (a crash).
  input.once('error', (e) => parser.destroy(e));
  let batch: Array<{ request_id: string; label: string }> = [];
  let stored = 0;
  let line = 1;
  const flush = async () => {
    if (batch.length === 0) return;
    stored += (await api<{ stored: number }>(opts, 'POST', '/labels', batch)).stored;
    batch = [];
    onBatch?.(stored);
  };
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    line++;
    if (!('request_id' in record) || !('label' in record)) throw new Error(`${file}: the header must have the columns request_id and label`);
    if (!record.request_id) throw new Error(`${file}:${line}: empty request_id`);
    if (record.label === '') throw new Error(`${file}:${line}: empty label for request ${record.request_id}`);
    batch.push({ request_id: record.request_id, label: record.label });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return { stored };
}

/** `pharos labels upload`, `pharos monitors list|create|run|history`, `pharos alerts list`. */
export function registerLabelsCommands(program: Command): void {
  const labels = program.command('labels').description('Late ground truth for logged predictions');
  common(
    labels
      .command('upload <file>')
      .description('Upload labels from a CSV file with the columns request_id,label')
      .option('--batch-size <n>', 'labels per request (at most 100000)', positiveInt('--batch-size', 100_000), 10_000),
  ).action(async (file: string, opts) => {
    const result = await uploadLabelsCsv(file, { url: opts.url, batchSize: opts.batchSize }, opts.json ? undefined : (n) => process.stderr.write(`\r${n} labels stored`));
    if (!opts.json) process.stderr.write('\n');
    output(opts, result, [result]);
  });

  const monitors = program.command('monitors').description('Monitors over deployments: drift, data quality, latency, performance');
  common(monitors.command('list').description('List monitors').option('--deployment <name>', 'only this deployment')).action(async (opts) => {
    const q = opts.deployment ? `?deployment=${encodeURIComponent(opts.deployment)}` : '';
    const res = await api<{ monitors: Array<Record<string, any>> }>(opts, 'GET', `/monitors${q}`);
    output(
      opts,
      res,
      res.monitors.map((m) => ({ name: m.name, id: m.id, deployment: m.deployment, enabled: m.enabled, schedule: m.spec.schedule ?? '', window: m.spec.window.type === 'count' ? `last ${m.spec.window.size}` : `${m.spec.window.durationMs / 1000}s`, alerts: m.spec.alerts.length, next_run: m.next_run ?? '' })),
    );
  });

  common(
    monitors
      .command('create <name>')
      .description('Create a monitor from a JSON spec file')
      .requiredOption('--deployment <name>', 'deployment to watch')
      .requiredOption('--spec <file>', 'MonitorSpec as JSON (task, reference, window, schedule, checks, alerts)'),
  ).action(async (name: string, opts) => {
    let spec: unknown;
    try {
      spec = JSON.parse(await readFile(opts.spec, 'utf8'));
    } catch (e) {
      throw new Error(`${opts.spec}: ${(e as Error).message}`);
    }
    const res = await api<{ monitor: Record<string, any> }>(opts, 'POST', '/monitors', { name, deployment: opts.deployment, spec });
    output(opts, res, [{ name: res.monitor.name, id: res.monitor.id, deployment: res.monitor.deployment }]);
  });

  common(
    monitors
      .command('reference <monitor> <file>')
      .description('Upload a monitor\'s reference data from a CSV, TSV or Parquet file (features, plus label / prediction / score columns when known)')
      .option('--label-column <name>', 'the ground-truth column', 'label'),
  ).action(async (monitor: string, file: string, opts) => {
    const table = await readTable(file);
    if (table.rowCount > MAX_REFERENCE_UPLOAD_ROWS) throw new Error(`${file} has ${table.rowCount} rows; a reference holds at most ${MAX_REFERENCE_UPLOAD_ROWS} (sample it first)`);
    const rows = tableRows(table, MAX_REFERENCE_UPLOAD_ROWS);
    const res = await api<{ rows: number }>(opts, 'PUT', `/monitors/${encodeURIComponent(monitor)}/reference`, { rows, label_column: opts.labelColumn, source: basename(file) });
    output(opts, res, [res]);
  });

  common(monitors.command('run <monitor>').description('Run a monitor now and show its results')).action(async (monitor: string, opts) => {
    const res = await api<{ run: Record<string, any> }>(opts, 'POST', `/monitors/${encodeURIComponent(monitor)}/runs`);
    if (opts.json) return printJson(res);
    const r = res.run;
    const rows: Array<Record<string, unknown>> = [
      { metric: 'status', value: r.status },
      { metric: 'rows', value: r.row_count },
      ...(r.error ? [{ metric: 'error', value: r.error }] : []),
      ...Object.entries((r.results?.metrics ?? {}) as Record<string, number>)
        .filter(([k]) => !/^(feature_drift|data_quality)\..+\./.test(k))
        .map(([metric, value]) => ({ metric, value: Number.isInteger(value) ? value : value.toFixed(4) })),
      ...(r.results?.conceptDrift ? [{ metric: 'concept drift', value: r.results.conceptDrift.reason }] : []),
      ...(r.alerts ?? []).map((a: Record<string, any>) => ({ metric: `alert ${a.rule}`, value: `${a.status}: ${a.message}` })),
    ];
    output(opts, res, rows, ['metric', 'value']);
  });

  common(
    monitors
      .command('history <monitor>')
      .description('Past runs of a monitor, newest first')
      .option('--limit <n>', 'how many', '20')
      .option('--status <status>', 'ok | alerting | failed'),
  ).action(async (monitor: string, opts) => {
    const q = new URLSearchParams({ limit: String(opts.limit) });
    if (opts.status) q.set('status', opts.status);
    const res = await api<{ runs: Array<Record<string, any>> }>(opts, 'GET', `/monitors/${encodeURIComponent(monitor)}/runs?${q}`);
    output(
      opts,
      res,
      res.runs.map((r) => ({
        id: r.id,
        started: iso(r.started_at),
        status: r.status,
        rows: r.row_count,
        drift_share: r.results?.metrics?.['feature_drift.share'] ?? '',
        p99_ms: r.results?.metrics?.['latency.p99_ms']?.toFixed?.(1) ?? '',
        accuracy: r.results?.metrics?.['performance.accuracy']?.toFixed?.(4) ?? '',
        estimated: r.results?.metrics?.['estimated.accuracy']?.toFixed?.(4) ?? '',
        error: r.error ?? '',
      })),
    );
  });

  common(
    monitors
      .command('report <run-id>')
      .description("A run's window as a full drift report: per column the method, score, threshold and verdict")
      .option('--html <file>', 'also write the self-contained HTML report (inline SVG plots of both distributions)'),
  ).action(async (runId: string, opts) => {
    const res = await api<{ monitor: string; run_id: string; window: Record<string, number>; report: Record<string, any> }>(opts, 'GET', `/monitor-runs/${encodeURIComponent(runId)}/drift-report`);
    if (opts.html) {
      const page = await fetch(`${serverUrl(opts).replace(/\/+$/, '')}/api/v1/monitor-runs/${encodeURIComponent(runId)}/drift-report.html`);
      if (!page.ok) throw new Error(`${page.status}: ${await page.text()}`);
      await writeFile(opts.html, await page.text()).catch((e: NodeJS.ErrnoException) => {
        throw new Error(`--html ${opts.html}: cannot write the report: ${e.message}`);
      });
      if (!opts.json) process.stderr.write(`wrote ${opts.html}\n`);
    }
    if (opts.json) return printJson(res);
    const r = res.report;
    output(
      opts,
      res,
      (r.columns as Array<Record<string, any>>).map((c) => ({
        column: c.column,
        type: c.type,
        method: c.methodLabel ?? c.method,
        score: typeof c.score === 'number' ? c.score.toPrecision(6) : '',
        threshold: c.threshold ?? '',
        verdict: c.drifted ? 'DRIFT' : c.score === null ? 'not tested' : 'ok',
      })),
    );
    process.stdout.write(`${r.drifted ? 'Dataset drift' : 'No dataset drift'}: ${r.nDrifted} of ${r.nColumns} columns drifted (share ${Number(r.shareDrifted).toFixed(3)})\n`);
  });

  const alerts = program.command('alerts').description('Alert history');
  common(
    alerts
      .command('list')
      .description('Alerts, newest first')
      .option('--monitor <monitor>', 'monitor id or name')
      .option('--status <status>', 'fired | suppressed')
      .option('--limit <n>', 'how many', '50'),
  ).action(async (opts) => {
    const q = new URLSearchParams({ limit: String(opts.limit) });
    if (opts.monitor) q.set('monitor', opts.monitor);
    if (opts.status) q.set('status', opts.status);
    const res = await api<{ alerts: Array<Record<string, any>> }>(opts, 'GET', `/alerts?${q}`);
    output(
      opts,
      res,
      res.alerts.map((a) => ({ fired: iso(a.fired_at), rule: a.rule, status: a.status, message: a.message, delivered: a.deliveries.filter((d: { ok: boolean }) => d.ok).length + '/' + a.deliveries.length, retrain_run: a.retrain_run_id ?? '' })),
    );
  });
}
