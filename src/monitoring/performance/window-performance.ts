import { BinaryCbpe } from './cbpe.ts';
import { classificationMetrics, labelKey, regressionMetrics, type Label } from './metrics.ts';

/** The minimum a window needs for its performance to be computed from labels. */
export interface ScoredRow {
  label?: Label;
  prediction: { label?: Label; value?: number; score?: number; probabilities?: Record<string, number> } | null;
}

export interface PerformanceOptions {
  task: 'binary' | 'multiclass' | 'regression';
  positiveLabel?: Label;
  average?: 'macro' | 'weighted';
}

/**
 * Realised performance over the rows that have both a prediction and a label (null when none do,
 * or when the labelled rows hold a single class where a metric needs two).
 */
export function realisedPerformance(rows: ScoredRow[], opts: PerformanceOptions): Record<string, number> | null {
  const labelled = rows.filter((r) => r.label !== undefined && r.prediction !== null);
  if (labelled.length === 0) return null;
  if (opts.task === 'regression') {
    const pairs = labelled.map((r) => [Number(r.label), r.prediction!.value ?? NaN]).filter(([y, p]) => Number.isFinite(y) && Number.isFinite(p));
    if (pairs.length === 0) return null;
    return { ...regressionMetrics(pairs.map((p) => p[0]), pairs.map((p) => p[1])) };
  }
  const withLabel = labelled.filter((r) => r.prediction!.label !== undefined);
  if (withLabel.length === 0) return null;
  const yTrue = withLabel.map((r) => r.label!);
  const yPred = withLabel.map((r) => r.prediction!.label!);
  if (opts.task === 'binary') {
    const scores = withLabel.every((r) => r.prediction!.score !== undefined) ? withLabel.map((r) => r.prediction!.score!) : undefined;
    const pos = labelKey(opts.positiveLabel ?? 1);
    // Binary averaging needs at most two classes; a stray third label falls back to per-positive counting via macro.
    const classes = new Set([...yTrue, ...yPred].map(labelKey));
    const average = classes.size <= 2 ? 'binary' : 'macro';
    return { ...classificationMetrics({ yTrue, yPred, scores, positiveLabel: opts.positiveLabel ?? 1, average }), positive_rate: yTrue.filter((y) => labelKey(y) === pos).length / yTrue.length };
  }
  const probabilities = withLabel.every((r) => r.prediction!.probabilities) ? withLabel.map((r) => r.prediction!.probabilities!) : undefined;
  return { ...classificationMetrics({ yTrue, yPred, probabilities, average: opts.average ?? 'macro' }) };
}

/**
 * CBPE fitted on a labelled reference; estimates a window's binary performance from scores alone.
 * Returns why not when it cannot (no scores, too few labelled reference rows, single-class reference).
 */
export function fitEstimator(reference: ScoredRow[], opts: PerformanceOptions): BinaryCbpe | string {
  if (opts.task !== 'binary') return 'performance estimation supports binary classifiers (CBPE); this monitor is ' + opts.task;
  const usable = reference.filter((r) => r.label !== undefined && r.prediction?.score !== undefined);
  if (usable.length < 20) return `the reference needs at least 20 rows with a score and a label to calibrate on (has ${usable.length})`;
  const pos = labelKey(opts.positiveLabel ?? 1);
  const positives = usable.filter((r) => labelKey(r.label!) === pos).length;
  if (positives === 0 || positives === usable.length) return 'the reference labels hold a single class';
  return BinaryCbpe.fit(usable.map((r) => r.prediction!.score!), usable.map((r) => r.label!), opts.positiveLabel ?? 1);
}

export function estimatedPerformance(estimator: BinaryCbpe, rows: ScoredRow[], opts: PerformanceOptions): Record<string, number> | null {
  const usable = rows.filter((r) => r.prediction?.score !== undefined && r.prediction.label !== undefined);
  if (usable.length === 0) return null;
  const pos = labelKey(opts.positiveLabel ?? 1);
  return { ...estimator.estimate(usable.map((r) => r.prediction!.score!), usable.map((r) => labelKey(r.prediction!.label!) === pos)) };
}
