/**
 * Public types of the drift report.
 *
 * A drift report compares a reference table (training data, last month) with a current table
 * (a window of the inference log) column by column, choosing a statistical test per column exactly
 * as Evidently 0.7's DataDriftPreset does, and rolls the per-column verdicts into a dataset verdict.
 *
 * Everything here is plain data (JSON-serialisable except typed arrays in the input), so the report
 * renderer, the CLI and the monitors can store and render it without importing the statistics.
 */

/** How a column is treated: numerical columns get distribution tests, categorical ones frequency tests. */
export type DriftColumnType = 'numerical' | 'categorical';

/**
 * Column values as a caller may hand them in. Numbers use `NaN` (or `null`/`undefined` in plain arrays)
 * for a missing value; categories use `null`/`undefined`. Booleans are treated as categories.
 */
export type DriftColumnValues =
  | Float64Array
  | Float32Array
  | Int32Array
  | ReadonlyArray<number | string | boolean | null | undefined>;

/** A column that already says how it should be treated (the shape `src/data` readers produce). */
export interface TypedDriftColumn {
  readonly kind: DriftColumnType;
  readonly values: DriftColumnValues;
}

/**
 * A columnar table. Either a plain record (`{ columns: { age: Float64Array, city: ['a', null] } }`)
 * or a map of typed columns (the `DataTable` of `src/data`), so a table read from Parquet/CSV can be
 * passed as is.
 */
export interface DriftTable {
  readonly columns:
    | Readonly<Record<string, DriftColumnValues | TypedDriftColumn>>
    | ReadonlyMap<string, DriftColumnValues | TypedDriftColumn>;
}

/**
 * Test names, spelled as Evidently spells its `stattest` names so a configuration written for
 * Evidently (`num_method="psi"`) reads the same here.
 */
export type DriftMethodName =
  | 'ks' // two-sample Kolmogorov–Smirnov, score = p-value
  | 'chisquare' // chi-squared goodness of fit against reference frequencies, score = p-value
  | 'z' // two-proportion Z-test, score = p-value
  | 'wasserstein' // Wasserstein distance normed by the reference std, score = distance
  | 'jensenshannon' // Jensen–Shannon distance (natural log) on binned frequencies, score = distance
  | 'psi' // population stability index, score = PSI
  | 'kl_div' // Kullback–Leibler divergence reference‖current on binned frequencies
  | 'anderson' // Anderson–Darling k-sample, score = (capped) p-value
  | 'cramer_von_mises' // Cramér–von Mises two-sample, score = p-value
  | 'ed' // energy distance, score = distance (drift when > threshold, strictly, as Evidently)
  | 'hellinger' // Hellinger distance on binned frequencies
  | 't_test' // Student's t-test (pooled variance), score = p-value
  | 'mannw' // Mann–Whitney U, one-sided 'less' as Evidently calls it, score = p-value
  | 'g_test' // G-test (log-likelihood ratio) against reference frequencies, score = p-value
  | 'fisher_exact'; // Fisher's exact test on a binary column, score = p-value

/** Multiple-testing correction applied to p-value tests before the verdicts (off by default, as in Evidently). */
export type MultipleTestingCorrection = 'none' | 'bonferroni' | 'benjamini-hochberg';

export interface DriftOptions {
  /** Columns to compare (default: every column present in either table, in reference order then current). */
  readonly columns?: readonly string[];
  /** Force a column's type instead of inferring it (see `inferColumnType`). */
  readonly columnTypes?: Readonly<Record<string, DriftColumnType>>;
  /** One test for every column (Evidently `method`). */
  readonly method?: DriftMethodName;
  /** Test for numerical columns (Evidently `num_method`). */
  readonly numericalMethod?: DriftMethodName;
  /** Test for categorical columns (Evidently `cat_method`). */
  readonly categoricalMethod?: DriftMethodName;
  /** Test per column (Evidently `per_column_method`); wins over the others. */
  readonly perColumnMethod?: Readonly<Record<string, DriftMethodName>>;
  /** Threshold for every column (Evidently `threshold`); default: the chosen test's own default. */
  readonly threshold?: number;
  readonly numericalThreshold?: number;
  readonly categoricalThreshold?: number;
  readonly perColumnThreshold?: Readonly<Record<string, number>>;
  /** Dataset drifts when shareDrifted >= driftShare (Evidently `drift_share`, default 0.5). */
  readonly driftShare?: number;
  /** Correction over the p-value tests of one report (default 'none'). */
  readonly correction?: MultipleTestingCorrection;
  /**
   * How PSI, KL and Jensen–Shannon bin numerical columns: 'evidently' (default: Sturges bins over both
   * samples, Evidently's zero filling) or 'reference-quantiles' (`bins` reference-quantile bins with
   * open outer bins, empty bins set to 1e-4; see stats/psi.ts).
   */
  readonly binning?: 'evidently' | 'reference-quantiles';
  /** Number of bins for binning 'reference-quantiles' (default 10). */
  readonly bins?: number;
  /** Bins for the plot histograms (default 10, as Evidently's plots). */
  readonly histogramBins?: number;
}

/** Histogram data for plots: the same bins for both sides, so the renderer can overlay them. */
export type DriftHistogram =
  | {
      readonly kind: 'numerical';
      /** bin edges, length = counts.length + 1 */
      readonly edges: number[];
      readonly reference: number[];
      readonly current: number[];
    }
  | {
      readonly kind: 'categorical';
      readonly categories: string[];
      readonly reference: number[];
      readonly current: number[];
    };

export interface ColumnDrift {
  readonly column: string;
  readonly type: DriftColumnType;
  readonly method: DriftMethodName;
  /** Evidently's display name of the test, e.g. "K-S p_value", "Wasserstein distance (normed)". */
  readonly methodLabel: string;
  /**
   * What is compared with the threshold (Evidently's `drift_score`): the p-value for p-value tests
   * (after correction, when one is asked), the distance otherwise. `null` only when `status` is 'skipped'.
   */
  readonly score: number | null;
  /** The test statistic itself (KS D, chi-squared, Z, A², energy distance...), when the test has one. */
  readonly statistic: number | null;
  /** Raw p-value before any correction, for p-value tests. */
  readonly pValue?: number;
  /** p-value tests drift when score < threshold (KS: <=, see stats), distance tests when score >= threshold. */
  readonly threshold: number;
  readonly drifted: boolean;
  /** 'ok' when a test ran; 'skipped' when it could not (message says why) — a skipped column never drifts. */
  readonly status: 'ok' | 'skipped';
  /** Why a column was skipped, or a warning (values dropped, column only on one side...). */
  readonly message?: string;
  readonly referenceCount: number;
  readonly currentCount: number;
  /** Values dropped before testing (null, NaN, ±Infinity). */
  readonly referenceMissing: number;
  readonly currentMissing: number;
  /** Categories seen in current but never in reference (categorical columns only). */
  readonly unseenCategories?: string[];
  readonly histogram?: DriftHistogram;
}

export interface DriftReport {
  readonly columns: ColumnDrift[];
  /** Columns actually tested (status 'ok'). */
  readonly nColumns: number;
  readonly nDrifted: number;
  /** nDrifted / nColumns (0 when no column was tested). */
  readonly shareDrifted: number;
  /** shareDrifted >= driftShare (and at least one column tested). */
  readonly drifted: boolean;
  readonly driftShare: number;
  readonly correction: MultipleTestingCorrection;
  readonly referenceRows: number;
  readonly currentRows: number;
}
