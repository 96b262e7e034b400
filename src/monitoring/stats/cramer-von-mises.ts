/**
 * Two-sample Cramér–von Mises test as Evidently's `_cvm_2samp` (a copy of scipy's
 * cramervonmises_2samp): exact p-value when both samples have at most 20 values, otherwise the
 * limiting distribution of the normalised statistic (Csörgő & Faraway 1996).
 */
import { gammaln } from './special.ts';
import { sortedCopy } from './sorted.ts';

export interface CvmResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

export function cramerVonMises2samp(x: ArrayLike<number>, y: ArrayLike<number>): CvmResult {
  const xa = sortedCopy(x);
  const ya = sortedCopy(y);
  const nx = xa.length;
  const ny = ya.length;
  if (nx <= 1 || ny <= 1) throw new RangeError('Cramér–von Mises needs at least two observations per sample');
  const method = Math.max(nx, ny) > 20 ? 'asymptotic' : 'exact';
  // midranks in the pooled sample
  const N = nx + ny;
  const pooled = new Float64Array(N);
  pooled.set(xa);
  pooled.set(ya, nx);
  const order = Array.from({ length: N }, (_, i) => i).sort((i, j) => pooled[i] - pooled[j] || i - j);
  const rank = new Float64Array(N);
  for (let p = 0; p < N; ) {
    let e = p;
    while (e < N && pooled[order[e]] === pooled[order[p]]) e++;
    const r = (p + 1 + e) / 2;
    for (let q = p; q < e; q++) rank[order[q]] = r;
    p = e;
  }
  let sx = 0;
  for (let i = 0; i < nx; i++) sx += (rank[i] - (i + 1)) ** 2;
  let sy = 0;
  for (let i = 0; i < ny; i++) sy += (rank[nx + i] - (i + 1)) ** 2;
  const u = nx * sx + ny * sy;
  const k = nx * ny;
  const t = u / (k * N) - (4 * k - 1) / (6 * N);
  let p: number;
  if (method === 'exact') p = exactPValue(u, nx, ny);
  else {
    const et = (1 + 1 / N) / 6;
    let vt = (N + 1) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k);
    vt = vt / (45 * N ** 2 * 4 * k);
    const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
    p = tn < 0.003 ? 1 : Math.max(0, 1 - cdfCvmInf(tn));
  }
  return { statistic: t, pValue: p, method };
}

/** Frequency-table recursion of Xiao, Gordon & Yakovlev (2006), as scipy's _pval_cvm_2samp_exact. */
function exactPValue(s: number, m: number, n: number): number {
  const lcm = (m * n) / gcd(m, n);
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = Math.floor((lcm ** 2 * (m + n) * (6 * s - mn * (4 * mn - 1))) / (6 * mn ** 2));
  let gs: Map<number, number>[] = [new Map([[0, 1]])];
  for (let v = 0; v < m; v++) gs.push(new Map());
  for (let u = 0; u <= n; u++) {
    const next: Map<number, number>[] = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v < gs.length; v++) {
      const merged = new Map(tmp);
      for (const [value, freq] of gs[v]) merged.set(value, (merged.get(value) ?? 0) + freq);
      const shift = (a * v - b * u) ** 2;
      tmp = new Map();
      for (const [value, freq] of merged) tmp.set(value + shift, freq);
      next.push(tmp);
    }
    gs = next;
  }
  let combinations = 1;
  for (let i = 1; i <= n; i++) combinations = (combinations * (m + i)) / i;
  let count = 0;
  for (const [value, freq] of gs[m]) if (value >= zeta) count += freq;
  return count / combinations;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Limiting CDF of the Cramér–von Mises statistic (scipy _cdf_cvm_inf), series summed to |term| < 1e-7. */
export function cdfCvmInf(x: number): number {
  let total = 0;
  for (let k = 0; ; k++) {
    const u = Math.exp(gammaln(k + 0.5) - gammaln(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const term = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    total += term;
    if (!(Math.abs(term) >= 1e-7)) break;
  }
  return total;
}

/**
 * Modified Bessel function of the second kind K_ν(x) for x > 0, from K_ν(x) = ∫_0^∞ e^{-x cosh t} cosh(νt) dt
 * by the trapezoidal rule, which converges geometrically for this analytic, doubly-exponentially decaying integrand.
 */
export function besselK(nu: number, x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : Number.NaN;
  if (x > 745) return 0;
  const h = 1 / 64;
  const tMax = Math.acosh(Math.max(1, 745 / x)) + 1;
  let sum = 0.5 * Math.exp(-x);
  for (let i = 1; i * h <= tMax; i++) {
    const t = i * h;
    const term = Math.exp(-x * Math.cosh(t)) * Math.cosh(nu * t);
    sum += term;
    if (term < 1e-300) break;
  }
  return sum * h;
}
