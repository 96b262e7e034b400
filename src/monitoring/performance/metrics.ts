/**
 * Model performance metrics, defined exactly as scikit-learn 1.9 defines them (the tests compare to it
 * within 1e-9): zero_division → 0 for precision/recall/F1, ROC AUC by trapezoids over distinct
 * thresholds (ties count half), log loss with probabilities clipped to [eps, 1 - eps] (float64 eps) and
 * not renormalised, R² forced finite (1 when both sums of squares are 0, else 0 when y is constant).
 */

/** A class label as logged or uploaded. Compared by its string form so CSV labels ("1") match logged ones (1). */
export type Label = string | number | boolean;

export const labelKey = (v: Label): string => String(v);

export type Average = 'binary' | 'macro' | 'weighted';

export interface ClassificationMetrics {
  count: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Present when the predictions carry scores/probabilities covering the classes seen. */
  roc_auc?: number;
  log_loss?: number;
}

export interface RegressionMetrics {
  count: number;
  rmse: number;
  mae: number;
  r2: number;
}

const FLOAT64_EPS = 2.220446049250313e-16;

function assertSameLength(a: unknown[], b: unknown[]): void {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} true values vs ${b.length} predictions`);
  if (a.length === 0) throw new Error('no samples');
}

/** Classes in scikit-learn's order: numeric when every label is a number, else lexicographic. */
export function sortedClasses(labels: Iterable<Label>): string[] {
  const keys = [...new Set([...labels].map(labelKey))];
  const numeric = keys.every((k) => k.trim() !== '' && Number.isFinite(Number(k)));
  return numeric ? keys.sort((a, b) => Number(a) - Number(b)) : keys.sort();
}

export function accuracy(yTrue: Label[], yPred: Label[]): number {
  assertSameLength(yTrue, yPred);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (labelKey(yTrue[i]) === labelKey(yPred[i])) hits++;
  return hits / yTrue.length;
}

interface ClassCounts {
  tp: number;
  fp: number;
  fn: number;
  support: number;
}

function perClassCounts(yTrue: Label[], yPred: Label[], classes: string[]): Map<string, ClassCounts> {
  const counts = new Map<string, ClassCounts>(classes.map((c) => [c, { tp: 0, fp: 0, fn: 0, support: 0 }]));
  const get = (k: string) => {
    let c = counts.get(k);
    if (!c) counts.set(k, (c = { tp: 0, fp: 0, fn: 0, support: 0 }));
    return c;
  };
  for (let i = 0; i < yTrue.length; i++) {
    const t = labelKey(yTrue[i]);
    const p = labelKey(yPred[i]);
    get(t).support++;
    if (t === p) get(t).tp++;
    else {
      get(p).fp++;
      get(t).fn++;
    }
  }
  return counts;
}

const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

function prf(c: ClassCounts): { precision: number; recall: number; f1: number } {
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  // sklearn computes F1 from counts (2tp / (2tp + fp + fn)), not from the rounded precision/recall.
  const f1 = ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);
  return { precision, recall, f1 };
}

/**
 * precision/recall/F1. `binary` scores `positiveLabel` only; `macro` and `weighted` average over the
 * union of true and predicted classes (sklearn's default `labels`).
 */
export function precisionRecallF1(
  yTrue: Label[],
  yPred: Label[],
  opts: { average: Average; positiveLabel?: Label },
): { precision: number; recall: number; f1: number } {
  assertSameLength(yTrue, yPred);
  const classes = sortedClasses([...yTrue, ...yPred]);
  const counts = perClassCounts(yTrue, yPred, classes);
  if (opts.average === 'binary') {
    const pos = labelKey(opts.positiveLabel ?? 1);
    if (classes.length > 2) throw new Error(`binary average with ${classes.length} classes (${classes.join(', ')}); use macro or weighted`);
    return prf(counts.get(pos) ?? { tp: 0, fp: 0, fn: 0, support: 0 });
  }
  let p = 0;
  let r = 0;
  let f = 0;
  let total = 0;
  for (const cls of classes) {
    const c = counts.get(cls)!;
    const w = opts.average === 'weighted' ? c.support : 1;
    const m = prf(c);
    p += w * m.precision;
    r += w * m.recall;
    f += w * m.f1;
    total += w;
  }
  return { precision: ratio(p, total), recall: ratio(r, total), f1: ratio(f, total) };
}

/** Binary ROC AUC as sklearn.metrics.roc_auc_score: trapezoids over the ROC curve's distinct thresholds. */
export function rocAuc(isPositive: boolean[], scores: number[]): number {
  assertSameLength(isPositive, scores);
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (const p of isPositive) if (p) positives++;
  const negatives = isPositive.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new Error('ROC AUC is undefined when only one class is present in the true labels');
  }
  let tps = 0;
  let fps = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  let area = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (isPositive[i]) tps++;
    else fps++;
    // A point on the curve only where the score changes: tied scores move the curve diagonally.
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[i]) {
      const tpr = tps / positives;
      const fpr = fps / negatives;
      area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
      prevTpr = tpr;
      prevFpr = fpr;
    }
  }
  return area;
}

/** One-vs-rest multiclass ROC AUC (sklearn multi_class='ovr'), macro or prevalence-weighted. */
export function rocAucOvr(yTrue: Label[], probabilities: Array<Record<string, number>>, average: 'macro' | 'weighted'): number {
  assertSameLength(yTrue, probabilities);
  const classes = sortedClasses(yTrue);
  let sum = 0;
  let total = 0;
  for (const cls of classes) {
    const isPos = yTrue.map((y) => labelKey(y) === cls);
    const scores = probabilities.map((p, i) => {
      const v = p[cls];
      if (typeof v !== 'number') throw new Error(`sample ${i} has no probability for class ${cls}`);
      return v;
    });
    const w = average === 'weighted' ? isPos.filter(Boolean).length : 1;
    sum += w * rocAuc(isPos, scores);
    total += w;
  }
  return sum / total;
}

/** Mean negative log-likelihood of the true class (natural log), probabilities clipped as sklearn 1.9 clips them. */
export function logLoss(trueClassProbabilities: number[]): number {
  if (trueClassProbabilities.length === 0) throw new Error('no samples');
  let sum = 0;
  for (const p of trueClassProbabilities) {
    if (!(p >= 0 && p <= 1)) throw new Error(`probability ${p} is outside [0, 1]`);
    sum -= Math.log(Math.min(Math.max(p, FLOAT64_EPS), 1 - FLOAT64_EPS));
  }
  return sum / trueClassProbabilities.length;
}

/** Binary log loss from the positive class's probability (sklearn builds [1 - p, p], then clips). */
export function binaryLogLoss(isPositive: boolean[], positiveProbability: number[]): number {
  assertSameLength(isPositive, positiveProbability);
  return logLoss(isPositive.map((pos, i) => (pos ? positiveProbability[i] : 1 - positiveProbability[i])));
}

export interface ClassificationInput {
  yTrue: Label[];
  yPred: Label[];
  /** Binary: probability (or score) of `positiveLabel` per sample. */
  scores?: number[];
  /** Multiclass: probability per class per sample. */
  probabilities?: Array<Record<string, number>>;
  positiveLabel?: Label;
  /** For multiclass: 'macro' (default) or 'weighted'. Binary tasks use 'binary'. */
  average?: Average;
}

export function classificationMetrics(input: ClassificationInput): ClassificationMetrics {
  const { yTrue, yPred } = input;
  assertSameLength(yTrue, yPred);
  const classes = sortedClasses([...yTrue, ...yPred]);
  const average: Average = input.average ?? (classes.length <= 2 ? 'binary' : 'macro');
  const out: ClassificationMetrics = {
    count: yTrue.length,
    accuracy: accuracy(yTrue, yPred),
    ...precisionRecallF1(yTrue, yPred, { average, positiveLabel: input.positiveLabel }),
  };
  const trueClasses = new Set(yTrue.map(labelKey));
  if (input.scores) {
    const pos = labelKey(input.positiveLabel ?? 1);
    const isPos = yTrue.map((y) => labelKey(y) === pos);
    if (trueClasses.size === 2) out.roc_auc = rocAuc(isPos, input.scores);
    if (input.scores.every((s) => s >= 0 && s <= 1)) out.log_loss = binaryLogLoss(isPos, input.scores);
  } else if (input.probabilities) {
    const probs = input.probabilities;
    if (trueClasses.size >= 2 && [...trueClasses].every((c) => probs.every((p) => typeof p[c] === 'number'))) {
      out.roc_auc = trueClasses.size === 2
        ? rocAuc(yTrue.map((y) => labelKey(y) === sortedClasses(trueClasses)[1]), probs.map((p) => p[sortedClasses(trueClasses)[1]]))
        : rocAucOvr(yTrue, probs, average === 'weighted' ? 'weighted' : 'macro');
    }
    if (probs.every((p, i) => typeof p[labelKey(yTrue[i])] === 'number')) {
      out.log_loss = logLoss(probs.map((p, i) => p[labelKey(yTrue[i])]));
    }
  }
  return out;
}

export function regressionMetrics(yTrue: number[], yPred: number[]): RegressionMetrics {
  assertSameLength(yTrue, yPred);
  const n = yTrue.length;
  let se = 0;
  let ae = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const d = yTrue[i] - yPred[i];
    se += d * d;
    ae += Math.abs(d);
    mean += yTrue[i];
  }
  mean /= n;
  let ssTot = 0;
  for (const y of yTrue) ssTot += (y - mean) * (y - mean);
  const r2 = ssTot === 0 ? (se === 0 ? 1 : 0) : 1 - se / ssTot;
  return { count: n, rmse: Math.sqrt(se / n), mae: ae / n, r2 };
}
