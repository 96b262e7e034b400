/** Tests on category counts: chi-squared goodness of fit and the two-proportion Z-test. */
import { chi2Sf, normCdf } from './special.ts';

export interface TestResult {
  statistic: number;
  pValue: number;
}

/**
 * scipy.stats.chisquare(observed, expected): Pearson statistic, p = chi2.sf(stat, k - 1).
 * An expected count of 0 with observed > 0 gives an infinite statistic and p = 0, as scipy does.
 */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): TestResult {
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const d = observed[i] - expected[i];
    stat += (d * d) / expected[i];
  }
  if (observed.length < 2) return { statistic: stat, pValue: Number.NaN };
  return { statistic: stat, pValue: chi2Sf(stat, observed.length - 1) };
}

/**
 * Two-proportion Z-test, two-sided, as Evidently's proportions_diff_z_test computes it:
 * p = 2 (1 - Φ(|z|)) with the pooled proportion (note: 1 - Φ, not Φ(-|z|), so tiny p-values
 * are as coarse as Evidently's).
 * `x1` of `n1` reference values and `x2` of `n2` current values are "the other" category.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): TestResult {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * (1 - normCdf(Math.abs(z))) };
}
