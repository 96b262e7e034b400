/** Helpers over finite numeric samples; every statistic sorts once and walks merged orders. */

/** A sorted copy (Float64Array sorts numerically, unlike Array.prototype.sort). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values as ArrayLike<number>);
  out.sort();
  return out;
}

/** Sum in pairwise blocks, as numpy's np.sum does, so large sums round like scipy's. */
export function pairwiseSum(values: ArrayLike<number>, start = 0, end = values.length): number {
  const n = end - start;
  if (n < 8) {
    let s = 0;
    for (let i = start; i < end; i++) s += values[i];
    return s;
  }
  if (n <= 128) {
    // numpy unrolls by 8 accumulators below its block size
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    let i = start;
    for (; i + 8 <= end; i += 8) for (let k = 0; k < 8; k++) r[k] += values[i + k];
    let s = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < end; i++) s += values[i];
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(values, start, start + half) + pairwiseSum(values, start + half, end);
}

export function mean(values: ArrayLike<number>): number {
  return pairwiseSum(values) / values.length;
}

/** Population standard deviation (numpy np.std, ddof=0, two-pass). */
export function populationStd(values: ArrayLike<number>): number {
  const m = mean(values);
  const sq = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - m;
    sq[i] = d * d;
  }
  return Math.sqrt(pairwiseSum(sq) / values.length);
}
