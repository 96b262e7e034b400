import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chi2Sf, kstwoSf, normCdf, smirnovSf } from './special.ts';
import { besselK, cdfCvmInf } from './cramer-von-mises.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Birnbaum–Tingey one-sided formula summed with exact binomials (small n only). */
function smirnovBrute(n: number, x: number): number {
  let s = 0;
  let binom = 1;
  for (let j = 0; j <= Math.floor(n * (1 - x)); j++) {
    if (j > 0) binom = (binom * (n - j + 1)) / j;
    s += binom * Math.pow(1 - x - j / n, n - j) * Math.pow(x + j / n, j - 1);
  }
  return x * s;
}

describe('special functions', () => {
  it('chi2 sf has the closed form exp(-x/2) for 2 degrees of freedom and is 1 at 0', () => {
    for (const x of [0.01, 1, 7.5, 40, 300]) assert.ok(rel(chi2Sf(x, 2), Math.exp(-x / 2)) < 1e-13, `x=${x}`);
    assert.equal(chi2Sf(0, 3), 1);
    assert.equal(chi2Sf(Infinity, 3), 0);
  });

  it('normal cdf is symmetric and 0.5 at 0', () => {
    assert.equal(normCdf(0), 0.5);
    for (const x of [0.3, 1.96, 5]) assert.ok(Math.abs(normCdf(x) + normCdf(-x) - 1) < 1e-15);
    assert.ok(rel(normCdf(1.959963984540054), 0.975) < 1e-14);
  });

  it('smirnov sf equals the Birnbaum–Tingey sum', () => {
    for (const [n, x] of [[10, 0.3], [25, 0.12], [60, 0.25]]) assert.ok(rel(smirnovSf(n, x), smirnovBrute(n, x)) < 1e-12, `n=${n} x=${x}`);
  });

  it('kstwo sf: n = 1 closed form, Ruben–Gambino edges, continuity across algorithm switches', () => {
    assert.equal(kstwoSf(1, 0.4), 1);
    assert.ok(rel(kstwoSf(1, 0.8), 2 * 0.2) < 1e-15);
    // x >= 1 - 1/n region: 2 (1 - x)^n
    assert.ok(rel(kstwoSf(10, 0.95), 2 * 0.05 ** 10) < 1e-12);
    // Durbin matrix vs Pomeranz at nx^2 = 0.754693 (n <= 140): both exact, so they must agree at the seam
    const n = 100;
    const x = Math.sqrt(0.754693 / n);
    assert.ok(rel(kstwoSf(n, x * (1 - 1e-9)), kstwoSf(n, x * (1 + 1e-9))) < 1e-7);
    // Pomeranz vs 2*smirnov at nx^2 = 4
    const x2 = Math.sqrt(4 / n);
    assert.ok(rel(kstwoSf(n, x2 * (1 - 1e-9)), kstwoSf(n, x2 * (1 + 1e-9))) < 1e-6);
    // large n approaches the Kolmogorov limit: P(K > 1) = 0.26999967167735456
    assert.ok(Math.abs(kstwoSf(1_000_000, 1 / 1000) - 0.26999967167735456) < 1e-3);
  });

  it('Bessel K has the closed form for order 1/2, and the CvM limit cdf is increasing in [0, 1]', () => {
    for (const x of [0.001, 0.5, 3, 40]) {
      assert.ok(rel(besselK(0.5, x), Math.sqrt(Math.PI / (2 * x)) * Math.exp(-x)) < 1e-13, `x=${x}`);
    }
    let prev = 0;
    for (const t of [0.02, 0.1, 0.3, 0.6, 1.2, 2]) {
      const c = cdfCvmInf(t);
      assert.ok(c > prev && c <= 1);
      prev = c;
    }
  });
});
