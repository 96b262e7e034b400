/**
 * The remaining Evidently two-sample tests: Student's t (scipy ttest_ind), Mann–Whitney U
 * (scipy mannwhitneyu), G-test (scipy power_divergence, log-likelihood) and Fisher's exact test
 * (scipy fisher_exact, two-sided).
 */
import { tCdf } from './stdlib.ts';
import { chi2Sf, gammaln, normCdf } from './special.ts';
import { pairwiseSum } from './sorted.ts';
import type { TestResult } from './frequency-tests.ts';

/** scipy.stats.ttest_ind(a, b) (pooled variance, two-sided). NaN p-value when both samples are constant. */
export function tTestInd(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  const n1 = a.length;
  const n2 = b.length;
  const m1 = pairwiseSum(a) / n1;
  const m2 = pairwiseSum(b) / n2;
  const ss = (x: ArrayLike<number>, m: number) => {
    const d = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) d[i] = (x[i] - m) ** 2;
    return pairwiseSum(d);
  };
  const df = n1 + n2 - 2;
  const svar = (ss(a, m1) + ss(b, m2)) / df;
  const t = (m1 - m2) / Math.sqrt(svar * (1 / n1 + 1 / n2));
  return { statistic: t, pValue: Number.isNaN(t) ? Number.NaN : Math.min(1, 2 * tCdf(-Math.abs(t), df)) };
}

/**
 * scipy.stats.mannwhitneyu(x, y, alternative) with method 'auto': exact null distribution when
 * either sample has at most 8 values and there are no ties, else the normal approximation with
 * tie and continuity corrections. Evidently calls it with alternative 'less'.
 */
export function mannWhitneyU(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  alternative: 'less' | 'greater' | 'two-sided' = 'two-sided',
): TestResult & { method: 'exact' | 'asymptotic' } {
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  const pooled = new Float64Array(n);
  for (let i = 0; i < n1; i++) pooled[i] = x[i];
  for (let i = 0; i < n2; i++) pooled[n1 + i] = y[i];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => pooled[i] - pooled[j]);
  let r1 = 0;
  let tieTerm = 0;
  let ties = false;
  for (let p = 0; p < n; ) {
    let e = p;
    while (e < n && pooled[order[e]] === pooled[order[p]]) e++;
    const t = e - p;
    if (t > 1) ties = true;
    tieTerm += t ** 3 - t;
    const rank = (p + 1 + e) / 2;
    for (let q = p; q < e; q++) if (order[q] < n1) r1 += rank;
    p = e;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const [u, f] = alternative === 'greater' ? [u1, 1] : alternative === 'less' ? [u2, 1] : [Math.max(u1, u2), 2];
  // scipy's exact recurrence is quadratic in min(U, n1 n2 - U); past this size it would run for minutes,
  // so the normal approximation takes over (scipy would still be exact there)
  const exact = !(n1 > 8 && n2 > 8) && !ties && Math.min(u, n1 * n2 - u) <= MWU_EXACT_MAX_U;
  let p: number;
  if (exact) p = mwuExactSf(Math.min(n1, n2), Math.max(n1, n2), Math.round(u));
  else {
    const mu = (n1 * n2) / 2;
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    const z = (u - mu - 0.5) / s;
    p = normCdf(-z);
  }
  return { statistic: u1, pValue: Math.min(Math.max(p * f, 0), 1), method: exact ? 'exact' : 'asymptotic' };
}

const MWU_EXACT_MAX_U = 20_000;

/** P(U >= k) under the null (scipy _MWU.sf via the sigma-array recurrence of its build_u_freqs_array). */
function mwuExactSf(n1: number, n2: number, k: number): number {
  const kc = n1 * n2 - k;
  const useLeft = k < kc;
  const kk = useLeft ? k : kc;
  const freqs = mwuFrequencies(n1, n2, kk);
  let total = 1;
  for (let i = 1; i <= n1; i++) total = (total * (n2 + i)) / i;
  let cdf = 0;
  for (let u = 0; u <= kk; u++) cdf += freqs[u] / total;
  // sf(k) = 1 - cdf(k) + pmf(k) when k is in the left half, else cdf(n1 n2 - k) by symmetry
  return useLeft ? 1 - cdf + freqs[kk] / total : cdf;
}

function mwuFrequencies(n1: number, n2: number, maxu: number): Float64Array {
  const sigma = new Float64Array(maxu + 1);
  for (let d = 1; d <= n1; d++) for (let i = d; i <= maxu; i += d) sigma[i] += d;
  for (let d = n2 + 1; d <= n2 + n1; d++) for (let i = d; i <= maxu; i += d) sigma[i] -= d;
  const conf = new Float64Array(maxu + 1);
  conf[0] = 1;
  for (let u = 1; u <= maxu; u++) {
    let dot = 0;
    for (let i = 0; i < u; i++) dot += conf[i] * sigma[u - i];
    conf[u] = dot / u;
  }
  return conf;
}

/**
 * G-test of current counts against reference frequencies: G = 2 Σ o ln(o / e), p = chi2.sf(G, k - 1).
 * Expected counts are the reference counts scaled to the current size. (Evidently passes the raw
 * reference counts, which scipy rejects unless both samples have the same size; where they do,
 * the two agree.)
 */
export function gTest(observed: ArrayLike<number>, expected: ArrayLike<number>): TestResult {
  let g = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i];
    if (o > 0) g += 2 * o * Math.log(o / expected[i]);
  }
  return { statistic: g, pValue: observed.length < 2 ? Number.NaN : chi2Sf(g, observed.length - 1) };
}

/**
 * Fisher's exact test on the 2x2 table [[a, b], [c, d]], two-sided as scipy: the probability of
 * every table with the same margins no more likely than the observed one (relative slack 1e-14).
 */
export function fisherExact(a: number, b: number, c: number, d: number): TestResult {
  const oddsRatio = b * c === 0 ? (a * d === 0 ? Number.NaN : Infinity) : (a * d) / (b * c);
  const n1 = a + c; // column 1 total
  const n2 = b + d;
  const n = a + b; // row 1 total
  if (n1 === 0 || n2 === 0 || n === 0 || c + d === 0) return { statistic: oddsRatio, pValue: 1 };
  const total = n1 + n2;
  const logDenom = lchoose(total, n);
  const pmf = (x: number) => Math.exp(lchoose(n1, x) + lchoose(n2, n - x) - logDenom);
  const lo = Math.max(0, n - n2);
  const hi = Math.min(n, n1);
  const pExact = pmf(a);
  // the observed table is the most likely one: scipy answers exactly 1
  const pMode = pmf(Math.floor(((n + 1) * (n1 + 1)) / (n1 + n2 + 2)));
  if (Math.abs(pExact - pMode) / Math.max(pExact, pMode) <= 1e-14) return { statistic: oddsRatio, pValue: 1 };
  const gamma = 1 + 1e-14;
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const px = pmf(x);
    if (px <= pExact * gamma) p += px;
  }
  return { statistic: oddsRatio, pValue: Math.min(1, p) };
}

function lchoose(n: number, k: number): number {
  return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);
}
