/**
 * Frequencies for the binned tests (PSI, KL, Jensen–Shannon), exactly as Evidently's get_binned_data:
 * - numerical columns whose REFERENCE has more than 20 distinct values: equal-width edges by numpy's
 *   Sturges rule over reference+current pooled, np.histogram counts on each side;
 * - otherwise one bin per distinct value seen on either side;
 * shares are count / side size. With `fillZeroes` (PSI, KL; not JS) each side's empty bins get
 * min(non-zero share)/1e6 when that minimum is <= 1e-4, else 1e-4, so logarithms stay finite.
 */
export interface BinnedShares {
  reference: Float64Array;
  current: Float64Array;
}

/** np.histogram_bin_edges(values, bins='sturges') for a sorted, finite, non-empty sample. */
export function sturgesEdges(sorted: Float64Array): number[] {
  let first = sorted[0];
  let last = sorted[sorted.length - 1];
  const ptp = last - first;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = ptp / (Math.log2(sorted.length) + 1);
  const nBins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, nBins + 1);
}

/** np.linspace(start, stop, num) with endpoint: i * step + start, last point exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const step = (stop - start) / div;
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) out[i] = step === 0 ? ((i / div) * (stop - start)) + start : i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** np.histogram(sorted, edges)[0]: half-open bins, the last one closed. */
export function histogramCounts(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const below = (x: number, inclusive: boolean) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (inclusive ? sorted[mid] <= x : sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let prev = below(edges[0], false);
  for (let i = 0; i < counts.length; i++) {
    const next = i === counts.length - 1 ? below(edges[i + 1], true) : below(edges[i + 1], false);
    counts[i] = next - prev;
    prev = next;
  }
  return counts;
}

/** Evidently's zero filling for one side's shares. */
export function fillZeroes(shares: Float64Array): void {
  let min = Infinity;
  let hasZero = false;
  for (const s of shares) {
    if (s === 0) hasZero = true;
    else if (s < min) min = s;
  }
  if (!hasZero || min === Infinity) return;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}

/** Binned shares of two sorted numerical samples (Evidently's numerical branch). */
export function numericalShares(
  reference: Float64Array,
  current: Float64Array,
  referenceDistinct: number,
  zeroFill: boolean,
): BinnedShares {
  if (referenceDistinct > 20) {
    const pooled = mergeSorted(reference, current);
    const edges = sturgesEdges(pooled);
    const r = Float64Array.from(histogramCounts(reference, edges), (c) => c / reference.length);
    const c = Float64Array.from(histogramCounts(current, edges), (x) => x / current.length);
    if (zeroFill) {
      fillZeroes(r);
      fillZeroes(c);
    }
    return { reference: r, current: c };
  }
  return categoryShares(countSorted(reference), countSorted(current), reference.length, current.length, zeroFill);
}

/** Counts per distinct value of a sorted sample, keyed like category labels. */
export function countSorted(sorted: Float64Array): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < sorted.length; ) {
    let e = i;
    while (e < sorted.length && sorted[e] === sorted[i]) e++;
    counts.set(String(sorted[i]), e - i);
    i = e;
  }
  return counts;
}

/** Shares over the union of categories seen on either side (Evidently's categorical branch). */
export function categoryShares(
  reference: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
  referenceSize: number,
  currentSize: number,
  zeroFill: boolean,
): BinnedShares {
  const keys = unionKeys(reference, current);
  const r = Float64Array.from(keys, (k) => (reference.get(k) ?? 0) / referenceSize);
  const c = Float64Array.from(keys, (k) => (current.get(k) ?? 0) / currentSize);
  if (zeroFill) {
    fillZeroes(r);
    fillZeroes(c);
  }
  return { reference: r, current: c };
}

export function unionKeys(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string[] {
  const keys = [...a.keys()];
  for (const k of b.keys()) if (!a.has(k)) keys.push(k);
  return keys;
}

/** Merge of two sorted samples. */
export function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
