/**
 * A monitor run over a 10-million-row window of the inference log, on the sketch path: the log is written
 * as Parquet segments in serving's layout (100 segments of 100k rows, 4 numerical + 2 categorical features,
 * the newest half shifted), then a child process runs the monitor (time window over all of it) twice:
 * cold (every segment read and its summary cached beside the log) and warm (summaries from the cache).
 * The child prints wall time and its peak RSS; the parent compares the drift scores with the exact
 * driftReport on the raw columns it kept as typed arrays.
 *
 * Run: node --import tsx bench/monitoring/large-window.ts   (ROWS=n, SEGMENTS=n for another size)
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { driftReport } from '../../src/monitoring/drift/drift-report.ts';
import { seededRandom } from '../../src/monitoring/sketch/random.ts';
import { executeMonitorRun } from '../../src/monitoring/monitors/monitor-runner.ts';
import { inferenceLogSource } from '../../src/monitoring/monitors/inference-source.ts';
import { InferenceLogReader } from '../../src/serving/index.ts';
import type { LabelStore } from '../../src/monitoring/performance/label-store.ts';
import type { Monitor, MonitorRunResults, ObservedRow } from '../../src/monitoring/monitors/types.ts';

const T0 = 1_700_000_000_000;
const NUMERIC = ['amount', 'age', 'tenure', 'balance'];
const CITIES = ['paris', 'lyon', 'nice', 'lille', 'nantes', 'brest'];
const pad = (ms: number) => String(Math.floor(ms)).padStart(15, '0');

function generator(seed: number) {
  const rand = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return (shifted: boolean) => {
    const s = shifted ? 1 : 0;
    return {
      amount: 100 + 30 * normal() + 3 * s,
      age: 40 + 12 * normal(),
      tenure: Math.exp(1 + 0.8 * normal() + 0.3 * s),
      balance: rand() < 0.01 ? null : 1000 * rand() ** (1 + 0.5 * s),
      city: CITIES[Math.floor(rand() ** (1 + 0.4 * s) * CITIES.length)],
      plan: rand() < 0.3 ? 'pro' : 'free',
      score: rand(),
      latency: 2 + 30 * rand() ** 4,
    };
  };
}

const spec = {
  task: 'binary' as const,
  reference: { type: 'upload' as const },
  window: { type: 'time' as const, durationMs: 0 },
  checks: { featureDrift: true, predictionDrift: true, dataQuality: true, latency: true },
  alerts: [],
};

function referenceRows(): ObservedRow[] {
  const next = generator(424242);
  return Array.from({ length: 50_000 }, () => {
    const r = next(false);
    return { features: { amount: r.amount, age: r.age, tenure: r.tenure, balance: r.balance, city: r.city, plan: r.plan }, prediction: { label: r.score >= 0.5 ? 1 : 0, score: r.score } };
  });
}

/** Child: one monitor run over the whole log; prints its results, wall time and peak RSS as JSON. */
async function runChild(dir: string, rows: number): Promise<void> {
  const monitor: Monitor = { id: 'bench', name: 'bench', deployment: 'bench', enabled: true, spec: { ...spec, window: { type: 'time', durationMs: rows + 10 } }, createdAt: 0, updatedAt: 0 };
  const reference = referenceRows();
  const started = performance.now();
  const results = await executeMonitorRun(monitor, {
    source: inferenceLogSource(new InferenceLogReader(dir)),
    labels: { get: async () => new Map() } as unknown as LabelStore,
    drift: driftReport,
    uploadedReference: async () => ({ source: 'bench', rows: reference }),
    sketchAboveRows: Number(process.env.SKETCH_ABOVE ?? 1_000_000),
  }, T0 + rows);
  const wallMs = performance.now() - started;
  process.stdout.write(JSON.stringify({ wallMs, peakRssMb: process.resourceUsage().maxRSS / 1024, results }));
}

async function main(): Promise<void> {
  const rows = Number(process.env.ROWS ?? 10_000_000);
  const segments = Number(process.env.SEGMENTS ?? 100);
  const perSegment = Math.ceil(rows / segments);
  const dir = await mkdtemp(join(tmpdir(), 'pharos-bench-large-window-'));
  const folder = join(dir, 'bench');
  await mkdir(folder, { recursive: true });
  const exact = new Map<string, Float64Array | Array<string | null>>([
    ...NUMERIC.map((n) => [n, new Float64Array(rows)] as const),
    ['city', new Array<string | null>(rows)],
    ['plan', new Array<string | null>(rows)],
  ]);
  const next = generator(7);
  let t = performance.now();
  for (let s = 0, i = 0; s < segments; s++) {
    const n = Math.min(perSegment, rows - i);
    const ts: number[] = [], role: string[] = [], latency: number[] = [], features: string[] = [], prediction: string[] = [];
    for (let j = 0; j < n; j++, i++) {
      const r = next(i >= rows / 2);
      for (const name of NUMERIC) (exact.get(name) as Float64Array)[i] = (r as unknown as Record<string, number | null>)[name] ?? NaN;
      (exact.get('city') as Array<string | null>)[i] = r.city;
      (exact.get('plan') as Array<string | null>)[i] = r.plan;
      ts.push(T0 + i);
      role.push('stable');
      latency.push(r.latency);
      features.push(JSON.stringify({ amount: r.amount, age: r.age, tenure: r.tenure, balance: r.balance, city: r.city, plan: r.plan }));
      prediction.push(JSON.stringify({ label: r.score >= 0.5 ? 1 : 0, score: r.score }));
    }
    const constant = (v: string) => new Array<string>(n).fill(v);
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'timestamp_ms', data: ts, type: 'DOUBLE' },
        { name: 'request_id', data: ts.map((x) => `r${x}`), type: 'STRING' },
        { name: 'row_index', data: new Array<number>(n).fill(0), type: 'INT32' },
        { name: 'deployment', data: constant('bench'), type: 'STRING' },
        { name: 'model_name', data: constant('m'), type: 'STRING' },
        { name: 'model_version', data: constant('1'), type: 'STRING' },
        { name: 'model_uri', data: constant('models:/m/1'), type: 'STRING' },
        { name: 'role', data: role, type: 'STRING' },
        { name: 'latency_ms', data: latency, type: 'DOUBLE' },
        { name: 'features', data: features, type: 'STRING' },
        { name: 'prediction', data: prediction, type: 'STRING' },
      ],
    });
    await writeFile(join(folder, `${pad(ts[0])}-${pad(ts[n - 1])}-${String(s).padStart(8, '0')}.parquet`), new Uint8Array(buffer));
  }
  console.log(`wrote ${rows} rows as ${segments} Parquet segments: ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const child = (label: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir, String(rows)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`${label} run failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { wallMs: number; peakRssMb: number; results: MonitorRunResults };
    const a = out.results.approximate;
    const path = a ? `sketch path, segments read ${a.segmentsRead} / from cache ${a.segmentsCached}, k ${a.k}, rank error ${a.rankError.toFixed(5)}` : 'exact path (window loaded)';
    console.log(`${label}: ${(out.wallMs / 1000).toFixed(1)} s wall, peak RSS ${out.peakRssMb.toFixed(0)} MB, ${out.results.window.rows} rows, ${path}`);
    return out.results;
  };
  const cold = child('cold run (summaries built and cached)');
  const warm = child('warm run (cached summaries merged)  ');

  t = performance.now();
  const reference = referenceRows();
  const refTable = { columns: new Map([...exact.keys()].map((name) => {
    const values = reference.map((r) => r.features[name]);
    return [name, NUMERIC.includes(name) ? { kind: 'numerical' as const, values: Float64Array.from(values, (v) => (typeof v === 'number' ? v : NaN)) } : { kind: 'categorical' as const, values: values as Array<string | null> }];
  })) };
  const curTable = { columns: new Map([...exact].map(([name, values]) => [name, NUMERIC.includes(name) ? { kind: 'numerical' as const, values: values as Float64Array } : { kind: 'categorical' as const, values: values as Array<string | null> }])) };
  const report = driftReport(refTable, curTable);
  console.log(`exact driftReport on the raw columns (held as typed arrays by this process, for comparison): ${((performance.now() - t) / 1000).toFixed(1)} s`);
  console.log('column    method         exact score      sketch score     |diff|       stated uncertainty  verdict exact/sketch');
  for (const c of report.columns) {
    const s = cold.featureDrift!.columns.find((x) => x.column === c.column)!;
    const w = warm.featureDrift!.columns.find((x) => x.column === c.column)!;
    if (Math.abs(w.score! - s.score!) > 1e-9 * Math.abs(s.score!)) throw new Error(`warm and cold runs disagree on ${c.column}`);
    const diff = Math.abs((s.score ?? NaN) - (c.score ?? NaN));
    const inside = !s.scoreInterval || (c.score! >= s.scoreInterval[0] - 1e-12 && c.score! <= s.scoreInterval[1] + 1e-12);
    console.log(`${c.column.padEnd(9)} ${c.method.padEnd(14)} ${c.score!.toPrecision(8).padEnd(16)} ${s.score!.toPrecision(8).padEnd(16)} ${diff.toExponential(2).padEnd(12)} ${(s.uncertainty ?? 0).toExponential(2).padEnd(19)} ${c.drifted}/${s.drifted}${inside ? '' : '  OUTSIDE THE INTERVAL'}`);
  }
  console.log(`latency p50/p99/mean (sketch): ${cold.latency?.p50Ms.toFixed(3)} / ${cold.latency?.p99Ms.toFixed(3)} / ${cold.latency?.meanMs.toFixed(3)} ms; prediction drift ${cold.predictionDrift?.method} ${cold.predictionDrift?.score?.toPrecision(4)} ± ${(cold.predictionDrift?.uncertainty ?? 0).toExponential(2)}`);
  if (process.env.KEEP) console.log(`log kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

if (process.argv[2] === '--child') await runChild(process.argv[3], Number(process.argv[4]));
else await main();
