/**
 * Drift from mergeable summaries, for windows too large to hold: the same per-column methods, choices,
 * thresholds and verdicts as `driftReport` (Evidently 0.7 semantics), computed from a distribution
 * that is either exact (a sorted array, e.g. the reference in memory) or a KLL sketch plus exact
 * moments (a summarised window), and each score returned with an interval that holds whenever the
 * sketch's rank guarantee holds.
 *
 * Error model. A KLL sketch of parameter k answers every CDF value F(x), at all x at once, within
 * `allRanksError(k)` = 2.446 / k^0.9433 of the truth with probability 99% (Apache DataSketches'
 * "double-sided"/PMF normalized rank error for the same compactor schedule; the single-query figure
 * 2.296 / k^0.9723 in `KllSketch` is for one rank at a time and is too optimistic for statistics that
 * read many ranks). Every histogram bin mass is then also within that figure (DataSketches' PMF bound).
 * From that band, per method:
 *   - KS D (max |F_r − F_c|): within εr + εc; the score (p-value) interval is kstwo.sf at D ± that.
 *   - Wasserstein (∫|F_r − F_c| dx / std_ref): computed on the merged step functions; the interval
 *     integrates the smallest and largest |a − b| over the two bands (≤ (εr + εc)·(max − min)/std).
 *   - PSI / Jensen–Shannon / KL on Evidently's Sturges bins (edges come from the exact min, max and
 *     counts, so they are the exact report's edges): each bin share within ε of the truth; every
 *     PSI and JS term is convex, zero on the diagonal and monotone away from it, so its range over the
 *     box of possible shares is found at the box corners; summing the term ranges bounds the statistic.
 *   - chi-squared, Z, G-test, Hellinger on categories: the counts are exact (CategoryCounts), so the
 *     score is exact while no column overflowed its category cap (then the overflow is one "other" bin).
 *   - t-test: exact up to rounding (Welford/Chan moments).
 * Methods that need every value (Anderson–Darling, Cramér–von Mises, energy distance, Mann–Whitney,
 * Fisher) are skipped with a message on the sketch path.
 */
import { tCdf } from '../stats/stdlib.ts';
import { KllSketch } from '../sketch/kll-sketch.ts';
import type { CategoryCounts } from '../sketch/category-counts.ts';
import type { NumericMoments } from '../sketch/moments.ts';
import { jensenShannonDistance, klDivergence, populationStabilityIndex } from '../stats/distances.ts';
import { chiSquare, twoProportionZTest } from '../stats/frequency-tests.ts';
import { gTest } from '../stats/rank-tests.ts';
import { kstwoSf } from '../stats/special.ts';
import { populationStd } from '../stats/sorted.ts';
import { categoryShares, fillZeroes, linspace, unionKeys } from './binning.ts';
import { DRIFT_METHODS, defaultMethod, exceeds } from './methods.ts';
import type { ColumnDrift, DriftColumnType, DriftMethodName, DriftOptions } from './types.ts';

/** 99%-confidence bound on |F̂(x) − F(x)| holding for every x at once (DataSketches' PMF/CDF error). */
export function allRanksError(k: number): number {
  return 2.446 / Math.pow(k, 0.9433);
}

/** Distinct values tracked exactly per numerical column: enough to decide Evidently's "> 5" and "> 20" rules. */
export const DISTINCT_PROBE = 32;

/** A numerical column's distribution: a weighted step CDF, exact or sketched. */
export interface NumericSide {
  readonly kind: 'numerical';
  /** Finite values summarised. */
  readonly count: number;
  /** Missing or infinite values dropped. */
  readonly missing: number;
  /** Sorted support points and their cumulative weights (cumulative[last] = totalWeight). */
  readonly values: Float64Array;
  readonly cumulative: Float64Array;
  readonly totalWeight: number;
  /** Bound on |F̂ − F| everywhere (0 when exact). */
  readonly rankError: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Sample variance (n − 1). */
  readonly variance: number;
  readonly populationStd: number;
  /** Exact counts per value (keys as String(number)) when the column has at most DISTINCT_PROBE values, else null. */
  readonly valueCounts: ReadonlyMap<string, number> | null;
}

export interface CategoricalSide {
  readonly kind: 'categorical';
  readonly counts: ReadonlyMap<string, number>;
  readonly count: number;
  readonly missing: number;
  /** Occurrences not attributed to a tracked category (category cap overflow); 0 = exact counts. */
  readonly overflow: number;
}

export type DistributionSide = NumericSide | CategoricalSide;

/** An exact numerical side from raw values (NaN/±Infinity dropped as missing). */
export function exactNumericSide(raw: ArrayLike<number>): NumericSide {
  const finite: number[] = [];
  for (let i = 0; i < raw.length; i++) if (Number.isFinite(raw[i])) finite.push(raw[i]);
  const values = Float64Array.from(finite).sort();
  const n = values.length;
  const cumulative = new Float64Array(n);
  for (let i = 0; i < n; i++) cumulative[i] = i + 1;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = n ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  let valueCounts: Map<string, number> | null = new Map();
  for (let i = 0; i < n && valueCounts; ) {
    let e = i;
    while (e < n && values[e] === values[i]) e++;
    valueCounts.set(String(values[i]), e - i);
    if (valueCounts.size > DISTINCT_PROBE) valueCounts = null;
    i = e;
  }
  return {
    kind: 'numerical', count: n, missing: raw.length - n, values, cumulative, totalWeight: n, rankError: 0,
    min: n ? values[0] : NaN, max: n ? values[n - 1] : NaN, mean, variance: n > 1 ? ss / (n - 1) : NaN,
    populationStd: n ? populationStd(values) : NaN, valueCounts,
  };
}

/** A sketched numerical side: KLL for the CDF, moments for count/mean/variance, a capped probe for few-valued columns. */
export function sketchNumericSide(sketch: KllSketch, moments: NumericMoments, probe: CategoryCounts | null): NumericSide {
  const { values, cumulative } = sketch.view();
  const running = cumulative.length ? cumulative[cumulative.length - 1] : 0;
  const n = moments.count;
  return {
    kind: 'numerical', count: n, missing: moments.missing + moments.infinite, values, cumulative, totalWeight: running,
    rankError: allRanksError(sketch.k), min: moments.min, max: moments.max, mean: moments.mean, variance: moments.variance,
    populationStd: n ? Math.sqrt(moments.m2 / n) : NaN,
    valueCounts: probe && !probe.overflowed ? new Map(probe.entries()) : null,
  };
}

export function exactCategoricalSide(values: ReadonlyArray<string | null | undefined>): CategoricalSide {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null || v === undefined) missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return { kind: 'categorical', counts, count: values.length - missing, missing, overflow: 0 };
}

export function countsCategoricalSide(c: CategoryCounts): CategoricalSide {
  const counts = new Map(c.entries());
  if (c.otherCount > 0) counts.set('(other)', c.otherCount);
  return { kind: 'categorical', counts, count: c.total, missing: c.missing, overflow: c.otherCount };
}

/** A column's drift with the interval its score is known to lie in (equal ends when exact). */
export interface SketchColumnDrift extends ColumnDrift {
  /** [low, high] for the score, valid with 99% confidence per sketch involved. */
  readonly scoreInterval: [number, number];
  /** Largest distance from the score to an end of its interval. */
  readonly uncertainty: number;
  /** Both ends of the interval give the same verdict. */
  readonly verdictCertain: boolean;
}

export interface SketchDriftReport {
  readonly columns: SketchColumnDrift[];
  readonly nColumns: number;
  readonly nDrifted: number;
  readonly shareDrifted: number;
  readonly drifted: boolean;
  readonly driftShare: number;
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly approximate: true;
}

/** F(x) = share of weight at values <= x. */
function cdfAt(side: NumericSide, x: number): number {
  const { values, cumulative } = side;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : cumulative[lo - 1] / side.totalWeight;
}

/** Weight strictly below x. */
function weightBelow(side: NumericSide, x: number): number {
  const { values, cumulative } = side;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : cumulative[lo - 1];
}

/** The band the true CDF lies in at x: exactly 0 below the minimum and 1 from the maximum on. */
function band(side: NumericSide, estimate: number, x: number): [number, number] {
  if (x < side.min) return [0, 0];
  if (x >= side.max) return [1, 1];
  return [Math.max(0, estimate - side.rankError), Math.min(1, estimate + side.rankError)];
}

/** Walks the merged support of both sides, calling back with the CDFs at each point and the gap to the next. */
function walk(r: NumericSide, c: NumericSide, visit: (fr: number, fc: number, x: number, dx: number) => void): void {
  const a = r.values;
  const b = c.values;
  let i = 0;
  let j = 0;
  let prev: number | undefined;
  let prevR = 0;
  let prevC = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    while (i < a.length && a[i] <= v) i++;
    while (j < b.length && b[j] <= v) j++;
    if (prev !== undefined) visit(prevR, prevC, prev, v - prev);
    prevR = i === 0 ? 0 : r.cumulative[i - 1] / r.totalWeight;
    prevC = j === 0 ? 0 : c.cumulative[j - 1] / c.totalWeight;
    prev = v;
  }
  if (prev !== undefined) visit(prevR, prevC, prev, 0);
}

const gapRange = (ar: [number, number], bc: [number, number]): [number, number] => [
  Math.max(0, ar[0] - bc[1], bc[0] - ar[1]),
  Math.max(ar[1] - bc[0], bc[1] - ar[0]),
];

/** scipy.stats.wasserstein_distance on the two step CDFs, with its interval over the bands. */
export function sketchWasserstein(r: NumericSide, c: NumericSide): { value: number; low: number; high: number } {
  let value = 0;
  let low = 0;
  let high = 0;
  walk(r, c, (fr, fc, x, dx) => {
    if (dx === 0) return;
    value += Math.abs(fr - fc) * dx;
    const [lo, hi] = gapRange(band(r, fr, x), band(c, fc, x));
    low += lo * dx;
    high += hi * dx;
  });
  return { value, low, high };
}

/** Two-sided KS statistic D with its interval. */
export function sketchKsStatistic(r: NumericSide, c: NumericSide): { value: number; low: number; high: number } {
  let value = 0;
  let low = 0;
  let high = 0;
  walk(r, c, (fr, fc, x) => {
    value = Math.max(value, Math.abs(fr - fc));
    const [lo, hi] = gapRange(band(r, fr, x), band(c, fc, x));
    low = Math.max(low, lo);
    high = Math.max(high, hi);
  });
  return { value, low, high };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Bin shares on numpy.histogram edges ([a, b), last bin closed), from the step CDF. */
function binShares(side: NumericSide, edges: readonly number[]): Float64Array {
  const out = new Float64Array(edges.length - 1);
  let prev = weightBelow(side, edges[0]);
  for (let i = 0; i < out.length; i++) {
    const last = i === out.length - 1;
    const next = last ? cdfAt(side, edges[i + 1]) * side.totalWeight : weightBelow(side, edges[i + 1]);
    out[i] = (next - prev) / side.totalWeight;
    prev = next;
  }
  return out;
}

/** np.histogram_bin_edges(pooled, 'sturges') from the pooled count, min and max (all exact in a summary). */
function sturgesEdgesFrom(n: number, first: number, last: number): number[] {
  const ptp = last - first;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = ptp / (Math.log2(n) + 1);
  const nBins = width ? Math.ceil((last - first) / width) : 1;
  return linspace(first, last, nBins + 1);
}

type Term = (r: number, c: number) => number;
const psiTerm: Term = (r, c) => (r - c) * Math.log(r / c);
const xlogx = (a: number, m: number) => (a === 0 ? 0 : a * Math.log(a / m));
const jsTerm: Term = (r, c) => (xlogx(r, (r + c) / 2) + xlogx(c, (r + c) / 2)) / 2;

/**
 * Range of Σ term(r_i, c_i) when each share can be off by its side's error. Each term is convex, zero
 * where r = c and monotone away from it: its maximum over the box is a corner, its minimum is 0 when the
 * boxes overlap, else the pair of nearest corners.
 */
function termRange(term: Term, r: Float64Array, c: Float64Array, er: number, ec: number, floorR: number, floorC: number): [number, number] {
  let low = 0;
  let high = 0;
  for (let i = 0; i < r.length; i++) {
    const rl = Math.max(floorR, r[i] - er);
    const rh = Math.min(1, r[i] + er);
    const cl = Math.max(floorC, c[i] - ec);
    const ch = Math.min(1, c[i] + ec);
    high += Math.max(term(rl, cl), term(rl, ch), term(rh, cl), term(rh, ch));
    if (rl > ch) low += term(rl, ch);
    else if (cl > rh) low += term(rh, cl);
  }
  return [low, high];
}

interface Outcome {
  score: number;
  statistic: number | null;
  pValue?: number;
  interval: [number, number];
  note?: string;
}

class SketchMethodError extends Error {}

function binnedOutcome(
  method: 'psi' | 'jensenshannon' | 'kl_div', r: Float64Array, c: Float64Array, er: number, ec: number, counts: [number, number], note?: string,
): Outcome {
  const zeroFill = method !== 'jensenshannon';
  // The smallest share the exact computation can put in a bin: a true share is 0 (filled with at least
  // (1/n)/1e6, the smallest non-zero share over 1e6) or at least 1/n. Sketched tails need it: KLL keeps
  // the extremes only as min/max, so a sparse tail bin can read 0 and be filled with Evidently's 1e-4.
  const floorR = zeroFill ? 1 / (counts[0] * 1e6) : 0;
  const floorC = zeroFill ? 1 / (counts[1] * 1e6) : 0;
  const rf = Float64Array.from(r);
  const cf = Float64Array.from(c);
  if (zeroFill) {
    fillZeroes(rf);
    fillZeroes(cf);
  }
  if (method === 'psi') {
    const score = populationStabilityIndex(rf, cf);
    const [lo, hi] = er || ec ? termRange(psiTerm, rf, cf, er, ec, er ? floorR : rf.reduce((a, b) => Math.min(a, b), 1), ec ? floorC : cf.reduce((a, b) => Math.min(a, b), 1)) : [score, score];
    return { score, statistic: score, interval: [Math.min(lo, score), Math.max(hi, score)], note };
  }
  if (method === 'jensenshannon') {
    const score = jensenShannonDistance(rf, cf);
    const [lo, hi] = er || ec ? termRange(jsTerm, rf, cf, er, ec, 0, 0) : [score * score, score * score];
    return { score, statistic: score, interval: [Math.min(Math.sqrt(lo), score), Math.max(Math.sqrt(hi), score)], note };
  }
  const score = klDivergence(rf, cf);
  if (!er && !ec) return { score, statistic: score, interval: [score, score], note };
  // r ln(r/c): decreasing in c, convex in r with its minimum at r = c/e; maximum at a corner.
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < rf.length; i++) {
    const rl = er ? Math.max(floorR, rf[i] - er) : rf[i];
    const rh = Math.min(1, rf[i] + er);
    const cl = ec ? Math.max(floorC, cf[i] - ec) : cf[i];
    const ch = Math.min(1, cf[i] + ec);
    const t = (a: number, b: number) => a * Math.log(a / b);
    hi += Math.max(t(rl, cl), t(rh, cl));
    lo += t(Math.min(Math.max(ch / Math.E, rl), rh), ch);
  }
  return { score, statistic: score, interval: [Math.min(lo, score), Math.max(hi, score)], note: `${note ? note + '; ' : ''}KL interval ignores renormalisation` };
}

function countsOf(side: DistributionSide): ReadonlyMap<string, number> {
  if (side.kind === 'categorical') return side.counts;
  if (side.valueCounts) return side.valueCounts;
  throw new SketchMethodError('more distinct values than the summary counts exactly');
}

function runSketchMethod(method: DriftMethodName, type: DriftColumnType, ref: DistributionSide, cur: DistributionSide): Outcome {
  const numeric = type === 'numerical' && ref.kind === 'numerical' && cur.kind === 'numerical';
  const exactOf = (score: number, statistic: number | null, pValue?: number, note?: string): Outcome => ({ score, statistic, pValue, interval: [score, score], note });
  switch (method) {
    case 'wasserstein': {
      if (!numeric) throw new SketchMethodError('Wasserstein distance needs numerical values on both sides');
      const norm = Math.max(ref.populationStd, 0.001);
      const w = sketchWasserstein(ref, cur);
      return { score: w.value / norm, statistic: w.value, interval: [w.low / norm, w.high / norm] };
    }
    case 'ks': {
      if (!numeric) throw new SketchMethodError('KS needs numerical values on both sides');
      const d = sketchKsStatistic(ref, cur);
      const [m, n] = ref.count >= cur.count ? [ref.count, cur.count] : [cur.count, ref.count];
      const en = roundHalfEven((m * n) / (m + n));
      const p = (x: number) => Math.min(Math.max(kstwoSf(en, x), 0), 1);
      return { score: p(d.value), statistic: d.value, pValue: p(d.value), interval: [p(d.high), p(d.low)], note: 'asymptotic p-value' };
    }
    case 't_test': {
      if (!numeric) throw new SketchMethodError('t-test needs numerical values on both sides');
      if (ref.count < 2 || cur.count < 2) throw new SketchMethodError('t-test needs at least two values on each side');
      const df = ref.count + cur.count - 2;
      const svar = ((ref.count - 1) * ref.variance + (cur.count - 1) * cur.variance) / df;
      const t = (ref.mean - cur.mean) / Math.sqrt(svar * (1 / ref.count + 1 / cur.count));
      const p = Number.isNaN(t) ? NaN : Math.min(1, 2 * tCdf(-Math.abs(t), df));
      return exactOf(p, t, p);
    }
    case 'psi':
    case 'jensenshannon':
    case 'kl_div': {
      if (numeric && ref.valueCounts === null) {
        const edges = sturgesEdgesFrom(ref.count + cur.count, Math.min(ref.min, cur.min), Math.max(ref.max, cur.max));
        return binnedOutcome(method, binShares(ref, edges), binShares(cur, edges), ref.rankError, cur.rankError, [ref.count, cur.count]);
      }
      if (numeric && cur.valueCounts === null) {
        // few values in the reference, many in the current window: per reference value from the CDF, the rest in one bin
        const keys = [...ref.valueCounts!.keys()];
        const r = Float64Array.from(keys, (k) => ref.valueCounts!.get(k)! / ref.count);
        const c = Float64Array.from(keys, (k) => cdfAt(cur, Number(k)) - weightBelow(cur, Number(k)) / cur.totalWeight);
        const rest = Math.max(0, 1 - c.reduce((a, b) => a + b, 0));
        return binnedOutcome(method, Float64Array.from([...r, 0]), Float64Array.from([...c, rest]), 0, cur.rankError, [ref.count, cur.count], 'current values absent from the reference pooled in one bin');
      }
      const rc = countsOf(ref);
      const cc = countsOf(cur);
      const shares = categoryShares(rc, cc, ref.count, cur.count, false);
      return binnedOutcome(method, shares.reference, shares.current, 0, 0, [ref.count, cur.count]);
    }
    case 'chisquare': {
      const rc = countsOf(ref);
      const cc = countsOf(cur);
      const keys = unionKeys(rc, cc);
      if (keys.length < 2) return exactOf(1, 0, 1, 'a single category on both sides: no test possible, no drift');
      const k = cur.count / ref.count;
      const res = chiSquare(keys.map((key) => cc.get(key) ?? 0), keys.map((key) => (rc.get(key) ?? 0) * k));
      return exactOf(res.pValue, res.statistic, res.pValue);
    }
    case 'g_test': {
      const rc = countsOf(ref);
      const cc = countsOf(cur);
      const keys = unionKeys(rc, cc);
      if (keys.length < 2) return exactOf(1, 0, 1, 'a single category on both sides: no test possible, no drift');
      const k = cur.count / ref.count;
      const res = gTest(keys.map((key) => cc.get(key) ?? 0), keys.map((key) => (rc.get(key) ?? 0) * k));
      return exactOf(res.pValue, res.statistic, res.pValue);
    }
    case 'z': {
      const rc = countsOf(ref);
      const cc = countsOf(cur);
      const keys = unionKeys(rc, cc);
      if (keys.length > 2) throw new SketchMethodError(`Z-test needs at most 2 distinct values, found ${keys.length}`);
      if (rc.size === 1 && cc.size === 1 && keys.length === 1) return exactOf(1, 0, 1);
      const first = [...keys].sort()[0];
      const res = twoProportionZTest(ref.count - (rc.get(first) ?? 0), ref.count, cur.count - (cc.get(first) ?? 0), cur.count);
      return exactOf(res.pValue, res.statistic, res.pValue);
    }
    case 'hellinger': {
      if (numeric) throw new SketchMethodError('numerical Hellinger bins every distinct value; not available from a summary');
      const rc = countsOf(ref);
      const cc = countsOf(cur);
      let s = 0;
      for (const key of unionKeys(rc, cc)) s += Math.sqrt(((rc.get(key) ?? 0) / ref.count) * ((cc.get(key) ?? 0) / cur.count));
      const h = Math.sqrt(1 - Math.min(Math.max(s, 0), 1));
      return exactOf(h, h);
    }
    default:
      throw new SketchMethodError(`${DRIFT_METHODS[method].label} needs every value and is not available from a summary; pick ks, wasserstein, psi, jensenshannon, kl_div, t_test, chisquare, z, g_test or hellinger`);
  }
}

function pooledDistinctOf(ref: DistributionSide, cur: DistributionSide): number {
  const rc = ref.kind === 'categorical' ? ref.counts : ref.valueCounts;
  const cc = cur.kind === 'categorical' ? cur.counts : cur.valueCounts;
  if (!rc || !cc) return Infinity; // one side alone has more than DISTINCT_PROBE values
  return unionKeys(rc, cc).length;
}

function chooseMethod(name: string, type: DriftColumnType, options: DriftOptions): DriftMethodName | undefined {
  const typeMethod = type === 'numerical' ? options.numericalMethod : options.categoricalMethod;
  return options.perColumnMethod?.[name] ?? typeMethod ?? options.method;
}

function chooseThreshold(name: string, type: DriftColumnType, method: DriftMethodName, options: DriftOptions): number {
  const typeThreshold = type === 'numerical' ? options.numericalThreshold : options.categoricalThreshold;
  return options.perColumnThreshold?.[name] ?? typeThreshold ?? options.threshold ?? DRIFT_METHODS[method].defaultThreshold;
}

/** Drift of one column from two distributions (either may be exact or sketched). */
export function sketchColumnDrift(name: string, ref: DistributionSide, cur: DistributionSide, options: DriftOptions = {}): SketchColumnDrift {
  const type: DriftColumnType = options.columnTypes?.[name] ?? ref.kind;
  const base = { column: name, type, referenceCount: ref.count, currentCount: cur.count, referenceMissing: ref.missing, currentMissing: cur.missing };
  const fallback = chooseMethod(name, type, options) ?? (type === 'numerical' ? 'ks' : 'chisquare');
  const skip = (message: string, method: DriftMethodName = fallback): SketchColumnDrift => ({
    ...base, method, methodLabel: DRIFT_METHODS[method].label, score: null, statistic: null, threshold: chooseThreshold(name, type, method, options),
    drifted: false, status: 'skipped', message, scoreInterval: [NaN, NaN], uncertainty: NaN, verdictCertain: true,
  });
  if (ref.kind !== cur.kind) return skip(`column '${name}' is ${ref.kind} in the reference but ${cur.kind} in the current summary`);
  if (ref.count === 0) return skip(`column '${name}' has no non-missing value in the reference (${ref.missing} missing)`);
  if (cur.count === 0) return skip(`column '${name}' has no non-missing value in the current data (${cur.missing} missing)`);
  const method = chooseMethod(name, type, options) ?? defaultMethod(type, ref.count, pooledDistinctOf(ref, cur));
  const spec = DRIFT_METHODS[method];
  if (!spec.allowed.includes(type)) return skip(`${spec.label} does not apply to ${type} column '${name}'`, method);
  const threshold = chooseThreshold(name, type, method, options);
  let outcome: Outcome;
  try {
    outcome = runSketchMethod(method, type, ref, cur);
  } catch (e) {
    if (e instanceof SketchMethodError || e instanceof RangeError) return skip(e.message, method);
    throw e;
  }
  if (!Number.isFinite(outcome.score) && !(outcome.score === Infinity && !spec.isPValue)) return skip(`${spec.label} gave no usable score for column '${name}'`, method);
  const messages: string[] = [];
  if (ref.missing || cur.missing) messages.push(`dropped missing or infinite values: ${ref.missing} in reference, ${cur.missing} in current`);
  if (outcome.note) messages.push(outcome.note);
  for (const side of [ref, cur]) if (side.kind === 'categorical' && side.overflow > 0) messages.push(`${side === ref ? 'reference' : 'current'} has more categories than the summary tracks: ${side.overflow} values counted as "(other)"`);
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const unseen = [...cur.counts.keys()].filter((k) => !ref.counts.has(k));
    if (unseen.length) messages.push(`categories absent from the reference: ${unseen.slice(0, 10).join(', ')}${unseen.length > 10 ? ', ...' : ''}`);
  }
  const [low, high] = outcome.interval;
  return {
    ...base,
    method,
    methodLabel: spec.label,
    score: outcome.score,
    statistic: outcome.statistic,
    ...(outcome.pValue !== undefined ? { pValue: outcome.pValue } : {}),
    threshold,
    drifted: exceeds(spec, outcome.score, threshold),
    status: 'ok',
    ...(messages.length ? { message: messages.join('; ') } : {}),
    scoreInterval: [low, high],
    uncertainty: Math.max(outcome.score - low, high - outcome.score),
    verdictCertain: exceeds(spec, low, threshold) === exceeds(spec, high, threshold),
  };
}

/** The dataset report from per-column distributions (Evidently's drift share rule, no multiple-testing correction). */
export function sketchDriftReport(
  reference: ReadonlyMap<string, DistributionSide>,
  current: ReadonlyMap<string, DistributionSide>,
  options: DriftOptions = {},
  rows: { reference: number; current: number } = { reference: NaN, current: NaN },
): SketchDriftReport {
  const driftShare = options.driftShare ?? 0.5;
  const names = options.columns ?? [...new Set([...reference.keys(), ...current.keys()])];
  const columns = names.map((name) => {
    const r = reference.get(name);
    const c = current.get(name);
    if (!r || !c) {
      const side = r ?? c;
      const method: DriftMethodName = side?.kind === 'numerical' ? 'ks' : 'chisquare';
      return {
        column: name, type: side?.kind ?? 'categorical', method, methodLabel: DRIFT_METHODS[method].label, score: null, statistic: null,
        threshold: DRIFT_METHODS[method].defaultThreshold, drifted: false, status: 'skipped' as const,
        message: `column '${name}' is only in the ${r ? 'reference' : 'current'} data`, referenceCount: r?.count ?? 0, currentCount: c?.count ?? 0,
        referenceMissing: r?.missing ?? 0, currentMissing: c?.missing ?? 0, scoreInterval: [NaN, NaN] as [number, number], uncertainty: NaN, verdictCertain: true,
      };
    }
    return sketchColumnDrift(name, r, c, options);
  });
  const tested = columns.filter((c) => c.status === 'ok');
  const nDrifted = tested.filter((c) => c.drifted).length;
  const shareDrifted = tested.length === 0 ? 0 : nDrifted / tested.length;
  return {
    columns, nColumns: tested.length, nDrifted, shareDrifted, drifted: tested.length > 0 && shareDrifted >= driftShare, driftShare,
    referenceRows: rows.reference, currentRows: rows.current, approximate: true,
  };
}
