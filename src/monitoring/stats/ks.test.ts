import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ks2samp } from './ks.ts';

function dStatistic(a: number[], b: number[]): number {
  let d = 0;
  for (const v of [...a, ...b]) {
    const fa = a.filter((x) => x <= v).length / a.length;
    const fb = b.filter((x) => x <= v).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

/** Exact permutation p-value: share of all splits of the pooled sample with D >= observed. */
function permutationP(a: number[], b: number[]): number {
  const pooled = [...a, ...b];
  const observed = dStatistic(a, b);
  let extreme = 0;
  let total = 0;
  const n = pooled.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let m = mask; m; m &= m - 1) bits++;
    if (bits !== a.length) continue;
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) (mask & (1 << i) ? x : y).push(pooled[i]);
    total++;
    if (dStatistic(x, y) >= observed - 1e-12) extreme++;
  }
  return extreme / total;
}

describe('ks2samp', () => {
  it('exact p-values equal the permutation distribution (equal and unequal sizes, no ties)', () => {
    const cases: Array<[number[], number[]]> = [
      [[0.1, 0.5, 0.9, 1.3], [0.2, 1.7, 2.1, 2.4, 3.0]],
      [[1, 2, 3, 4, 5], [2.5, 6, 7, 8, 9]],
      [[0.3, 0.1, 0.4], [1.5, 0.9, 0.2, 2.6, 0.35, 0.8]],
    ];
    for (const [a, b] of cases) {
      const res = ks2samp(a, b);
      assert.equal(res.method, 'exact');
      assert.ok(Math.abs(res.statistic - dStatistic(a, b)) < 1e-15);
      assert.ok(Math.abs(res.pValue - permutationP(a, b)) < 1e-12, `${res.pValue} vs ${permutationP(a, b)}`);
    }
  });

  it('identical samples give D = 0 and p = 1; disjoint ones D = 1', () => {
    const a = [1, 2, 3, 4];
    assert.deepEqual(ks2samp(a, a), { statistic: 0, pValue: 1, method: 'exact' });
    assert.equal(ks2samp([1, 2], [3, 4, 5]).statistic, 1);
  });

  it('switches to the asymptotic distribution above 10 000 values and stays in [0, 1]', () => {
    const a = Float64Array.from({ length: 10_001 }, (_, i) => Math.sin(i));
    const b = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i * 7.1) + 0.05);
    const res = ks2samp(a, b);
    assert.equal(res.method, 'asymp');
    assert.ok(res.pValue > 0 && res.pValue < 1);
  });

  it('rejects empty samples', () => {
    assert.throws(() => ks2samp([], [1]), RangeError);
  });
});
