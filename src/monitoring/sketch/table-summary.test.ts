import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTable, scanTable, writeCsv, writeParquet, type DataTable } from '../../data/index.ts';
import { CategoryCounts } from './category-counts.ts';
import { NumericMoments } from './moments.ts';
import { seededRandom } from './random.ts';
import { summarizeTable, TableSummary } from './table-summary.ts';
import { driftReport } from '../drift/index.ts';

function chunk(start: number, rows: number, random: () => number): DataTable {
  const x = new Float64Array(rows);
  const c: Array<string | null> = [];
  for (let i = 0; i < rows; i++) {
    x[i] = (start + i) % 101 === 0 ? NaN : 1e9 + random();
    c.push((start + i) % 37 === 0 ? null : `cat${Math.floor(random() * 12)}`);
  }
  return { rowCount: rows, columns: new Map([['x', { kind: 'numerical', values: x }], ['c', { kind: 'categorical', values: c }]]) };
}

test('Welford/Chan moments merged from parts equal a two-pass computation, even at mean 1e9', () => {
  const random = seededRandom(11);
  const values = Array.from({ length: 100_000 }, () => 1e9 + random());
  const parts = [0, 7, 30_000, 30_001, 99_999, 100_000];
  const merged = new NumericMoments();
  for (let p = 0; p + 1 < parts.length; p++) {
    const m = new NumericMoments();
    m.updateAll(values.slice(parts[p], parts[p + 1]));
    merged.merge(m);
  }
  // the reference sums offsets from 1e9: summing the raw values would lose the digits we test
  const mean = 1e9 + values.reduce((a, b) => a + (b - 1e9), 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  assert.equal(merged.count, 100_000);
  assert.ok(Math.abs(merged.mean - mean) < 1e-6);
  assert.ok(Math.abs(merged.variance - variance) / variance < 1e-6, `${merged.variance} vs ${variance}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002);
  assert.equal(merged.min, Math.min(...values));
  const withGaps = new NumericMoments();
  withGaps.updateAll([1, NaN, Infinity, 3]);
  assert.deepEqual(withGaps.toJSON(), { count: 2, mean: 2, m2: 2, min: 1, max: 3, missing: 1, infinite: 1 });
});

test('category counts are exact under the cap, bounded with the other bucket beyond it', () => {
  const a = new CategoryCounts({ maxCategories: 3 });
  a.updateAll(['x', 'y', 'x', null, 'z', 'w', 'w', 'x']);
  assert.deepEqual(a.entries(), [['x', 3], ['y', 1], ['z', 1]]);
  assert.equal(a.otherCount, 2);
  assert.equal(a.missing, 1);
  assert.equal(a.total, 7);
  const b = new CategoryCounts({ maxCategories: 3 });
  b.updateAll(['w', 'w', 'w', 'w', 'y']);
  a.merge(b);
  // w (true count 6) is now tracked; evicted categories moved to other, so the total is still exact
  assert.equal(a.total, 12);
  assert.equal(a.get('x'), 3);
  for (const [name, trueCount] of [['x', 3], ['y', 2], ['z', 1], ['w', 6]] as const) {
    assert.ok(a.get(name) <= trueCount && trueCount - a.get(name) <= a.maxUndercount, name);
  }
  assert.deepEqual(CategoryCounts.fromJSON(JSON.parse(JSON.stringify(a))).entries(), a.entries());
});

test('a table summary merged from chunk summaries equals the summary of the whole stream', async () => {
  const random = seededRandom(5);
  const chunks = [chunk(0, 40_000, random), chunk(40_000, 1, random), chunk(40_001, 59_999, random)];
  const whole = await summarizeTable(chunks, { seed: 9 });
  const merged = new TableSummary({ seed: 9 });
  for (const c of chunks) merged.merge(new TableSummary({ seed: 9 }).update(c));
  assert.equal(whole.rows, 100_000);
  assert.equal(merged.rows, 100_000);
  const wx = whole.columns.get('x')!;
  const mx = merged.columns.get('x')!;
  assert.ok(wx.kind === 'numerical' && mx.kind === 'numerical');
  assert.equal(mx.moments.count, wx.moments.count);
  assert.equal(mx.moments.missing, Math.ceil(100_000 / 101));
  assert.ok(Math.abs(mx.moments.variance - wx.moments.variance) / wx.moments.variance < 1e-6);
  assert.ok(Math.abs(mx.quantiles.quantile(0.5) - wx.quantiles.quantile(0.5)) < 0.05);
  const wc = whole.columns.get('c')!;
  const mc = merged.columns.get('c')!;
  assert.ok(wc.kind === 'categorical' && mc.kind === 'categorical');
  assert.deepEqual(mc.counts.entries(), wc.counts.entries());
  assert.equal(mc.counts.missing, Math.ceil(100_000 / 37));
  const restored = TableSummary.fromJSON(JSON.parse(JSON.stringify(merged)));
  assert.deepEqual(restored.toJSON(), merged.toJSON());
  assert.throws(() => merged.update({ rowCount: 1, columns: new Map([['x', { kind: 'categorical', values: ['a'] }]]) }), /numerical in the summary but categorical/);
});

test('stand-in columns from summaries give the drift report the same distance scores as the raw windows', () => {
  const random = seededRandom(21);
  const window = (shift: number, pShift: number): DataTable => {
    const n = 200_000;
    const x = new Float64Array(n);
    const c: string[] = [];
    for (let i = 0; i < n; i++) {
      x[i] = Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random()) + shift;
      const u = random();
      c.push(u < 0.5 + pShift ? 'a' : u < 0.8 ? 'b' : 'c');
    }
    return { rowCount: n, columns: new Map([['x', { kind: 'numerical', values: x }], ['c', { kind: 'categorical', values: c }]]) };
  };
  const reference = window(0, 0);
  const current = window(0.3, 0.1);
  const exact = driftReport(reference, current);
  const refSummary = new TableSummary({ seed: 1 });
  const curSummary = new TableSummary({ seed: 2 });
  // summarised in 10 parts each and merged, as hourly windows would be
  for (let p = 0; p < 10; p++) {
    const part = (t: DataTable): DataTable => ({
      rowCount: 20_000,
      columns: new Map([...t.columns].map(([name, col]) => [name, col.kind === 'numerical'
        ? { kind: 'numerical' as const, values: (col.values as Float64Array).subarray(p * 20_000, (p + 1) * 20_000) }
        : { kind: 'categorical' as const, values: (col.values as string[]).slice(p * 20_000, (p + 1) * 20_000) }])),
    });
    refSummary.merge(new TableSummary({ seed: 10 + p }).update(part(reference)));
    curSummary.merge(new TableSummary({ seed: 20 + p }).update(part(current)));
  }
  const approx = driftReport({ columns: refSummary.toStandInColumns(10_000) }, { columns: curSummary.toStandInColumns(10_000) });
  for (const name of ['x', 'c']) {
    const e = exact.columns.find((col) => col.column === name)!;
    const a = approx.columns.find((col) => col.column === name)!;
    assert.equal(a.method, e.method, name);
    assert.equal(a.drifted, e.drifted, name);
    assert.ok(Math.abs(a.score! - e.score!) < 0.02 * Math.max(1, e.score!), `${name}: ${a.score} vs ${e.score}`);
  }
  assert.equal(exact.columns[0].method, 'wasserstein');
  assert.equal(exact.columns[1].method, 'jensenshannon');
});

test('files are summarised row group by row group (Parquet) and chunk by chunk (CSV), matching the whole-file numbers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-summary-'));
  const random = seededRandom(8);
  const chunks = [chunk(0, 30_000, random), chunk(30_000, 30_000, random), chunk(60_000, 30_000, random)];
  const parquet = join(dir, 'w.parquet');
  const csv = join(dir, 'w.csv');
  await writeParquet(parquet, chunks, { rowGroupRows: 30_000 });
  await writeCsv(csv, chunks);
  const whole = await readTable(parquet);
  const values = whole.columns.get('x')!.values as Float64Array;
  const finite = values.filter((v) => !Number.isNaN(v));
  const mean = 1e9 + finite.reduce((a, v) => a + (v - 1e9), 0) / finite.length;
  for (const path of [parquet, csv]) {
    let chunksSeen = 0;
    const summary = await summarizeTable(scanTable(path, { chunkRows: 10_000 }), { onProgress: () => chunksSeen++ });
    assert.ok(chunksSeen >= 3, `${path}: streamed in ${chunksSeen} chunks`);
    assert.equal(summary.rows, 90_000);
    const x = summary.columns.get('x')!;
    assert.ok(x.kind === 'numerical');
    assert.equal(x.moments.count, finite.length);
    assert.ok(Math.abs(x.moments.mean - mean) < 1e-4, `${path}: ${x.moments.mean} vs ${mean}`); // 1e-13 relative at 1e9
    const c = summary.columns.get('c')!;
    assert.ok(c.kind === 'categorical');
    assert.equal(c.counts.total + c.counts.missing, 90_000);
  }
});

test('few-valued integer columns keep exact counts (Evidently compares them as categories); others drop them', () => {
  const ints = (values: number[], integer = true): DataTable => ({ rowCount: values.length, columns: new Map([['code', { kind: 'numerical', values: Float64Array.from(values), integer }]]) });
  const a = new TableSummary().update(ints([1, 2, 2, 3]));
  const b = new TableSummary().update(ints([3, 3, 4]));
  a.merge(b);
  const code = a.columns.get('code')!;
  assert.ok(code.kind === 'numerical' && code.domain.isSmall);
  assert.deepEqual([...code.domain.counts!].sort((x, y) => x[0] - y[0]), [[1, 1], [2, 2], [3, 3], [4, 1]]);
  const standIn = a.toStandInColumns(14).get('code') as number[];
  assert.deepEqual(standIn.slice().sort(), [1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4]);
  assert.ok(TableSummary.fromJSON(JSON.parse(JSON.stringify(a))).columns.get('code')!.kind === 'numerical');
  const many = new TableSummary().update(ints(Array.from({ length: 11 }, (_, i) => i)));
  assert.equal((many.columns.get('code') as { domain: { isSmall: boolean } }).domain.isSmall, false);
  const floats = new TableSummary().update(ints([1, 2], false));
  assert.equal((floats.columns.get('code') as { domain: { isSmall: boolean } }).domain.isSmall, false);
  assert.ok(floats.toStandInColumns(5).get('code') instanceof Float64Array);
});
