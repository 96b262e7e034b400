import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KllSketch } from '../sketch/kll-sketch.ts';
import { NumericMoments } from '../sketch/moments.ts';
import { CategoryCounts } from '../sketch/category-counts.ts';
import { seededRandom } from '../sketch/random.ts';
import { driftReport } from './drift-report.ts';
import {
  DISTINCT_PROBE, allRanksError, countsCategoricalSide, exactCategoricalSide, exactNumericSide, sketchColumnDrift, sketchNumericSide,
  type NumericSide,
} from './sketch-drift.ts';
import type { DriftMethodName } from './types.ts';

function normals(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const rand = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = mean + sd * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = mean + sd * r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** A window summarised as a monitor does it: in parts (segments), each its own sketch, merged. */
function sketchedSide(values: Float64Array, k: number, parts: number): NumericSide {
  const size = Math.ceil(values.length / parts);
  let sketch: KllSketch | undefined;
  const moments = new NumericMoments();
  const probe = new CategoryCounts({ maxCategories: DISTINCT_PROBE });
  for (let p = 0; p < parts; p++) {
    const chunk = values.subarray(p * size, (p + 1) * size);
    const part = new KllSketch({ k, seed: 1000 + p });
    part.updateAll(chunk);
    const m = new NumericMoments();
    m.updateAll(chunk);
    const pr = new CategoryCounts({ maxCategories: DISTINCT_PROBE });
    for (const v of chunk) if (!pr.overflowed) pr.update(String(v));
    sketch = sketch ? sketch.merge(part) : part;
    moments.merge(m);
    probe.merge(pr);
  }
  return sketchNumericSide(sketch!, moments, probe);
}

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('with exact sides on both ends, every method reproduces driftReport', () => {
  const ref = normals(20_000, 1);
  const cur = normals(15_000, 2, 0.2, 1.3);
  for (const method of ['wasserstein', 'ks', 'psi', 'jensenshannon', 'kl_div', 't_test'] as DriftMethodName[]) {
    const exact = driftReport({ columns: { x: { kind: 'numerical', values: ref } } }, { columns: { x: { kind: 'numerical', values: cur } } }, { method }).columns[0];
    const mine = sketchColumnDrift('x', exactNumericSide(ref), exactNumericSide(cur), { method });
    close(mine.score!, exact.score!, 1e-9, method);
    assert.equal(mine.drifted, exact.drifted, method);
    assert.equal(mine.uncertainty, 0, `${method} is exact on exact sides`);
  }
  const cats = (n: number, seed: number, skew: number) => {
    const rand = seededRandom(seed);
    return Array.from({ length: n }, () => {
      const u = rand() ** skew;
      return u < 0.05 ? null : ['a', 'b', 'c', 'd', 'e'][Math.floor(u * 5)];
    });
  };
  const rc = cats(5_000, 3, 1);
  const cc = cats(4_000, 4, 1.3);
  for (const method of ['chisquare', 'jensenshannon', 'psi', 'kl_div', 'g_test', 'hellinger'] as DriftMethodName[]) {
    const exact = driftReport({ columns: { c: { kind: 'categorical', values: rc } } }, { columns: { c: { kind: 'categorical', values: cc } } }, { method }).columns[0];
    const counts = new CategoryCounts();
    counts.updateAll(cc);
    const mine = sketchColumnDrift('c', exactCategoricalSide(rc), countsCategoricalSide(counts), { method });
    close(mine.score!, exact.score!, 1e-9, `categorical ${method}`);
  }
  // default choice: > 1000 reference rows -> Wasserstein for numbers, JS for categories; few values -> by value
  const few = Float64Array.from({ length: 3000 }, (_, i) => i % 4);
  const fewCur = Float64Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? 1 : i % 4));
  const e = driftReport({ columns: { f: { kind: 'numerical', values: few } } }, { columns: { f: { kind: 'numerical', values: fewCur } } }).columns[0];
  const s = sketchColumnDrift('f', exactNumericSide(few), sketchedSide(fewCur, 200, 3));
  assert.equal(s.method, e.method);
  close(s.score!, e.score!, 1e-12, 'few-valued column from exact value counts');
});

test('KLL all-ranks error: the merged sketch CDF stays within allRanksError(k) of the exact CDF everywhere', () => {
  const values = normals(1_000_000, 7, 5, 2);
  const k = 200;
  const side = sketchedSide(values, k, 50);
  const sorted = Float64Array.from(values).sort();
  let worst = 0;
  // every retained point and 2,000 evenly spaced probes
  const probes = [...side.values.filter((_, i) => i % 3 === 0), ...Array.from({ length: 2000 }, (_, i) => sorted[Math.floor((i / 2000) * sorted.length)])];
  for (const x of probes) {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    let a = 0;
    let b = side.values.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (side.values[mid] <= x) a = mid + 1;
      else b = mid;
    }
    const est = a === 0 ? 0 : side.cumulative[a - 1] / side.totalWeight;
    worst = Math.max(worst, Math.abs(est - lo / sorted.length));
  }
  assert.ok(worst <= allRanksError(k), `max CDF error ${worst} > bound ${allRanksError(k)}`);
  assert.ok(side.values.length < 4 * k, `memory stays O(k): ${side.values.length} retained`);
});

test('on 10^6-row windows, sketch statistics lie within their stated interval of the exact driftReport value', () => {
  const k = 1000;
  const ref = normals(200_000, 11, 10, 3);
  const shifts: Array<[string, Float64Array]> = [
    ['no drift', normals(1_000_000, 12, 10, 3)],
    ['mean shift', normals(1_000_000, 13, 10.6, 3)],
    ['heavy tail', Float64Array.from(normals(1_000_000, 14, 0, 1), (z, i) => (i % 10 === 0 ? 10 + 12 * z : 10 + 3 * z))],
  ];
  const refSide = exactNumericSide(ref);
  const refTable = { columns: { x: { kind: 'numerical' as const, values: ref } } };
  for (const [name, cur] of shifts) {
    const side = sketchedSide(cur, k, 100);
    const curTable = { columns: { x: { kind: 'numerical' as const, values: cur } } };
    for (const method of ['wasserstein', 'ks', 'psi', 'jensenshannon'] as DriftMethodName[]) {
      const exact = driftReport(refTable, curTable, { method }).columns[0];
      const approx = sketchColumnDrift('x', refSide, side, { method });
      const [lo, hi] = approx.scoreInterval;
      const slack = 1e-12 * Math.max(1, Math.abs(exact.score!));
      assert.ok(exact.score! >= lo - slack && exact.score! <= hi + slack, `${name} ${method}: exact ${exact.score} outside [${lo}, ${hi}] (estimate ${approx.score})`);
      if (method === 'ks') {
        assert.ok(Math.abs(approx.statistic! - exact.statistic!) <= allRanksError(k), `${name} KS D ${approx.statistic} vs ${exact.statistic}`);
      }
      if (approx.verdictCertain) assert.equal(approx.drifted, exact.drifted, `${name} ${method}: a certain verdict matches the exact one`);
    }
  }
  // both sides sketched (a reference window summarised too): the interval still holds
  const cur = shifts[1][1];
  const exact = driftReport(refTable, { columns: { x: { kind: 'numerical', values: cur } } }, { method: 'wasserstein' }).columns[0];
  const both = sketchColumnDrift('x', sketchedSide(ref, k, 20), sketchedSide(cur, k, 100), { method: 'wasserstein' });
  assert.ok(exact.score! >= both.scoreInterval[0] && exact.score! <= both.scoreInterval[1], `${exact.score} in ${both.scoreInterval}`);
});

test('category counts are exact: chi-squared and JS on 10^6 categorical rows equal the exact report', () => {
  const rand = seededRandom(21);
  const pick = (p: number) => (p < 0.4 ? 'web' : p < 0.7 ? 'ios' : p < 0.95 ? 'android' : p < 0.99 ? null : 'tv');
  const ref = Array.from({ length: 100_000 }, () => pick(rand()));
  const cur = Array.from({ length: 1_000_000 }, () => pick(rand() * 0.98 + 0.02));
  const parts = Array.from({ length: 10 }, (_, p) => {
    const c = new CategoryCounts();
    c.updateAll(cur.slice(p * 100_000, (p + 1) * 100_000));
    return c;
  });
  const merged = parts.reduce((a, b) => a.merge(b));
  for (const method of ['chisquare', 'jensenshannon'] as DriftMethodName[]) {
    const exact = driftReport({ columns: { c: { kind: 'categorical', values: ref } } }, { columns: { c: { kind: 'categorical', values: cur } } }, { method }).columns[0];
    const approx = sketchColumnDrift('c', exactCategoricalSide(ref), countsCategoricalSide(merged), { method });
    close(approx.score!, exact.score!, 1e-12, method);
    assert.equal(approx.uncertainty, 0);
  }
});

test('methods that need every value are skipped with a reason, not approximated silently', () => {
  const side = exactNumericSide(normals(2000, 5));
  const r = sketchColumnDrift('x', side, sketchedSide(normals(5000, 6), 200, 2), { method: 'anderson' });
  assert.equal(r.status, 'skipped');
  assert.match(r.message!, /needs every value/);
});
