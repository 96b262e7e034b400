import { BinaryCbpe, MulticlassCbpe } from './cbpe.ts';
import { classificationMetrics, labelKey, regressionMetrics, sortedClasses, type Label } from './metrics.ts';

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

/** Estimates a window's performance from the model's confidence alone (CBPE fitted on a labelled reference). */
export interface PerformanceEstimator {
  estimate(rows: ScoredRow[]): Record<string, number> | null;
}

/**
 * CBPE fitted on a labelled reference: binary from positive-class scores, multiclass from class
 * probabilities. Returns why not when it cannot (regression, no scores, too few labelled reference rows,
 * a single class).
 */
export function fitEstimator(reference: ScoredRow[], opts: PerformanceOptions): PerformanceEstimator | string {
  if (opts.task === 'regression') return 'performance estimation (CBPE) is for classifiers; this monitor is a regression';
  const pos = labelKey(opts.positiveLabel ?? 1);
  if (opts.task === 'binary') {
    const usable = reference.filter((r) => r.label !== undefined && r.prediction?.score !== undefined);
    if (usable.length < MIN_CALIBRATION_ROWS) return `the reference needs at least ${MIN_CALIBRATION_ROWS} rows with a score and a label to calibrate on (has ${usable.length})`;
    const positives = usable.filter((r) => labelKey(r.label!) === pos).length;
    if (positives === 0 || positives === usable.length) return 'the reference labels hold a single class';
    const cbpe = BinaryCbpe.fit(usable.map((r) => r.prediction!.score!), usable.map((r) => r.label!), opts.positiveLabel ?? 1);
    return {
      estimate(rows) {
        const scored = rows.filter((r) => r.prediction?.score !== undefined && r.prediction.label !== undefined);
        if (scored.length === 0) return null;
        return { ...cbpe.estimate(scored.map((r) => r.prediction!.score!), scored.map((r) => labelKey(r.prediction!.label!) === pos)) };
      },
    };
  }
  const usable = reference.filter((r) => r.label !== undefined && r.prediction?.probabilities !== undefined);
  if (usable.length < MIN_CALIBRATION_ROWS) return `the reference needs at least ${MIN_CALIBRATION_ROWS} rows with class probabilities and a label to calibrate on (has ${usable.length})`;
  const classes = sortedClasses(usable.flatMap((r) => Object.keys(r.prediction!.probabilities!)));
  if (classes.length < 2) return 'the reference probabilities cover a single class';
  const cbpe = MulticlassCbpe.fit(usable.map((r) => r.prediction!.probabilities!), usable.map((r) => r.label!), classes);
  return {
    estimate(rows) {
      const scored = rows.filter((r) => r.prediction?.probabilities !== undefined && r.prediction.label !== undefined);
      if (scored.length === 0) return null;
      return { ...cbpe.estimate(scored.map((r) => r.prediction!.probabilities!), scored.map((r) => r.prediction!.label!)) };
    },
  };
}

const MIN_CALIBRATION_ROWS = 20;
