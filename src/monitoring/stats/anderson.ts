/**
 * Anderson–Darling k-sample test (Scholz & Stephens 1987) as scipy.stats.anderson_ksamp with its
 * default midrank variant: the standardised statistic, and the p-value interpolated from the
 * critical-value table by a quadratic fit of log(significance), capped to [0.001, 0.25].
 */
import { sortFloat64, sortedCopy } from './sorted.ts';

export interface AndersonResult {
  statistic: number;
  pValue: number;
  /** 'capped' when the true p-value is above 0.25, 'floored' when below 0.001 (scipy warns). */
  bound?: 'capped' | 'floored';
}

const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const SIG = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

export function andersonKsamp(samples: ArrayLike<number>[]): AndersonResult {
  const k = samples.length;
  if (k < 2) throw new RangeError('anderson_ksamp needs at least two samples');
  const sorted = samples.map((s) => sortedCopy(s));
  const n = sorted.map((s) => s.length);
  if (n.some((x) => x === 0)) throw new RangeError('anderson_ksamp encountered a sample without observations');
  const N = n.reduce((a, b) => a + b, 0);
  const Z = new Float64Array(N);
  let off = 0;
  for (const s of sorted) {
    Z.set(s, off);
    off += s.length;
  }
  sortFloat64(Z);
  const zstar: number[] = [];
  const lj: number[] = [];
  const left: number[] = [];
  for (let i = 0; i < N; ) {
    let e = i;
    while (e < N && Z[e] === Z[i]) e++;
    zstar.push(Z[i]);
    left.push(i);
    lj.push(e - i);
    i = e;
  }
  if (zstar.length < 2) throw new RangeError('anderson_ksamp needs more than one distinct observation');
  const L = zstar.length;
  const allDistinct = N === L;
  let A2akN = 0;
  for (let s = 0; s < k; s++) {
    const arr = sorted[s];
    let pos = 0;
    let inner = 0;
    for (let j = 0; j < L; j++) {
      while (pos < arr.length && arr[pos] < zstar[j]) pos++;
      const leftIdx = pos;
      while (pos < arr.length && arr[pos] === zstar[j]) pos++;
      const fij = pos - leftIdx;
      const Mij = pos - fij / 2;
      const l = allDistinct ? 1 : lj[j];
      const Bj = left[j] + l / 2;
      const d = N * Mij - Bj * n[s];
      inner += ((l / N) * d * d) / (Bj * (N - Bj) - (N * l) / 4);
    }
    A2akN += inner / n[s];
  }
  A2akN *= (N - 1) / N;

  const H = n.reduce((acc, x) => acc + 1 / x, 0);
  // hs_cs = cumsum(1/(N-1), 1/(N-2), ..., 1/2); h = hs_cs[-1] + 1; g = sum(hs_cs / (2..N-1))
  let cum = 0;
  let g = 0;
  let idx = 0;
  for (let d = N - 1; d > 1; d--) {
    cum += 1 / d;
    g += cum / (idx + 2);
    idx++;
  }
  const h = cum + 1;
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const dd = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (a * N ** 3 + b * N ** 2 + c * N + dd) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const A2 = (A2akN - m) / Math.sqrt(sigmasq);
  const critical = B0.map((b0, i) => b0 + B1[i] / Math.sqrt(m) + B2[i] / m);
  if (A2 < Math.min(...critical)) return { statistic: A2, pValue: 0.25, bound: 'capped' };
  if (A2 > Math.max(...critical)) return { statistic: A2, pValue: 0.001, bound: 'floored' };
  const coef = quadraticLeastSquares(critical, SIG.map(Math.log));
  return { statistic: A2, pValue: Math.exp((coef[0] * A2 + coef[1]) * A2 + coef[2]) };
}

/**
 * Least-squares quadratic through (x, y), highest power first, like np.polyfit(x, y, 2):
 * columns scaled to unit norm, then solved by Householder QR.
 */
function quadraticLeastSquares(x: number[], y: number[]): [number, number, number] {
  const rows = x.length;
  const cols = 3;
  const A = x.map((xi) => [xi * xi, xi, 1]);
  const scale = [0, 1, 2].map((j) => Math.sqrt(A.reduce((s, r) => s + r[j] * r[j], 0)));
  for (const r of A) for (let j = 0; j < cols; j++) r[j] /= scale[j];
  const b = y.slice();
  for (let j = 0; j < cols; j++) {
    let norm = 0;
    for (let i = j; i < rows; i++) norm += A[i][j] ** 2;
    norm = Math.sqrt(norm);
    const alpha = A[j][j] > 0 ? -norm : norm;
    const v = new Array(rows).fill(0);
    for (let i = j; i < rows; i++) v[i] = A[i][j];
    v[j] -= alpha;
    const vnorm2 = v.reduce((s, t) => s + t * t, 0);
    if (vnorm2 === 0) continue;
    for (let c = j; c < cols; c++) {
      let dot = 0;
      for (let i = j; i < rows; i++) dot += v[i] * A[i][c];
      const f = (2 * dot) / vnorm2;
      for (let i = j; i < rows; i++) A[i][c] -= f * v[i];
    }
    let dot = 0;
    for (let i = j; i < rows; i++) dot += v[i] * b[i];
    const f = (2 * dot) / vnorm2;
    for (let i = j; i < rows; i++) b[i] -= f * v[i];
  }
  const coef = [0, 0, 0];
  for (let j = cols - 1; j >= 0; j--) {
    let s = b[j];
    for (let c = j + 1; c < cols; c++) s -= A[j][c] * coef[c];
    coef[j] = s / A[j][j];
  }
  return [coef[0] / scale[0], coef[1] / scale[1], coef[2] / scale[2]];
}
