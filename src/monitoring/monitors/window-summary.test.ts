import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { InferenceLogReader } from '../../serving/index.ts';
import { seededRandom } from '../sketch/random.ts';
import { executeMonitorRun } from './monitor-runner.ts';
import { inferenceLogSource } from './inference-source.ts';
import { WindowSummarizer, type SummaryPlan } from './window-summary.ts';
import type { LabelStore } from '../performance/label-store.ts';
import type { Monitor, MonitorSpec, ObservedRow } from './types.ts';

const pad = (ms: number) => String(Math.floor(ms)).padStart(15, '0');
const T0 = 1_700_000_000_000;

interface Row {
  ts: number;
  role: string;
  amount: number | null;
  country: string | null;
  score: number;
  latency: number;
}

/** A segment in serving's documented layout (inference-log.ts), several Parquet row groups each. */
async function writeSegment(dir: string, deployment: string, rows: Row[], tag: string): Promise<void> {
  const folder = join(dir, encodeURIComponent(deployment));
  await mkdir(folder, { recursive: true });
  const col = <T>(f: (r: Row, i: number) => T) => rows.map(f);
  const buffer = parquetWriteBuffer({
    rowGroupSize: 1500,
    columnData: [
      { name: 'timestamp_ms', data: col((r) => r.ts), type: 'DOUBLE' },
      { name: 'request_id', data: col((_, i) => `${tag}-${i}`), type: 'STRING' },
      { name: 'row_index', data: col(() => 0), type: 'INT32' },
      { name: 'deployment', data: col(() => deployment), type: 'STRING' },
      { name: 'model_name', data: col(() => 'm'), type: 'STRING' },
      { name: 'model_version', data: col(() => '1'), type: 'STRING' },
      { name: 'model_uri', data: col(() => 'models:/m/1'), type: 'STRING' },
      { name: 'role', data: col((r) => r.role), type: 'STRING' },
      { name: 'latency_ms', data: col((r) => r.latency), type: 'DOUBLE' },
      { name: 'features', data: col((r) => JSON.stringify({ amount: r.amount, country: r.country })), type: 'STRING' },
      { name: 'prediction', data: col((r) => JSON.stringify({ label: r.score >= 0.5 ? 1 : 0, score: r.score })), type: 'STRING' },
    ],
  });
  const first = Math.min(...rows.map((r) => r.ts));
  const last = Math.max(...rows.map((r) => r.ts));
  await writeFile(join(folder, `${pad(first)}-${pad(last)}-${tag}.parquet`), new Uint8Array(buffer));
}

function traffic(n: number, seed: number, from: number, shift: number): Row[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const u = rand();
    return {
      ts: from + i,
      role: i % 50 === 7 ? 'shadow' : 'stable',
      amount: u < 0.02 ? null : 100 + 40 * (rand() + rand() + rand() - 1.5) + shift,
      country: u > 0.97 ? null : ['fr', 'de', 'es', 'it'][Math.floor(rand() ** (1 + shift / 40) * 4)],
      score: rand(),
      latency: 5 + 20 * rand() ** 3,
    };
  });
}

const SEGMENTS = 6;
const PER_SEGMENT = 4000;
let dir: string;
const all: Row[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pharos-window-summary-'));
  for (let s = 0; s < SEGMENTS; s++) {
    const rows = traffic(PER_SEGMENT, 100 + s, T0 + s * PER_SEGMENT, s >= 3 ? 25 : 0);
    all.push(...rows);
    await writeSegment(dir, 'churn', rows, `a${s}`);
  }
  await writeSegment(dir, 'other', traffic(500, 9, T0, 0), 'o0');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spec: MonitorSpec = {
  task: 'binary',
  reference: { type: 'upload' },
  window: { type: 'time', durationMs: 3 * PER_SEGMENT + 1000 },
  checks: { featureDrift: true, predictionDrift: true, dataQuality: true, latency: true, performance: true },
  alerts: [],
};

const plan: SummaryPlan = { features: [['amount', 'numerical'], ['country', 'categorical']], spec, k: 200, maxCategories: 100 };

describe('window summaries over the inference log', () => {
  test('a time window is summarised segment by segment: exact counts and moments, shadow rows and other deployments left out, whole segments cached', async () => {
    const cacheDir = join(dir, '.summaries-test');
    const summarizer = new WindowSummarizer(new InferenceLogReader(dir), { cacheDir });
    // cuts segment 1 and segment 4; 2 and 3 wholly inside
    const from = T0 + 1 * PER_SEGMENT + 1234;
    const to = T0 + 4 * PER_SEGMENT + 2345;
    const expected = all.filter((r) => r.ts >= from && r.ts < to && r.role !== 'shadow');
    const s = await summarizer.summarize({ deployment: 'churn', from, to }, plan);
    assert.equal(s.rows, expected.length);
    assert.equal(s.segmentsRead, 4);
    const amounts = expected.map((r) => r.amount).filter((v): v is number => v !== null);
    const amount = s.features.columns.get('amount')!;
    assert.equal(amount.kind, 'numerical');
    if (amount.kind === 'numerical') {
      assert.equal(amount.moments.count, amounts.length);
      assert.equal(amount.moments.missing, expected.length - amounts.length);
      assert.ok(Math.abs(amount.moments.mean - amounts.reduce((a, b) => a + b, 0) / amounts.length) < 1e-9);
    }
    const country = s.features.columns.get('country')!;
    if (country.kind === 'categorical') {
      for (const c of ['fr', 'de', 'es', 'it']) assert.equal(country.counts.get(c), expected.filter((r) => r.country === c).length, c);
      assert.equal(country.counts.missing, expected.filter((r) => r.country === null).length);
    }
    assert.equal(s.withScore, expected.length);
    const cached = await readdir(join(cacheDir, 'churn'));
    assert.equal(cached.length, 2, 'only the two segments wholly inside the window are cached');

    const again = await summarizer.summarize({ deployment: 'churn', from, to }, plan);
    assert.equal(again.segmentsCached, 2);
    assert.equal(again.segmentsRead, 2, 'the edge segments are read again, the others come from the cache');
    assert.deepEqual(again.toJSON(), s.toJSON(), 'a cached summary merges to the same state');
  });

  test('a count window takes whole segments newest first and the newest rows of the boundary one', async () => {
    const summarizer = new WindowSummarizer(new InferenceLogReader(dir), { cacheDir: null });
    const size = 2 * PER_SEGMENT + 1000;
    const s = await summarizer.summarize({ deployment: 'churn', to: T0 + 10 * PER_SEGMENT, last: size }, plan);
    assert.equal(s.rows, size);
    const served = all.filter((r) => r.role !== 'shadow');
    assert.equal(s.firstTs, served[served.length - size].ts);
    assert.equal(s.lastTs, served[served.length - 1].ts);
  });

  test('row counts for the path decision come from footers and edge timestamps', async () => {
    const summarizer = new WindowSummarizer(new InferenceLogReader(dir), { cacheDir: null });
    const from = T0 + 500;
    const to = T0 + 2 * PER_SEGMENT + 10;
    assert.equal(await summarizer.countRows({ deployment: 'churn', from, to }), all.filter((r) => r.ts >= from && r.ts < to).length);
  });
});

describe('monitor runs above the sketch threshold', () => {
  const labels = { get: async () => new Map() } as unknown as LabelStore;
  const referenceRows: ObservedRow[] = traffic(3000, 77, T0 - 1e6, 0).map((r) => ({
    features: { amount: r.amount, country: r.country },
    prediction: { label: r.score >= 0.5 ? 1 : 0, score: r.score },
  }));
  const monitor: Monitor = { id: 'mon-1', name: 'churn', deployment: 'churn', enabled: true, spec, createdAt: 0, updatedAt: 0 };
  const now = T0 + SEGMENTS * PER_SEGMENT - 1;
  const run = (sketchAboveRows: number, m: Monitor = monitor) =>
    executeMonitorRun(m, {
      source: inferenceLogSource(new InferenceLogReader(dir)),
      labels,
      drift: undefined,
      uploadedReference: async () => ({ source: 'upload', rows: referenceRows }),
      sketchAboveRows,
      sketchK: 200,
    }, now);

  test('a window over the threshold is summarised, marked approximate, and agrees with the exact run within its bounds', async () => {
    const { driftReport } = await import('../drift/drift-report.ts');
    const exactRun = await executeMonitorRun(monitor, {
      source: inferenceLogSource(new InferenceLogReader(dir)),
      labels,
      drift: driftReport,
      uploadedReference: async () => ({ source: 'upload', rows: referenceRows }),
    }, now);
    assert.equal(exactRun.approximate, undefined, 'below the default threshold the exact path runs');
    const approx = await run(5000);
    assert.ok(approx.approximate, 'marked approximate');
    assert.equal(approx.approximate!.k, 200);
    assert.equal(approx.metrics['window.approximate'], 1);
    assert.equal(approx.window.rows, exactRun.window.rows);
    assert.equal(approx.featureDrift!.nColumns, exactRun.featureDrift!.nColumns);
    for (const exact of exactRun.featureDrift!.columns) {
      const a = approx.featureDrift!.columns.find((c) => c.column === exact.column)!;
      assert.equal(a.method, exact.method, exact.column);
      const [lo, hi] = a.scoreInterval!;
      assert.ok(exact.score! >= lo - 1e-12 && exact.score! <= hi + 1e-12, `${exact.column}: exact ${exact.score} outside [${lo}, ${hi}]`);
      if (a.verdictCertain) assert.equal(a.drifted, exact.drifted);
    }
    const [plo, phi] = approx.predictionDrift!.scoreInterval!;
    assert.equal(approx.predictionDrift!.method, exactRun.predictionDrift!.method);
    assert.ok(exactRun.predictionDrift!.score! >= plo - 1e-12 && exactRun.predictionDrift!.score! <= phi + 1e-12);
    // missing shares and new categories are exact; out-of-range comes from the sketch
    for (const [col, q] of Object.entries(exactRun.dataQuality!)) {
      assert.ok(Math.abs(approx.dataQuality![col].missingShare - q.missingShare) < 1e-12, col);
      if (q.newCategoryShare !== undefined) assert.equal(approx.dataQuality![col].newCategoryShare, q.newCategoryShare);
      if (q.outOfRangeShare !== undefined) assert.ok(Math.abs(approx.dataQuality![col].outOfRangeShare! - q.outOfRangeShare) <= 2 * approx.approximate!.rankError);
    }
    assert.equal(approx.latency!.meanMs.toFixed(9), exactRun.latency!.meanMs.toFixed(9));
    assert.ok(Math.abs(approx.latency!.p99Ms - exactRun.latency!.p99Ms) < 1, 'p99 within the rank error of a smooth distribution');
    assert.match(approx.skipped.performance!, /no per-row labels/);
  });

  test('a reference window above the threshold is summarised as well, and the exact scores stay inside the intervals', async () => {
    const { driftReport } = await import('../drift/drift-report.ts');
    const windowRef: Monitor = { ...monitor, spec: { ...spec, reference: { type: 'window', from: T0, to: T0 + 3 * PER_SEGMENT } } };
    const deps = (sketchAboveRows: number) => ({
      source: inferenceLogSource(new InferenceLogReader(dir)),
      labels,
      drift: driftReport,
      uploadedReference: async () => null,
      sketchAboveRows,
      sketchK: 200,
    });
    const exact = await executeMonitorRun(windowRef, deps(1e9), now);
    const approx = await executeMonitorRun(windowRef, deps(5000), now);
    assert.equal(exact.approximate, undefined);
    assert.ok(approx.approximate);
    assert.equal(approx.reference.rows, exact.reference.rows, 'the whole reference window, not the kind-inference sample');
    for (const e of exact.featureDrift!.columns) {
      const a = approx.featureDrift!.columns.find((c) => c.column === e.column)!;
      assert.equal(a.method, e.method);
      assert.ok(e.score! >= a.scoreInterval![0] - 1e-12 && e.score! <= a.scoreInterval![1] + 1e-12, `${e.column}: ${e.score} outside ${a.scoreInterval}`);
    }
    assert.ok(exact.predictionDrift!.score! >= approx.predictionDrift!.scoreInterval![0] - 1e-12 && exact.predictionDrift!.score! <= approx.predictionDrift!.scoreInterval![1] + 1e-12);
    for (const [col, q] of Object.entries(exact.dataQuality!)) {
      assert.ok(Math.abs(approx.dataQuality![col].referenceMissingShare - q.referenceMissingShare) < 1e-12, col);
      if (q.newCategoryShare !== undefined) assert.equal(approx.dataQuality![col].newCategoryShare, q.newCategoryShare);
    }
  });

  test('count windows above the threshold take the sketch path too; below it nothing changes', async () => {
    const counted: Monitor = { ...monitor, spec: { ...spec, window: { type: 'count', size: 9000 } } };
    const approx = await run(5000, counted);
    assert.ok(approx.approximate);
    assert.equal(approx.window.rows, 9000);
    const exact = await run(100_000, counted);
    assert.equal(exact.approximate, undefined);
    assert.equal(exact.window.rows, 9000);
  });
});
