/**
 * Isotonic (monotone increasing) regression as scikit-learn's `IsotonicRegression(out_of_bounds='clip')`
 * fits and predicts it: tied x values are merged into their weighted mean, pool-adjacent-violators
 * gives the step values, and prediction interpolates linearly between the fitted points, clipping
 * outside the fitted range. NannyML's CBPE calibrates with exactly this.
 */
export class IsotonicRegression {
  private constructor(
    private readonly xs: number[],
    private readonly ys: number[],
  ) {}

  static fit(x: ArrayLike<number>, y: ArrayLike<number>): IsotonicRegression {
    if (x.length !== y.length) throw new Error(`length mismatch: ${x.length} x vs ${y.length} y`);
    if (x.length === 0) throw new Error('cannot fit an isotonic regression on no samples');
    const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b]);
    // Merge ties in x.
    const ux: number[] = [];
    const uy: number[] = [];
    const uw: number[] = [];
    for (const i of order) {
      const last = ux.length - 1;
      if (last >= 0 && ux[last] === x[i]) {
        uy[last] += y[i];
        uw[last] += 1;
      } else {
        ux.push(x[i]);
        uy.push(y[i]);
        uw.push(1);
      }
    }
    for (let i = 0; i < uy.length; i++) uy[i] /= uw[i];
    // Pool adjacent violators over blocks.
    const bv: number[] = [];
    const bw: number[] = [];
    const bn: number[] = [];
    for (let i = 0; i < uy.length; i++) {
      bv.push(uy[i]);
      bw.push(uw[i]);
      bn.push(1);
      while (bv.length > 1 && bv[bv.length - 2] >= bv[bv.length - 1]) {
        const v2 = bv.pop()!;
        const w2 = bw.pop()!;
        const n2 = bn.pop()!;
        const k = bv.length - 1;
        bv[k] = (bv[k] * bw[k] + v2 * w2) / (bw[k] + w2);
        bw[k] += w2;
        bn[k] += n2;
      }
    }
    const fitted: number[] = [];
    bv.forEach((v, k) => {
      for (let j = 0; j < bn[k]; j++) fitted.push(v);
    });
    return new IsotonicRegression(ux, fitted);
  }

  predict(x: number): number {
    const { xs, ys } = this;
    if (x <= xs[0]) return ys[0];
    if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
    let lo = 0;
    let hi = xs.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= x) lo = mid;
      else hi = mid;
    }
    return ys[lo] + ((ys[hi] - ys[lo]) * (x - xs[lo])) / (xs[hi] - xs[lo]);
  }
}
