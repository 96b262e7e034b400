import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categoricalPsi, quantilePsi, quantileSorted } from './psi.ts';

describe('quantile-binned PSI', () => {
  it('quantiles interpolate linearly like numpy', () => {
    assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantileSorted([1, 2, 3, 4], 1 / 3), 2);
  });

  it('deciles of the reference hold 10% each; same distribution gives PSI near 0', () => {
    const ref = Float64Array.from({ length: 1000 }, (_, i) => i);
    const res = quantilePsi(ref, ref);
    assert.equal(res.edges.length, 9);
    assert.deepEqual(res.reference, new Array(10).fill(100));
    assert.equal(res.psi, 0);
  });

  it('current values beyond the reference range land in the open outer bins; empty bins use epsilon', () => {
    const ref = Float64Array.from({ length: 100 }, (_, i) => i);
    const cur = Float64Array.from({ length: 50 }, (_, i) => 1000 + i);
    const res = quantilePsi(ref, cur, { bins: 4, epsilon: 1e-3 });
    assert.deepEqual(res.current, [0, 0, 0, 50]);
    assert.equal(res.emptyBins, 3);
    const expected = 3 * (0.25 - 1e-3) * Math.log(0.25 / 1e-3) + (0.25 - 1) * Math.log(0.25);
    assert.ok(Math.abs(res.psi - expected) < 1e-12);
  });

  it('tied reference quantiles are merged into fewer bins', () => {
    const ref = Float64Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : i));
    assert.ok(quantilePsi(ref, ref, { bins: 10 }).edges.length < 9);
    assert.throws(() => quantilePsi(ref, ref, { bins: 1 }), RangeError);
  });

  it('categorical PSI over the union of categories', () => {
    const r = new Map([['a', 50], ['b', 50]]);
    const c = new Map([['a', 50], ['c', 50]]);
    const psi = categoricalPsi(r, c);
    const expected = (0.5 - 1e-4) * Math.log(0.5 / 1e-4) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5);
    assert.ok(Math.abs(psi - expected) < 1e-12);
  });
});
