/**
 * The drift tests by Evidently name: their display names, default thresholds, how a score is
 * compared with the threshold (each as Evidently 0.7 does it, including its inconsistencies:
 * KS and Cramér–von Mises drift at p <= threshold, chi-squared/Z/Anderson at p < threshold,
 * energy distance at d > threshold, the other distances at d >= threshold), and the default choice.
 */
import { andersonKsamp } from '../stats/anderson.ts';
import { cramerVonMises2samp } from '../stats/cramer-von-mises.ts';
import { energyDistance, jensenShannonDistance, klDivergence, populationStabilityIndex, wassersteinDistance } from '../stats/distances.ts';
import { chiSquare, twoProportionZTest } from '../stats/frequency-tests.ts';
import { ks2samp } from '../stats/ks.ts';
import { quantilePsi } from '../stats/psi.ts';
import { fisherExact, gTest, mannWhitneyU, tTestInd } from '../stats/rank-tests.ts';
import { populationStd } from '../stats/sorted.ts';
import { categoryShares, histogramCounts, numericalShares, sturgesEdges, unionKeys } from './binning.ts';
import { categoryCounts, type PreparedColumn } from './columns.ts';
import type { DriftColumnType, DriftMethodName } from './types.ts';

export interface MethodSpec {
  name: DriftMethodName;
  label: string;
  defaultThreshold: number;
  /** p-value tests: a smaller score means drift. */
  isPValue: boolean;
  compare: '<' | '<=' | '>' | '>=';
  allowed: readonly DriftColumnType[];
}

const both = ['numerical', 'categorical'] as const;
const num = ['numerical'] as const;
const cat = ['categorical'] as const;

export const DRIFT_METHODS: Readonly<Record<DriftMethodName, MethodSpec>> = {
  ks: { name: 'ks', label: 'K-S p_value', defaultThreshold: 0.05, isPValue: true, compare: '<=', allowed: num },
  chisquare: { name: 'chisquare', label: 'chi-square p_value', defaultThreshold: 0.05, isPValue: true, compare: '<', allowed: both },
  z: { name: 'z', label: 'Z-test p_value', defaultThreshold: 0.05, isPValue: true, compare: '<', allowed: both },
  wasserstein: { name: 'wasserstein', label: 'Wasserstein distance (normed)', defaultThreshold: 0.1, isPValue: false, compare: '>=', allowed: num },
  jensenshannon: { name: 'jensenshannon', label: 'Jensen-Shannon distance', defaultThreshold: 0.1, isPValue: false, compare: '>=', allowed: both },
  psi: { name: 'psi', label: 'PSI', defaultThreshold: 0.1, isPValue: false, compare: '>=', allowed: both },
  kl_div: { name: 'kl_div', label: 'Kullback-Leibler divergence', defaultThreshold: 0.1, isPValue: false, compare: '>=', allowed: both },
  anderson: { name: 'anderson', label: 'Anderson-Darling', defaultThreshold: 0.1, isPValue: true, compare: '<', allowed: num },
  cramer_von_mises: { name: 'cramer_von_mises', label: 'Cramer-von Mises', defaultThreshold: 0.1, isPValue: true, compare: '<=', allowed: num },
  ed: { name: 'ed', label: 'Energy-distance', defaultThreshold: 0.1, isPValue: false, compare: '>', allowed: num },
  hellinger: { name: 'hellinger', label: 'Hellinger distance', defaultThreshold: 0.1, isPValue: false, compare: '>=', allowed: both },
  t_test: { name: 't_test', label: 't_test', defaultThreshold: 0.05, isPValue: true, compare: '<', allowed: num },
  mannw: { name: 'mannw', label: 'Mann-Whitney U-rank test', defaultThreshold: 0.05, isPValue: true, compare: '<', allowed: num },
  g_test: { name: 'g_test', label: 'g_test', defaultThreshold: 0.1, isPValue: true, compare: '<', allowed: cat },
  fisher_exact: { name: 'fisher_exact', label: "Fisher's Exact test", defaultThreshold: 0.1, isPValue: true, compare: '<', allowed: cat },
};

export function isDriftMethodName(name: string): name is DriftMethodName {
  return Object.prototype.hasOwnProperty.call(DRIFT_METHODS, name);
}

export function exceeds(spec: MethodSpec, score: number, threshold: number): boolean {
  switch (spec.compare) {
    case '<':
      return score < threshold;
    case '<=':
      return score <= threshold;
    case '>':
      return score > threshold;
    case '>=':
      return score >= threshold;
  }
}

/**
 * Number of distinct values over both sides (pandas nunique of the concatenation). With `enough`,
 * counting stops once the answer is known to be at least `enough` (a result >= enough then means
 * only that): the default-test choice compares it with 5, and merging two 100k sorted columns just
 * to learn that cost a tenth of a report.
 */
export function pooledDistinct(reference: PreparedColumn, current: PreparedColumn, enough = Infinity): number {
  const lowerBound = Math.max(reference.distinct, current.distinct);
  if (lowerBound >= enough) return lowerBound;
  if (reference.numbers && current.numbers) {
    const a = reference.numbers;
    const b = current.numbers;
    let i = 0;
    let j = 0;
    let d = 0;
    while ((i < a.length || j < b.length) && d < enough) {
      const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
      while (i < a.length && a[i] === v) i++;
      while (j < b.length && b[j] === v) j++;
      d++;
    }
    return d;
  }
  return unionKeys(categoryCounts(reference), categoryCounts(current)).length;
}

/** Pooled distinct counts above this make no difference to `defaultMethod`. */
export const DEFAULT_METHOD_DISTINCT_LIMIT = 6;

/** Evidently's `_get_default_stattest`, on the cleaned columns. */
export function defaultMethod(type: DriftColumnType, referenceCount: number, nValues: number): DriftMethodName {
  if (referenceCount <= 1000) {
    if (type === 'numerical' && nValues > 5) return 'ks';
    return nValues > 2 ? 'chisquare' : 'z';
  }
  if (type === 'numerical' && nValues > 5) return 'wasserstein';
  return 'jensenshannon';
}

export interface MethodOutcome {
  score: number;
  statistic: number | null;
  pValue?: number;
  note?: string;
}

/** Runs one test on cleaned, non-empty columns. */
export interface BinningChoice {
  mode: 'evidently' | 'reference-quantiles';
  bins: number;
}

export function runMethod(
  method: DriftMethodName,
  type: DriftColumnType,
  reference: PreparedColumn,
  current: PreparedColumn,
  binning: BinningChoice = { mode: 'evidently', bins: 10 },
): MethodOutcome {
  const numeric = type === 'numerical' && reference.numbers !== undefined && current.numbers !== undefined;
  const needNumbers = () => {
    if (!numeric) throw new DriftInputError(`${DRIFT_METHODS[method].label} needs numerical values on both sides`);
    return [reference.numbers!, current.numbers!] as const;
  };
  switch (method) {
    case 'ks': {
      const [r, c] = needNumbers();
      const res = ks2samp(r, c, true);
      return { score: res.pValue, statistic: res.statistic, pValue: res.pValue, note: res.method === 'asymp' ? 'asymptotic p-value' : undefined };
    }
    case 'wasserstein': {
      const [r, c] = needNumbers();
      const norm = Math.max(populationStd(r), 0.001);
      const raw = wassersteinDistance(r, c, true);
      return { score: raw / norm, statistic: raw };
    }
    case 'ed': {
      const [r, c] = needNumbers();
      const d = energyDistance(r, c, true);
      return { score: d, statistic: d };
    }
    case 'anderson': {
      const [r, c] = needNumbers();
      if (r.length + c.length < 4) throw new DriftInputError('Anderson-Darling needs at least 4 values in total');
      if (pooledDistinct(reference, current, 2) < 2) throw new DriftInputError('Anderson-Darling needs more than one distinct value');
      const res = andersonKsamp([r, c]);
      return {
        score: res.pValue,
        statistic: res.statistic,
        pValue: res.pValue,
        note: res.bound === 'capped' ? 'p-value capped at 0.25 (true value larger)' : res.bound === 'floored' ? 'p-value floored at 0.001 (true value smaller)' : undefined,
      };
    }
    case 'cramer_von_mises': {
      const [r, c] = needNumbers();
      if (r.length < 2 || c.length < 2) throw new DriftInputError('Cramer-von Mises needs at least two values on each side');
      const res = cramerVonMises2samp(r, c);
      return { score: res.pValue, statistic: res.statistic, pValue: res.pValue };
    }
    case 'chisquare': {
      const rc = categoryCounts(reference);
      const cc = categoryCounts(current);
      const keys = unionKeys(rc, cc);
      if (keys.length < 2) return { score: 1, statistic: 0, pValue: 1, note: 'a single category on both sides: no test possible, no drift' };
      const k = current.count / reference.count;
      const expected = keys.map((key) => (rc.get(key) ?? 0) * k);
      const observed = keys.map((key) => cc.get(key) ?? 0);
      const res = chiSquare(observed, expected);
      return { score: res.pValue, statistic: res.statistic, pValue: res.pValue };
    }
    case 'z': {
      const rc = categoryCounts(reference);
      const cc = categoryCounts(current);
      const keys = unionKeys(rc, cc);
      if (keys.length > 2) throw new DriftInputError(`Z-test needs at most 2 distinct values, found ${keys.length}`);
      if (rc.size === 1 && cc.size === 1 && keys.length === 1) return { score: 1, statistic: 0, pValue: 1 };
      // Evidently codes the first sorted value as 0 and the rest as 1; the two-sided p-value does not depend on the choice
      const first = [...keys].sort()[0];
      const res = twoProportionZTest(reference.count - (rc.get(first) ?? 0), reference.count, current.count - (cc.get(first) ?? 0), current.count);
      return { score: res.pValue, statistic: res.statistic, pValue: res.pValue };
    }
    case 'jensenshannon':
    case 'psi':
    case 'kl_div': {
      const zeroFill = method !== 'jensenshannon';
      if (numeric && binning.mode === 'reference-quantiles') {
        const q = quantilePsi(reference.numbers!, current.numbers!, { bins: binning.bins, sorted: true });
        const r = Float64Array.from(q.reference, (x) => x / reference.count);
        const c = Float64Array.from(q.current, (x) => x / current.count);
        if (zeroFill) for (const a of [r, c]) for (let i = 0; i < a.length; i++) if (a[i] === 0) a[i] = 1e-4;
        const score = method === 'psi' ? q.psi : method === 'kl_div' ? klDivergence(r, c) : jensenShannonDistance(r, c);
        return { score, statistic: score, note: `${q.reference.length} reference-quantile bins` };
      }
      const shares = numeric
        ? numericalShares(reference.numbers!, current.numbers!, reference.distinct, zeroFill)
        : categoryShares(categoryCounts(reference), categoryCounts(current), reference.count, current.count, zeroFill);
      const score =
        method === 'jensenshannon'
          ? jensenShannonDistance(shares.reference, shares.current)
          : method === 'psi'
            ? populationStabilityIndex(shares.reference, shares.current)
            : klDivergence(shares.reference, shares.current);
      return { score, statistic: score };
    }
    case 't_test': {
      const [r, c] = needNumbers();
      if (r.length < 2 || c.length < 2) throw new DriftInputError('t-test needs at least two values on each side');
      const res = tTestInd(r, c);
      return { score: res.pValue, statistic: res.statistic, pValue: res.pValue };
    }
    case 'mannw': {
      const [r, c] = needNumbers();
      const res = mannWhitneyU(r, c, 'less');
      return { score: res.pValue, statistic: res.statistic, pValue: res.pValue };
    }
    case 'g_test': {
      const rc = categoryCounts(reference);
      const cc = categoryCounts(current);
      const keys = unionKeys(rc, cc);
      if (keys.length < 2) return { score: 1, statistic: 0, pValue: 1, note: 'a single category on both sides: no test possible, no drift' };
      const k = current.count / reference.count;
      const res = gTest(keys.map((key) => cc.get(key) ?? 0), keys.map((key) => (rc.get(key) ?? 0) * k));
      return { score: res.pValue, statistic: res.statistic, pValue: res.pValue };
    }
    case 'fisher_exact': {
      const rc = categoryCounts(reference);
      const cc = categoryCounts(current);
      const keys = unionKeys(rc, cc);
      if (keys.length > 2) throw new DriftInputError(`Fisher's exact test needs at most 2 distinct values, found ${keys.length}`);
      const one = keys[0];
      const res = fisherExact(cc.get(one) ?? 0, current.count - (cc.get(one) ?? 0), rc.get(one) ?? 0, reference.count - (rc.get(one) ?? 0));
      return { score: res.pValue, statistic: res.statistic, pValue: res.pValue };
    }
    case 'hellinger': {
      if (!numeric) {
        const rc = categoryCounts(reference);
        const cc = categoryCounts(current);
        let s = 0;
        for (const key of unionKeys(rc, cc)) s += Math.sqrt(((rc.get(key) ?? 0) / reference.count) * ((cc.get(key) ?? 0) / current.count));
        const h = Math.sqrt(1 - Math.min(Math.max(s, 0), 1));
        return { score: h, statistic: h };
      }
      // Evidently bins numerical values by Sturges over the DISTINCT values of both sides, density histograms
      const distinct = uniqueSortedUnion(reference.numbers!, current.numbers!);
      const edges = sturgesEdges(distinct);
      const h1 = densityHistogram(reference.numbers!, edges);
      const h2 = densityHistogram(current.numbers!, edges);
      const binWidth = (edges[edges.length - 1] - edges[0]) / (edges.length - 1);
      let s = 0;
      for (let i = 0; i < h1.length; i++) s += Math.sqrt(h1[i] * h2[i]) * binWidth;
      const h = Math.sqrt(1 - Math.min(Math.max(s, 0), 1));
      return { score: h, statistic: h };
    }
  }
}

function uniqueSortedUnion(a: Float64Array, b: Float64Array): Float64Array {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    out.push(v);
  }
  return Float64Array.from(out);
}

function densityHistogram(sorted: Float64Array, edges: number[]): number[] {
  const counts = histogramCounts(sorted, edges);
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c, i) => c / (edges[i + 1] - edges[i]) / total);
}

/** A column the chosen test cannot handle; becomes a 'skipped' column with this message. */
export class DriftInputError extends Error {}
