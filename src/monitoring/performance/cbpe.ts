import { IsotonicRegression } from './isotonic.ts';
import { labelKey, type Label } from './metrics.ts';

/**
 * Confidence-based performance estimation (NannyML's CBPE) for binary classifiers: a calibrator
 * fitted on the reference window maps the model's scores to probabilities; under covariate shift
 * (P(y|x) unchanged) the expected confusion matrix of a window follows from those probabilities, and
 * with it accuracy, precision, recall, F1 and ROC AUC, before any label arrives.
 */
export interface EstimatedBinaryMetrics {
  count: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number;
}

export class BinaryCbpe {
  private constructor(private readonly calibrator: IsotonicRegression) {}

  /** Fits the calibrator on reference scores and their true labels. */
  static fit(scores: number[], yTrue: Label[], positiveLabel: Label): BinaryCbpe {
    const pos = labelKey(positiveLabel);
    return new BinaryCbpe(IsotonicRegression.fit(scores, yTrue.map((y) => (labelKey(y) === pos ? 1 : 0))));
  }

  calibrated(score: number): number {
    return this.calibrator.predict(score);
  }

  /** `predictedPositive[i]` is the model's decision for sample i (the label it returned). */
  estimate(scores: number[], predictedPositive: boolean[]): EstimatedBinaryMetrics {
    if (scores.length !== predictedPositive.length) throw new Error('scores and predictions differ in length');
    if (scores.length === 0) throw new Error('no samples');
    const p = scores.map((s) => this.calibrated(s));
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    p.forEach((pi, i) => {
      if (predictedPositive[i]) {
        tp += pi;
        fp += 1 - pi;
      } else {
        fn += pi;
        tn += 1 - pi;
      }
    });
    const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
    return {
      count: scores.length,
      accuracy: (tp + tn) / scores.length,
      precision: ratio(tp, tp + fp),
      recall: ratio(tp, tp + fn),
      f1: ratio(2 * tp, 2 * tp + fp + fn),
      roc_auc: expectedRocAuc(p),
    };
  }
}

/**
 * NannyML's estimated ROC AUC: every calibrated probability is a threshold; above it the expected true
 * positives are the sum of probabilities (false positives the sum of their complements), below it the
 * expected false negatives / true negatives; the curve through those expected rates is integrated.
 */
export function expectedRocAuc(calibrated: number[]): number {
  const t = [...calibrated].sort((a, b) => a - b);
  const n = t.length;
  // suffix sums: expected positives / negatives at or above threshold t[i]
  const tpAt = new Float64Array(n);
  const fpAt = new Float64Array(n);
  let sp = 0;
  let sn = 0;
  for (let i = n - 1; i >= 0; i--) {
    sp += t[i];
    sn += 1 - t[i];
    tpAt[i] = sp;
    fpAt[i] = sn;
  }
  const fpr: number[] = [];
  const tpr: number[] = [];
  let fnBelow = 0;
  let tnBelow = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || t[i] !== t[i - 1]) {
      const tpv = tpAt[i];
      const fpv = fpAt[i];
      tpr.push(tpv + fnBelow === 0 ? 0 : tpv / (tpv + fnBelow));
      fpr.push(fpv + tnBelow === 0 ? 0 : fpv / (fpv + tnBelow));
    }
    fnBelow += t[i];
    tnBelow += 1 - t[i];
  }
  // Points run from (1, 1) down towards (0, 0); close the curve at the origin as sklearn's auc would integrate it.
  fpr.push(0);
  tpr.push(0);
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += ((fpr[i - 1] - fpr[i]) * (tpr[i - 1] + tpr[i])) / 2;
  return area;
}

/**
 * Multiclass CBPE as NannyML does it: one isotonic calibrator per class (one-vs-rest) fitted on the
 * reference, calibrated probabilities renormalised to sum to one, then per-class expected confusion
 * counts averaged over classes (macro), accuracy as the mean probability of the predicted class.
 */
export class MulticlassCbpe {
  private constructor(
    private readonly classes: string[],
    private readonly calibrators: IsotonicRegression[],
  ) {}

  static fit(probabilities: Array<Record<string, number>>, yTrue: Label[], classes: string[]): MulticlassCbpe {
    if (classes.length < 2) throw new Error('multiclass CBPE needs at least two classes');
    const calibrators = classes.map((c) =>
      IsotonicRegression.fit(
        probabilities.map((p) => p[c] ?? 0),
        yTrue.map((y) => (labelKey(y) === c ? 1 : 0)),
      ),
    );
    return new MulticlassCbpe(classes, calibrators);
  }

  calibrated(probabilities: Record<string, number>): Record<string, number> {
    const raw = this.classes.map((c, k) => this.calibrators[k].predict(probabilities[c] ?? 0));
    const sum = raw.reduce((a, b) => a + b, 0);
    return Object.fromEntries(this.classes.map((c, k) => [c, sum > 0 ? raw[k] / sum : 1 / this.classes.length]));
  }

  estimate(probabilities: Array<Record<string, number>>, predicted: Label[]): EstimatedBinaryMetrics {
    if (probabilities.length !== predicted.length) throw new Error('probabilities and predictions differ in length');
    if (probabilities.length === 0) throw new Error('no samples');
    const cal = probabilities.map((p) => this.calibrated(p));
    const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
    let accuracy = 0;
    cal.forEach((p, i) => (accuracy += p[labelKey(predicted[i])] ?? 0));
    let precision = 0;
    let recall = 0;
    let f1 = 0;
    let auc = 0;
    for (const c of this.classes) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      cal.forEach((p, i) => {
        if (labelKey(predicted[i]) === c) {
          tp += p[c];
          fp += 1 - p[c];
        } else fn += p[c];
      });
      precision += ratio(tp, tp + fp);
      recall += ratio(tp, tp + fn);
      f1 += ratio(2 * tp, 2 * tp + fp + fn);
      auc += expectedRocAuc(cal.map((p) => p[c]));
    }
    const k = this.classes.length;
    return { count: cal.length, accuracy: accuracy / cal.length, precision: precision / k, recall: recall / k, f1: f1 / k, roc_auc: auc / k };
  }
}
