/**
 * Population stability index with bins cut at reference quantiles, the usual credit-risk recipe
 * (Evidently's own PSI bins by Sturges over both samples instead: see drift/binning.ts, used when
 * the report runs in Evidently-compatible mode, the default).
 *
 * Bins: interior edges at the reference quantiles k/bins (numpy 'linear' interpolation), duplicates
 * removed (so heavily tied data gets fewer bins), outer bins open to ±∞ so current values outside the
 * reference range still count. Empty bins: a share of 0 on either side is replaced by `epsilon`
 * (default 1e-4, Evidently's floor) before the logarithm, so PSI stays finite; the replaced count
 * is reported.
 */
import { pairwiseSum, sortedCopy } from './sorted.ts';

export interface QuantilePsiOptions {
  /** Number of reference-quantile bins (default 10). */
  bins?: number;
  /** Share substituted for an empty bin (default 1e-4). */
  epsilon?: number;
  /** Set when the inputs are already sorted ascending (saves two sorts). */
  sorted?: boolean;
}

export interface QuantilePsiResult {
  psi: number;
  /** Interior edges actually used (after removing duplicate quantiles). */
  edges: number[];
  reference: number[];
  current: number[];
  /** Bins whose share was 0 on at least one side and got epsilon. */
  emptyBins: number;
}

/** np.quantile(sorted, q) with the default 'linear' method. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const frac = pos - lo;
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

export function quantilePsi(reference: ArrayLike<number>, current: ArrayLike<number>, options: QuantilePsiOptions = {}): QuantilePsiResult {
  const bins = options.bins ?? 10;
  const epsilon = options.epsilon ?? 1e-4;
  if (!(Number.isInteger(bins) && bins >= 2)) throw new RangeError(`bins must be an integer >= 2, got ${bins}`);
  if (!(epsilon > 0)) throw new RangeError(`epsilon must be positive, got ${epsilon}`);
  const r = options.sorted ? (reference as Float64Array) : sortedCopy(reference);
  const c = options.sorted ? (current as Float64Array) : sortedCopy(current);
  if (r.length === 0 || c.length === 0) throw new RangeError('quantilePsi needs two non-empty samples');
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantileSorted(r, k / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const refCounts = countBelowEdges(r, edges);
  const curCounts = countBelowEdges(c, edges);
  let emptyBins = 0;
  const terms = new Float64Array(refCounts.length);
  for (let i = 0; i < refCounts.length; i++) {
    let p = refCounts[i] / r.length;
    let q = curCounts[i] / c.length;
    if (p === 0 || q === 0) emptyBins++;
    if (p === 0) p = epsilon;
    if (q === 0) q = epsilon;
    terms[i] = (p - q) * Math.log(p / q);
  }
  return { psi: pairwiseSum(terms), edges, reference: refCounts, current: curCounts, emptyBins };
}

/** Counts in (-∞, e0), [e0, e1), ..., [e_last, ∞) for a sorted sample. */
function countBelowEdges(sorted: Float64Array, edges: number[]): number[] {
  const counts: number[] = [];
  let prev = 0;
  for (const e of edges) {
    let lo = prev;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < e) lo = mid + 1;
      else hi = mid;
    }
    counts.push(lo - prev);
    prev = lo;
  }
  counts.push(sorted.length - prev);
  return counts;
}

/**
 * PSI over category counts (union of categories; a category missing on one side gets `epsilon`).
 */
export function categoricalPsi(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>, epsilon = 1e-4): number {
  let nr = 0;
  let nc = 0;
  for (const v of reference.values()) nr += v;
  for (const v of current.values()) nc += v;
  const keys = new Set([...reference.keys(), ...current.keys()]);
  const terms: number[] = [];
  for (const k of keys) {
    const p = (reference.get(k) ?? 0) / nr || epsilon;
    const q = (current.get(k) ?? 0) / nc || epsilon;
    terms.push((p - q) * Math.log(p / q));
  }
  return pairwiseSum(terms);
}
