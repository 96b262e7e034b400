import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPython, startPharosServer, type RunningServer } from '../support/server.ts';

/**
 * The monitoring loop end to end on a real server: the real mlflow client trains a scikit-learn pipeline
 * on a CSV file, logs that file as the run's training input and registers the ONNX model; Pharos serves
 * it; shifted production traffic goes through /invocations (multi-row requests); late labels arrive by
 * `pharos labels upload`; a monitor whose reference is the training data found through model lineage
 * reports the drift, the new category and the realised performance, equal to scikit-learn's.
 */
const TRAIN = String.raw`
import json, os, sys, warnings, tempfile
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd, mlflow
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import StandardScaler, OneHotEncoder
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn import metrics as m

rng = np.random.default_rng(11)
def frame(n, age_shift=0.0, cities=("oslo", "rome", "lima")):
    df = pd.DataFrame({"age": rng.normal(40 + age_shift, 10, n).astype(np.float32), "income": rng.normal(5, 2, n).astype(np.float32), "city": rng.choice(list(cities), n)})
    logit = (df.age - 45) / 6 + (df.city == "rome") * 1.5 - (df.income - 5) / 2
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df, label

train, ytrain = frame(1500)
d = tempfile.mkdtemp()
path = os.path.join(d, "train.csv")
train.assign(label=ytrain).to_csv(path, index=False)
pipe = Pipeline([("prep", ColumnTransformer([("num", StandardScaler(), ["age", "income"]), ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"])])), ("clf", LogisticRegression())]).fit(train, ytrain)
onx = convert_sklearn(pipe, initial_types=[("age", FloatTensorType([None, 1])), ("income", FloatTensorType([None, 1])), ("city", StringTensorType([None, 1]))])
mlflow.set_experiment("churn")
with mlflow.start_run():
    mlflow.log_input(mlflow.data.from_pandas(train.assign(label=ytrain), source=path, targets="label", name="churn-train"), context="training")
    mlflow.onnx.log_model(onx, name="model", registered_model_name="churn")

cur, ycur = frame(300, age_shift=15, cities=("oslo", "rome", "lima", "kyiv"))
proba = pipe.predict_proba(cur)[:, 1]
pred = pipe.predict(cur)
print(json.dumps({
  "records": json.loads(cur.to_json(orient="records")),
  "labels": ycur.tolist(),
  "sklearn": {"accuracy": m.accuracy_score(ycur, pred), "precision": m.precision_score(ycur, pred), "recall": m.recall_score(ycur, pred),
              "f1": m.f1_score(ycur, pred), "roc_auc": m.roc_auc_score(ycur, proba), "log_loss": m.log_loss(ycur, proba)},
}))
`;

let server: RunningServer;
let py: { records: Array<Record<string, unknown>>; labels: number[]; sklearn: Record<string, number> };

async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${path}`, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, env: { ...process.env, PHAROS_URL: server.url } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

describe('monitoring loop: serve → log → labels → monitor with a lineage reference', { skip: !process.env.PHAROS_PYTHON && 'PHAROS_PYTHON not set' }, () => {
  before(async () => {
    server = await startPharosServer();
    py = await runPython(TRAIN, { MLFLOW_TRACKING_URI: server.url });
  });
  after(async () => {
    await server?.stop();
  });

  test('drift, new categories and realised performance equal to scikit-learn on served traffic', async () => {
    const created = await http('POST', '/api/v1/deployments', { name: 'churn', model_uri: 'models:/churn/1' });
    assert.ok(created.status < 300, JSON.stringify(created.json));
    // 6 requests of 50 rows: row i of request b is labelled `b` (first row) or `b:i`.
    const labelsCsv: string[] = ['request_id,label'];
    for (let b = 0; b < 6; b++) {
      const rows = py.records.slice(b * 50, (b + 1) * 50);
      const res = await http('POST', '/deployments/churn/invocations', { dataframe_records: rows }, { 'x-request-id': `batch-${b}` });
      assert.equal(res.status, 200, JSON.stringify(res.json));
      rows.forEach((_, i) => labelsCsv.push(`${i === 0 ? `batch-${b}` : `batch-${b}:${i}`},${py.labels[b * 50 + i]}`));
    }
    const csv = join(mkdtempSync(join(tmpdir(), 'pharos-loop-')), 'labels.csv');
    writeFileSync(csv, labelsCsv.join('\n') + '\n');
    const upload = await cli(['labels', 'upload', csv, '--json']);
    assert.equal(upload.code, 0, upload.err);
    assert.deepEqual(JSON.parse(upload.out), { stored: 300 });

    const monitor = await http('POST', '/api/v1/monitors', {
      name: 'churn-loop',
      deployment: 'churn',
      spec: { task: 'binary', reference: { type: 'training', labelColumn: 'label' }, window: { type: 'count', size: 300 }, checks: { featureDrift: true, dataQuality: true, latency: true, errorRate: true, performance: true }, alerts: [{ name: 'drift', metric: 'feature_drift.share', op: '>', threshold: 0.3 }] },
    });
    assert.equal(monitor.status, 201, JSON.stringify(monitor.json));
    // The inference log is flushed asynchronously (every 2 s): run until the window holds all 300 rows.
    let run: any;
    for (let attempt = 0; attempt < 60; attempt++) {
      run = (await http('POST', '/api/v1/monitors/churn-loop/runs')).json.run;
      assert.notEqual(run.status, 'failed', run.error);
      if (run.row_count === 300) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(run.row_count, 300);
    const res = run.results;
    assert.match(res.reference.source, /training dataset churn-train@\w+ of churn v1/);
    assert.equal(res.reference.rows, 1500);
    const drifted = Object.fromEntries(res.featureDrift.columns.map((c: { column: string; drifted: boolean }) => [c.column, c.drifted]));
    assert.deepEqual(drifted, { age: true, income: false, city: true });
    assert.deepEqual(res.dataQuality.city.newCategories, ['kyiv']);
    assert.equal(res.performance.labelled, 300);
    for (const k of ['accuracy', 'precision', 'recall', 'f1']) assert.ok(Math.abs(res.performance.metrics[k] - py.sklearn[k]) <= 1e-9, `${k}: ${res.performance.metrics[k]} vs sklearn ${py.sklearn[k]}`);
    // ONNX probabilities are float32: equal to sklearn's to float32 precision.
    for (const k of ['roc_auc', 'log_loss']) assert.ok(Math.abs(res.performance.metrics[k] - py.sklearn[k]) <= 1e-4, `${k}: ${res.performance.metrics[k]} vs sklearn ${py.sklearn[k]}`);
    assert.equal(run.status, 'alerting');
    assert.deepEqual(res.servingCounters, { requests: 6, errors: 0 }, 'serving counts requests, not rows');

    const history = await cli(['monitors', 'history', 'churn-loop', '--json']);
    assert.equal(JSON.parse(history.out).runs[0].id, run.id);
    const alerts = await cli(['alerts', 'list', '--monitor', 'churn-loop', '--json']);
    assert.equal(JSON.parse(alerts.out).alerts[0].rule, 'drift');

    // The run's window as a full report from the real inference log: same verdicts, both distributions, HTML too.
    const htmlFile = join(mkdtempSync(join(tmpdir(), 'pharos-run-report-')), 'run.html');
    const report = await cli(['monitors', 'report', run.id, '--html', htmlFile]);
    assert.equal(report.code, 0, report.err);
    assert.match(report.out, /^COLUMN\s+TYPE\s+METHOD\s+SCORE\s+THRESHOLD\s+VERDICT/m);
    assert.match(report.out, /^age\s+num\S*\s.*DRIFT\s*$/m);
    assert.match(report.out, /^income\s.*\sok\s*$/m);
    assert.match(report.out, /Dataset drift: 2 of 3 columns drifted/);
    const html = readFileSync(htmlFile, 'utf8');
    assert.match(html, /monitor churn-loop/);
    assert.match(html, /training dataset churn-train@/);
    assert.equal((html.match(/<svg/g) ?? []).length >= 3, true, 'a plot per column');
  });
});
