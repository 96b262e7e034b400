/**
 * Distances between two samples or two frequency vectors, each matching the scipy function named.
 */
import { pairwiseSum, sortedCopy } from './sorted.ts';

/** The per-position terms buffer, kept between calls for pooled sizes up to 2^19 (4 MB). */
let termsScratch: Float64Array | undefined;
function termsBuffer(n: number): Float64Array {
  if (termsScratch && termsScratch.length >= n) return termsScratch.subarray(0, n);
  const buffer = new Float64Array(n);
  if (n <= 1 << 19) termsScratch = buffer;
  return buffer;
}

/**
 * ∫|F_u - F_v|^p over the pooled support, as scipy's _cdf_distance (p = 1: Wasserstein, p = 2: energy).
 * Inputs must be sorted.
 */
function cdfDistance(p: 1 | 2, u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  const total = nu + nv;
  // One term per pooled position k < total - 1, as numpy's diff of the merged sort:
  // |F_u(x_k) - F_v(x_k)|^p (x_{k+1} - x_k). Where x_{k+1} > x_k, the right-continuous counts at x_k
  // are exactly the elements merged so far; inside a tie group the width, hence the term, is 0.
  const terms = termsBuffer(total - 1); // every entry is written below
  let i = 0;
  let j = 0;
  let left = j >= nv || (i < nu && u[i] <= v[j]) ? u[i++] : v[j++];
  for (let k = 0; k < total - 1; k++) {
    const diff = i / nu - j / nv;
    const right = j >= nv || (i < nu && u[i] <= v[j]) ? u[i++] : v[j++];
    terms[k] = (p === 1 ? Math.abs(diff) : diff * diff) * (right - left);
    left = right;
  }
  const s = pairwiseSum(terms);
  return p === 1 ? s : Math.sqrt(s);
}

/** scipy.stats.wasserstein_distance(u, v) (1-D, unweighted). */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>, sorted = false): number {
  return cdfDistance(1, sorted ? (u as Float64Array) : sortedCopy(u), sorted ? (v as Float64Array) : sortedCopy(v));
}

/** scipy.stats.energy_distance(u, v) (1-D, unweighted) = sqrt(2) * L2 distance of the ECDFs. */
export function energyDistance(u: ArrayLike<number>, v: ArrayLike<number>, sorted = false): number {
  return (
    Math.SQRT2 * cdfDistance(2, sorted ? (u as Float64Array) : sortedCopy(u), sorted ? (v as Float64Array) : sortedCopy(v))
  );
}

/** scipy.special.rel_entr. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** scipy.spatial.distance.jensenshannon(p, q) with the natural log (both vectors normalised first). */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const sp = pairwiseSum(p);
  const sq = pairwiseSum(q);
  const left = new Float64Array(p.length);
  const right = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const m = (pi + qi) / 2;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  const js = pairwiseSum(left) + pairwiseSum(right);
  return Math.sqrt(js / 2);
}

/** scipy.stats.entropy(p, q): Kullback–Leibler divergence of the normalised vectors, natural log. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const sp = pairwiseSum(p);
  const sq = pairwiseSum(q);
  const terms = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) terms[i] = relEntr(p[i] / sp, q[i] / sq);
  return pairwiseSum(terms);
}

/** Population stability index Σ (r - c) ln(r / c) over bins (shares must already be zero-filled). */
export function populationStabilityIndex(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const terms = new Float64Array(reference.length);
  for (let i = 0; i < reference.length; i++) {
    terms[i] = (reference[i] - current[i]) * Math.log(reference[i] / current[i]);
  }
  return pairwiseSum(terms);
}
