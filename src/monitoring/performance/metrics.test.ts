import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPython } from '../../../test/support/server.ts';
import { classificationMetrics, regressionMetrics, rocAuc, type Label } from './metrics.ts';

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

const close = (actual: number | undefined, expected: number, what: string) => {
  assert.ok(actual !== undefined, `${what} missing`);
  assert.ok(Math.abs(actual - expected) <= 1e-9, `${what}: pharos ${actual} vs sklearn ${expected}`);
};

// Scores rounded to 1 decimal so many ties exercise sklearn's threshold grouping; includes exact 0 and 1 for log-loss clipping.
function binaryCase(seed: number, n: number) {
  const r = rng(seed);
  const yTrue: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = r() < 0.4 ? 1 : 0;
    const s = Math.min(1, Math.max(0, Math.round((y ? 0.62 : 0.38) * 10 + (r() - 0.5) * 14) / 10));
    yTrue.push(y);
    scores.push(s);
  }
  const yPred = scores.map((s) => (s >= 0.5 ? 1 : 0));
  return { yTrue, yPred, scores };
}

function multiclassCase(seed: number, n: number) {
  const r = rng(seed);
  const classes = ['cat', 'dog', 'emu'];
  const yTrue: string[] = [];
  const yPred: string[] = [];
  const probabilities: Array<Record<string, number>> = [];
  for (let i = 0; i < n; i++) {
    const t = Math.floor(r() * 3);
    const raw = classes.map((_, k) => (k === t ? 1.5 : 0) + r());
    const sum = raw.reduce((a, b) => a + b, 0);
    const p = raw.map((x) => Math.round((x / sum) * 100) / 100);
    p[2] = Math.max(0, 1 - p[0] - p[1]);
    const argmax = p.indexOf(Math.max(...p));
    yTrue.push(classes[t]);
    yPred.push(classes[argmax]);
    probabilities.push(Object.fromEntries(classes.map((c, k) => [c, p[k]])));
  }
  return { yTrue, yPred, probabilities, classes };
}

test('classification and regression metrics equal scikit-learn 1.9 within 1e-9', { skip: !process.env.PHAROS_PYTHON && 'PHAROS_PYTHON not set' }, async () => {
  const bin = binaryCase(7, 500);
  const multi = multiclassCase(11, 400);
  const r = rng(3);
  const yReg = Array.from({ length: 300 }, () => r() * 100 - 20);
  const pReg = yReg.map((y) => y + (r() - 0.5) * 15);
  const strLabels = { yTrue: ['yes', 'no', 'yes', 'yes', 'no', 'no'] as Label[], yPred: ['yes', 'yes', 'no', 'yes', 'no', 'no'] as Label[] };

  const py = `
import json, numpy as np
from sklearn import metrics as m
d = json.loads(open('data.json').read())
b, mc, rg = d['bin'], d['multi'], d['reg']
P = np.array([[p[c] for c in mc['classes']] for p in mc['probabilities']])
out = {
  'bin': dict(accuracy=m.accuracy_score(b['yTrue'], b['yPred']), precision=m.precision_score(b['yTrue'], b['yPred']),
              recall=m.recall_score(b['yTrue'], b['yPred']), f1=m.f1_score(b['yTrue'], b['yPred']),
              roc_auc=m.roc_auc_score(b['yTrue'], b['scores']), log_loss=m.log_loss(b['yTrue'], b['scores'])),
  'macro': dict(accuracy=m.accuracy_score(mc['yTrue'], mc['yPred']),
              precision=m.precision_score(mc['yTrue'], mc['yPred'], average='macro'),
              recall=m.recall_score(mc['yTrue'], mc['yPred'], average='macro'),
              f1=m.f1_score(mc['yTrue'], mc['yPred'], average='macro'),
              roc_auc=m.roc_auc_score(mc['yTrue'], P, multi_class='ovr', average='macro'),
              log_loss=m.log_loss(mc['yTrue'], P, labels=mc['classes'])),
  'weighted': dict(precision=m.precision_score(mc['yTrue'], mc['yPred'], average='weighted'),
              recall=m.recall_score(mc['yTrue'], mc['yPred'], average='weighted'),
              f1=m.f1_score(mc['yTrue'], mc['yPred'], average='weighted'),
              roc_auc=m.roc_auc_score(mc['yTrue'], P, multi_class='ovr', average='weighted')),
  'str': dict(precision=m.precision_score(d['str']['yTrue'], d['str']['yPred'], pos_label='yes'),
              f1=m.f1_score(d['str']['yTrue'], d['str']['yPred'], pos_label='yes')),
  'reg': dict(rmse=m.root_mean_squared_error(rg['y'], rg['p']), mae=m.mean_absolute_error(rg['y'], rg['p']), r2=m.r2_score(rg['y'], rg['p'])),
  'const_r2': m.r2_score([3, 3, 3], [3, 3, 2]),
  'all_ties_auc': m.roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]),
}
print(json.dumps(out))
`;
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'pharos-metrics-'));
  writeFileSync(join(dir, 'data.json'), JSON.stringify({ bin, multi, reg: { y: yReg, p: pReg }, str: strLabels }));
  const sk = await runPython(py.replace("open('data.json')", `open(${JSON.stringify(join(dir, 'data.json'))})`));

  const b = classificationMetrics({ yTrue: bin.yTrue, yPred: bin.yPred, scores: bin.scores, positiveLabel: 1 });
  for (const k of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'] as const) close(b[k], sk.bin[k], `binary ${k}`);
  assert.ok(bin.yTrue.some((y, i) => (y === 1 && bin.scores[i] === 0) || (y === 0 && bin.scores[i] === 1)), 'data has confidently wrong 0/1 scores');
  assert.ok(Number.isFinite(b.log_loss!), 'confidently wrong scores are clipped, not infinite');

  const mm = classificationMetrics({ yTrue: multi.yTrue, yPred: multi.yPred, probabilities: multi.probabilities, average: 'macro' });
  for (const k of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'] as const) close(mm[k], sk.macro[k], `macro ${k}`);
  const mw = classificationMetrics({ yTrue: multi.yTrue, yPred: multi.yPred, probabilities: multi.probabilities, average: 'weighted' });
  for (const k of ['precision', 'recall', 'f1', 'roc_auc'] as const) close(mw[k], sk.weighted[k], `weighted ${k}`);

  const s = classificationMetrics({ ...strLabels, positiveLabel: 'yes' });
  close(s.precision, sk.str.precision, 'string-label precision');
  close(s.f1, sk.str.f1, 'string-label f1');

  const reg = regressionMetrics(yReg, pReg);
  for (const k of ['rmse', 'mae', 'r2'] as const) close(reg[k], sk.reg[k], `regression ${k}`);
  close(regressionMetrics([3, 3, 3], [3, 3, 2]).r2, sk.const_r2, 'R² on constant target');
  close(rocAuc([false, true, false, true], [0.5, 0.5, 0.5, 0.5]), sk.all_ties_auc, 'AUC with all scores tied');
});
