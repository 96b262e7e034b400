import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fisherExact, gTest, mannWhitneyU, tTestInd } from './rank-tests.ts';

describe('rank and count tests', () => {
  it('t-test: identical samples give t = 0, p = 1; constant samples give NaN (never a verdict)', () => {
    const a = [1, 2, 3, 4, 5];
    assert.deepEqual(tTestInd(a, a), { statistic: 0, pValue: 1 });
    assert.ok(Number.isNaN(tTestInd([2, 2], [2, 2]).pValue));
    const shifted = tTestInd(a, a.map((x) => x + 10));
    assert.ok(shifted.statistic < 0 && shifted.pValue < 1e-5);
  });

  it('Mann–Whitney exact p-values equal the permutation distribution of U', () => {
    const x = [0.3, 1.2, 2.5];
    const y = [0.1, 0.9, 1.7, 3.3, 4.1];
    const pooled = [...x, ...y];
    const u = (xs: number[], ys: number[]) => xs.reduce((s, a) => s + ys.filter((b) => a > b).length, 0);
    const observed = u(x, y);
    let greater = 0;
    let less = 0;
    let total = 0;
    for (let mask = 0; mask < 1 << 8; mask++) {
      const xs = pooled.filter((_, i) => mask & (1 << i));
      if (xs.length !== 3) continue;
      const ys = pooled.filter((_, i) => !(mask & (1 << i)));
      total++;
      if (u(xs, ys) >= observed) greater++;
      if (u(xs, ys) <= observed) less++;
    }
    const g = mannWhitneyU(x, y, 'greater');
    assert.equal(g.method, 'exact');
    assert.equal(g.statistic, observed);
    assert.ok(Math.abs(g.pValue - greater / total) < 1e-12);
    assert.ok(Math.abs(mannWhitneyU(x, y, 'less').pValue - less / total) < 1e-12);
  });

  it('Mann–Whitney uses the normal approximation with ties or two large samples', () => {
    assert.equal(mannWhitneyU([1, 1, 2], [2, 3]).method, 'asymptotic');
    const big = Array.from({ length: 20 }, (_, i) => i + 0.5);
    assert.equal(mannWhitneyU(big, big.map((v) => v + 0.25)).method, 'asymptotic');
  });

  it('Fisher exact: symmetric under swapping rows, 1 for proportional tables', () => {
    assert.equal(fisherExact(10, 10, 10, 10).pValue, 1);
    const p = fisherExact(8, 2, 1, 5).pValue;
    assert.ok(Math.abs(p - fisherExact(1, 5, 8, 2).pValue) < 1e-15);
    assert.ok(p > 0 && p < 0.05);
  });

  it('G-test: 0 when observed equals expected, infinite with an unseen category', () => {
    assert.deepEqual(gTest([5, 5], [5, 5]), { statistic: 0, pValue: 1 });
    assert.equal(gTest([5, 5], [10, 0]).pValue, 0);
  });
});
