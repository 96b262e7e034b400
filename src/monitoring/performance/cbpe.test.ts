import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPython } from '../../../test/support/server.ts';
import { BinaryCbpe, MulticlassCbpe } from './cbpe.ts';
import { IsotonicRegression } from './isotonic.ts';
import { classificationMetrics } from './metrics.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A model whose true positive-class probability is `p`, reporting a distorted (but monotone) score
 * `p^0.6`: the calibrator has to undo the distortion. Labels are drawn from `p`, so the truth is known.
 * `shift` moves the population: towards confident cases (>0) or towards the decision boundary (<0).
 */
function window(r: () => number, n: number, shift: number) {
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    let u = r();
    u = shift >= 0 ? (u < 0.5 ? Math.pow(2 * u, 1 + shift) / 2 : 1 - Math.pow(2 * (1 - u), 1 + shift) / 2) : 0.5 + (u - 0.5) * (1 + shift);
    const p = Math.min(0.999, Math.max(0.001, u));
    scores.push(Math.pow(p, 0.6));
    labels.push(r() < p ? 1 : 0);
  }
  return { scores, labels, predicted: scores.map((s) => s >= Math.pow(0.5, 0.6)) };
}

test('CBPE estimates accuracy, F1 and ROC AUC of covariate-shifted windows before labels arrive', () => {
  const r = rng(42);
  const reference = window(r, 20_000, 0);
  const cbpe = BinaryCbpe.fit(reference.scores, reference.labels, 1);
  const gaps: number[] = [];
  for (const shift of [-0.6, -0.3, 0, 1, 3]) {
    const w = window(r, 5000, shift);
    const est = cbpe.estimate(w.scores, w.predicted);
    const real = classificationMetrics({ yTrue: w.labels, yPred: w.predicted.map((p) => (p ? 1 : 0)), scores: w.scores, positiveLabel: 1 });
    gaps.push(real.accuracy);
    assert.ok(Math.abs(est.accuracy - real.accuracy) < 0.02, `shift ${shift}: estimated accuracy ${est.accuracy} vs realised ${real.accuracy}`);
    assert.ok(Math.abs(est.f1 - real.f1) < 0.03, `shift ${shift}: estimated F1 ${est.f1} vs realised ${real.f1}`);
    assert.ok(Math.abs(est.roc_auc - real.roc_auc!) < 0.03, `shift ${shift}: estimated ROC AUC ${est.roc_auc} vs realised ${real.roc_auc}`);
  }
  // The shifts really move performance (otherwise the test would prove nothing).
  assert.ok(Math.max(...gaps) - Math.min(...gaps) > 0.15, `realised accuracies ${gaps}`);
});

test('isotonic calibration equals scikit-learn IsotonicRegression(out_of_bounds="clip")', { skip: !process.env.PHAROS_PYTHON && 'PHAROS_PYTHON not set' }, async () => {
  const r = rng(5);
  const x = Array.from({ length: 400 }, () => Math.round(r() * 50) / 50);
  const y = x.map((v) => (r() < v ? 1 : 0));
  const probe = [-1, 0, 0.013, 0.25, 0.5, 0.777, 0.99, 1, 2, ...Array.from({ length: 50 }, () => r())];
  const dir = mkdtempSync(join(tmpdir(), 'pharos-iso-'));
  writeFileSync(join(dir, 'd.json'), JSON.stringify({ x, y, probe }));
  const sk = await runPython(`
import json
from sklearn.isotonic import IsotonicRegression
d = json.load(open(${JSON.stringify(join(dir, 'd.json'))}))
m = IsotonicRegression(out_of_bounds='clip').fit(d['x'], d['y'])
print(json.dumps(m.predict(d['probe']).tolist()))
`);
  const iso = IsotonicRegression.fit(x, y);
  probe.forEach((p, i) => assert.ok(Math.abs(iso.predict(p) - sk[i]) < 1e-9, `x=${p}: ${iso.predict(p)} vs sklearn ${sk[i]}`));
});

test('multiclass CBPE estimates macro metrics of shifted windows', () => {
  const r = rng(9);
  const classes = ['a', 'b', 'c'];
  // True class probabilities from a softmax of random logits; the model reports them sharpened (miscalibrated, same ranking).
  const sample = (n: number, temperature: number) => {
    const probabilities: Array<Record<string, number>> = [];
    const labels: string[] = [];
    const predicted: string[] = [];
    for (let i = 0; i < n; i++) {
      const logits = classes.map(() => (r() - 0.5) * 4 * temperature);
      const z = logits.map(Math.exp);
      const s = z.reduce((x, y) => x + y, 0);
      const p = z.map((v) => v / s);
      const u = r();
      labels.push(u < p[0] ? 'a' : u < p[0] + p[1] ? 'b' : 'c');
      const sharp = p.map((v) => v ** 2);
      const ss = sharp.reduce((x, y) => x + y, 0);
      probabilities.push(Object.fromEntries(classes.map((c, k) => [c, sharp[k] / ss])));
      predicted.push(classes[p.indexOf(Math.max(...p))]);
    }
    return { probabilities, labels, predicted };
  };
  const reference = sample(20_000, 1);
  const cbpe = MulticlassCbpe.fit(reference.probabilities, reference.labels, classes);
  const realised: number[] = [];
  for (const temperature of [0.4, 1, 2.5]) {
    const w = sample(6000, temperature);
    const est = cbpe.estimate(w.probabilities, w.predicted);
    const real = classificationMetrics({ yTrue: w.labels, yPred: w.predicted, probabilities: w.probabilities, average: 'macro' });
    realised.push(real.accuracy);
    assert.ok(Math.abs(est.accuracy - real.accuracy) < 0.025, `T=${temperature}: estimated accuracy ${est.accuracy} vs realised ${real.accuracy}`);
    assert.ok(Math.abs(est.f1 - real.f1) < 0.03, `T=${temperature}: estimated macro F1 ${est.f1} vs realised ${real.f1}`);
    assert.ok(Math.abs(est.roc_auc - real.roc_auc!) < 0.03, `T=${temperature}: estimated ROC AUC ${est.roc_auc} vs realised ${real.roc_auc}`);
  }
  assert.ok(Math.max(...realised) - Math.min(...realised) > 0.15, `realised accuracies ${realised}`);
});
