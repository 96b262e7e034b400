import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { energyDistance, jensenShannonDistance, klDivergence, populationStabilityIndex, wassersteinDistance } from './distances.ts';
import { andersonKsamp } from './anderson.ts';
import { cramerVonMises2samp } from './cramer-von-mises.ts';
import { chiSquare, twoProportionZTest } from './frequency-tests.ts';
import { pairwiseSum, populationStd, sortFloat64 } from './sorted.ts';

describe('distances', () => {
  it('Wasserstein of a shifted sample is the shift; of the same sample 0', () => {
    const a = Float64Array.from({ length: 1000 }, (_, i) => Math.cos(i) * 3);
    const b = a.map((x) => x + 0.75);
    assert.ok(Math.abs(wassersteinDistance(a, b) - 0.75) < 1e-12);
    assert.equal(wassersteinDistance(a, a), 0);
    assert.ok(Math.abs(wassersteinDistance([0, 1, 3], [5, 6, 8]) - 5) < 1e-15);
  });

  it('energy distance: sqrt(2 * E|X-Y| - E|X-X\'| - E|Y-Y\'|) on small samples', () => {
    const x = [0.7, 7.4, 2.4, 6.8];
    const y = [1.4, 8.0, 3.3];
    const mean = (u: number[], v: number[]) => u.flatMap((a) => v.map((b) => Math.abs(a - b))).reduce((s, t) => s + t, 0) / (u.length * v.length);
    const expected = Math.sqrt(2 * mean(x, y) - mean(x, x) - mean(y, y));
    assert.ok(Math.abs(energyDistance(x, y) - expected) < 1e-12);
    assert.ok(Math.abs(energyDistance([0], [2]) - 2) < 1e-15);
  });

  it('Jensen–Shannon: 0 for equal, sqrt(ln 2) for disjoint, normalises its inputs', () => {
    assert.equal(jensenShannonDistance([1, 2, 3], [2, 4, 6]), 0);
    assert.ok(Math.abs(jensenShannonDistance([1, 0], [0, 1]) - Math.sqrt(Math.LN2)) < 1e-15);
  });

  it('KL and PSI are 0 for equal shares and positive otherwise', () => {
    assert.equal(klDivergence([0.2, 0.8], [0.2, 0.8]), 0);
    assert.ok(klDivergence([0.5, 0.5], [0.1, 0.9]) > 0);
    assert.equal(populationStabilityIndex([0.3, 0.7], [0.3, 0.7]), 0);
    const psi = populationStabilityIndex([0.5, 0.5], [0.1, 0.9]);
    assert.ok(Math.abs(psi - (0.4 * Math.log(5) + -0.4 * Math.log(5 / 9))) < 1e-15);
  });
});

describe('tests on samples and counts', () => {
  it('Anderson–Darling caps p at 0.25 for alike samples and floors it at 0.001 for far apart ones', () => {
    const a = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7));
    const b = Float64Array.from({ length: 150 }, (_, i) => Math.sin(i * 2.3));
    assert.deepEqual(andersonKsamp([a, b]).pValue, 0.25);
    const far = andersonKsamp([a, b.map((x) => x + 5)]);
    assert.equal(far.pValue, 0.001);
    assert.equal(far.bound, 'floored');
    const mid = andersonKsamp([a, b.map((x) => x + 0.05)]);
    assert.ok(mid.pValue > 0.001 && mid.pValue < 0.25 && mid.bound === undefined);
  });

  it('Cramér–von Mises exact p-value equals the permutation distribution of T', () => {
    const x = [0.1, 0.8, 1.9];
    const y = [0.5, 2.2, 2.6, 3.1];
    const t = (u: number[], v: number[]) => cramerVonMises2samp(u, v).statistic;
    const observed = t(x, y);
    const pooled = [...x, ...y];
    let extreme = 0;
    let total = 0;
    for (let mask = 0; mask < 1 << 7; mask++) {
      const u = pooled.filter((_, i) => mask & (1 << i));
      if (u.length !== 3) continue;
      const v = pooled.filter((_, i) => !(mask & (1 << i)));
      total++;
      if (t(u, v) >= observed - 1e-12) extreme++;
    }
    const res = cramerVonMises2samp(x, y);
    assert.equal(res.method, 'exact');
    assert.ok(Math.abs(res.pValue - extreme / total) < 1e-12);
  });

  it('chi-squared: Pearson sum; unseen expected category gives p = 0', () => {
    const r = chiSquare([10, 20, 30], [20, 20, 20]);
    assert.equal(r.statistic, 10);
    assert.ok(Math.abs(r.pValue - Math.exp(-5)) < 1e-15);
    assert.equal(chiSquare([5, 5], [10, 0]).pValue, 0);
  });

  it('two-proportion Z-test is symmetric in which category is coded 1', () => {
    const a = twoProportionZTest(30, 100, 45, 120);
    const b = twoProportionZTest(70, 100, 75, 120);
    assert.ok(Math.abs(a.pValue - b.pValue) < 1e-15);
    assert.ok(Math.abs(a.statistic + b.statistic) < 1e-15);
  });
});

describe('sorting and sums', () => {
  it('radix sort orders like a comparison sort, including -0, subnormals and long equal-prefix runs', () => {
    const values = Float64Array.from({ length: 5000 }, (_, i) =>
      i % 5 === 0 ? 1.7e9 + (i % 97) / 7 : i % 5 === 1 ? -Math.exp((i % 50) - 25) : i % 5 === 2 ? i % 13 : Math.sin(i) * 1e-310,
    );
    values[7] = -0;
    values[8] = 0;
    const expected = Float64Array.from(values).sort();
    assert.deepEqual(sortFloat64(Float64Array.from(values)), expected);
  });

  it('pairwise sum and population std', () => {
    const v = Float64Array.from({ length: 1000 }, (_, i) => i);
    assert.equal(pairwiseSum(v), 499500);
    assert.ok(Math.abs(populationStd([1, 2, 3, 4]) - Math.sqrt(1.25)) < 1e-15);
  });
});
