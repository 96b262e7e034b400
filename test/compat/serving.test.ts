import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, runPython, startPharosServer, type RunningServer } from '../support/server.ts';

/**
 * Real models, real clients: scikit-learn models converted by skl2onnx (ZipMap outputs left at their default),
 * logged and registered by the real mlflow client against a real Pharos server, deployed through the CLI and
 * the native API, and scored over OIP v2 and the MLflow scoring protocol. Answers must equal scikit-learn's
 * predict / predict_proba within 1e-5.
 */

const TRAIN = String.raw`
import json, os, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd, mlflow, mlflow.onnx
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier, GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.pipeline import Pipeline
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import StandardScaler, OneHotEncoder
from skl2onnx import to_onnx, convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType

rng = np.random.default_rng(7)
X = rng.normal(size=(400, 4)).astype(np.float32)
y = (X[:, 0] + 0.5 * X[:, 1] - X[:, 2] > 0).astype(int)
y3 = np.digitize(X[:, 0] + X[:, 3], [-0.7, 0.7])
yr = (X[:, 0] * 0.8 - X[:, 1] * 0.3 + 0.1 * rng.normal(size=400)).astype(np.float32)
Xt = rng.normal(size=(25, 4)).astype(np.float32)
client = MlflowClient()
out = {"X": Xt.tolist()}

def log(name, onx, sig=None):
    with mlflow.start_run():
        mlflow.onnx.log_model(onx, name="model", registered_model_name=name, signature=sig)

lr = LogisticRegression().fit(X, y)
log("lr", to_onnx(lr, X[:1]))
lr2 = LogisticRegression(C=0.01).fit(X, 1 - y)
log("lr", to_onnx(lr2, X[:1]))
client.set_registered_model_alias("lr", "champion", 1)
out["lr"] = {"proba": lr.predict_proba(Xt).tolist(), "label": lr.predict(Xt).tolist()}
out["lr2"] = {"proba": lr2.predict_proba(Xt).tolist(), "label": lr2.predict(Xt).tolist()}

rf = RandomForestClassifier(n_estimators=20, max_depth=5, random_state=0).fit(X, y3)
log("rf", to_onnx(rf, X[:1]))
out["rf"] = {"proba": rf.predict_proba(Xt).tolist(), "label": rf.predict(Xt).tolist()}

# HistGradientBoostingClassifier does not convert with this skl2onnx + scikit-learn 1.9 (TreeEnsemble attribute
# type error inside skl2onnx), so the boosted classifier here is GradientBoostingClassifier.
hgb = GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
log("hgb", to_onnx(hgb, X[:1], options={id(hgb): {"zipmap": False}}))
out["hgb"] = {"proba": hgb.predict_proba(Xt).tolist(), "label": hgb.predict(Xt).tolist()}

gbr = GradientBoostingRegressor(n_estimators=40, max_depth=3, random_state=0).fit(X, yr)
log("gbr", to_onnx(gbr, X[:1]))
out["gbr"] = {"pred": gbr.predict(Xt).tolist()}

df = pd.DataFrame({"age": rng.normal(40, 10, 300).astype(np.float32), "income": rng.normal(5, 2, 300).astype(np.float32), "city": rng.choice(["oslo", "rome", "lima"], 300)})
yd = ((df.age > 40) ^ (df.city == "rome")).astype(int)
pipe = Pipeline([("prep", ColumnTransformer([("num", StandardScaler(), ["age", "income"]), ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"])])), ("clf", LogisticRegression())]).fit(df, yd)
onx = convert_sklearn(pipe, initial_types=[("age", FloatTensorType([None, 1])), ("income", FloatTensorType([None, 1])), ("city", StringTensorType([None, 1]))])
dft = df.head(12).reset_index(drop=True)
log("pipe", onx, infer_signature(df, pipe.predict(df)))
out["pipe"] = {"records": json.loads(dft.to_json(orient="records")), "proba": pipe.predict_proba(dft).tolist(), "label": pipe.predict(dft).tolist()}

# An ONNX file logged as a plain artifact, not as an MLflow model.
import tempfile
d = tempfile.mkdtemp()
with open(os.path.join(d, "lr.onnx"), "wb") as f:
    f.write(to_onnx(lr, X[:1]).SerializeToString())
with mlflow.start_run() as run:
    mlflow.log_artifact(os.path.join(d, "lr.onnx"), "raw")
out["raw_uri"] = f"runs:/{run.info.run_id}/raw/lr.onnx"
print(json.dumps(out))
`;

let server: RunningServer;
let py: any;

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, json };
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

const close = (a: number[], b: number[], what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-5, `${what}[${i}]: ${v} vs sklearn ${b[i]}`));
};

/** Probabilities as sklearn's matrix from an MLflow answer (ZipMap {label: p} records, or plain rows). */
const probaRows = (predictions: any[], key = 'output_probability'): number[][] =>
  predictions.map((p) => {
    const v = p[key];
    return Array.isArray(v) ? v : Object.keys(v).sort((a, b) => Number(a) - Number(b)).map((k) => v[k]);
  });

describe('serving sklearn models logged by the real mlflow client', () => {
  before(async () => {
    server = await startPharosServer();
    py = await runPython(TRAIN, { MLFLOW_TRACKING_URI: server.url });
  });
  after(async () => {
    await server?.stop();
  });

  test('pharos deploy (CLI) creates a deployment of an alias; OIP v2 and /invocations answer like scikit-learn', async () => {
    const res = await cli(['deploy', 'churn', '--model', 'models:/lr@champion', '--json']);
    assert.equal(res.code, 0, res.err);
    const d = JSON.parse(res.out);
    assert.equal(d.ready, true, d.reason);
    assert.equal(d.stable.model_version, '1');

    const meta = await http('GET', '/v2/models/churn');
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.json.inputs, [{ name: 'X', datatype: 'FP32', shape: [-1, 4] }]);
    assert.deepEqual(meta.json.outputs.map((o: any) => [o.name, o.datatype, o.shape]), [
      ['output_label', 'INT64', [-1]],
      ['output_probability', 'FP32', [-1, 2]],
    ]);
    assert.equal((await http('GET', '/v2/models/churn/ready')).status, 200);
    assert.equal((await http('GET', '/v2/models/churn/versions/1/ready')).status, 200);
    assert.deepEqual((await http('GET', '/v2/health/live')).json, { live: true });

    const oip = await http('POST', '/v2/models/churn/infer', { inputs: [{ name: 'X', shape: [py.X.length, 4], datatype: 'FP32', data: py.X.flat() }] });
    assert.equal(oip.status, 200, JSON.stringify(oip.json));
    const byName = Object.fromEntries(oip.json.outputs.map((o: any) => [o.name, o]));
    assert.deepEqual(byName.output_label.data, py.lr.label);
    assert.deepEqual(byName.output_probability.shape, [py.X.length, 2]);
    close(byName.output_probability.data, py.lr.proba.flat(), 'OIP probabilities');

    for (const body of [{ instances: py.X }, { inputs: py.X }, { dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: py.X } }]) {
      const inv = await http('POST', '/deployments/churn/invocations', body);
      assert.equal(inv.status, 200, JSON.stringify(inv.json));
      assert.deepEqual(inv.json.predictions.map((p: any) => p.output_label), py.lr.label);
      close(probaRows(inv.json.predictions).flat(), py.lr.proba.flat(), '/invocations probabilities');
    }
  });

  test('random forest (3 classes, ZipMap), gradient boosting (ZipMap disabled) and a regressor', async () => {
    for (const name of ['rf', 'hgb', 'gbr']) {
      const created = await http('POST', '/api/v1/deployments', { name, model_uri: `models:/${name}/1` });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      assert.equal(created.json.deployment.ready, true, created.json.deployment.reason);
    }
    const rf = await http('POST', '/deployments/rf/invocations', { instances: py.X });
    assert.deepEqual(rf.json.predictions.map((p: any) => p.output_label), py.rf.label);
    close(probaRows(rf.json.predictions).flat(), py.rf.proba.flat(), 'rf');

    const hgb = await http('POST', '/v2/models/hgb/infer', { inputs: [{ name: 'X', shape: [py.X.length, 4], datatype: 'FP32', data: py.X.flat() }] });
    const hgbOut = Object.fromEntries(hgb.json.outputs.map((o: any) => [o.name, o]));
    assert.deepEqual(hgbOut.label.data, py.hgb.label);
    close(hgbOut.probabilities.data, py.hgb.proba.flat(), 'hgb');

    const gbr = await http('POST', '/deployments/gbr/invocations', { instances: py.X });
    close(gbr.json.predictions, py.gbr.pred, 'gbr');
    const gbrOip = await http('POST', '/v2/models/gbr/infer', { inputs: [{ name: 'X', shape: [py.X.length, 4], datatype: 'FP64', data: py.X.flat() }] });
    close(gbrOip.json.outputs[0].data, py.gbr.pred, 'gbr over OIP');
  });

  test('a StandardScaler + OneHotEncoder pipeline with string and float columns, checked against its MLflow signature', async () => {
    const created = await http('POST', '/api/v1/deployments', { name: 'pipe', model_uri: 'models:/pipe/1' });
    assert.equal(created.json.deployment.ready, true, created.json.deployment.reason);
    const records = await http('POST', '/deployments/pipe/invocations', { dataframe_records: py.pipe.records });
    assert.equal(records.status, 200, JSON.stringify(records.json));
    assert.deepEqual(records.json.predictions.map((p: any) => p.output_label), py.pipe.label);
    close(probaRows(records.json.predictions).flat(), py.pipe.proba.flat(), 'pipe');
    const cols = ['city', 'age', 'income'];
    const split = await http('POST', '/deployments/pipe/invocations', { dataframe_split: { columns: cols, data: py.pipe.records.map((r: any) => cols.map((c) => r[c])) } });
    close(probaRows(split.json.predictions).flat(), py.pipe.proba.flat(), 'pipe split');
    const oip = await http('POST', '/v2/models/pipe/infer', {
      inputs: cols.map((c) => ({ name: c, shape: [py.pipe.records.length, 1], datatype: c === 'city' ? 'BYTES' : 'FP32', data: py.pipe.records.map((r: any) => r[c]) })),
    });
    assert.equal(oip.status, 200, JSON.stringify(oip.json));
    close(oip.json.outputs.find((o: any) => o.name === 'output_probability').data, py.pipe.proba.flat(), 'pipe OIP');
    const csv = [cols.join(','), ...py.pipe.records.map((r: any) => cols.map((c) => r[c]).join(','))].join('\n');
    const fromCsv = await fetch(`${server.url}/deployments/pipe/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv }).then((r) => r.json() as Promise<any>);
    close(probaRows(fromCsv.predictions).flat(), py.pipe.proba.flat(), 'pipe CSV');
    const meta = await http('GET', '/v2/models/pipe');
    assert.deepEqual(meta.json.inputs, [
      { name: 'age', datatype: 'FP32', shape: [-1] },
      { name: 'income', datatype: 'FP32', shape: [-1] },
      { name: 'city', datatype: 'BYTES', shape: [-1] },
    ]);
  });

  test('bad inputs are 400s naming the column and what was expected', async () => {
    const r = py.pipe.records[0];
    const cases: Array<[string, unknown, RegExp]> = [
      ['/deployments/pipe/invocations', { dataframe_records: [{ age: r.age, income: r.income }] }, /missing column 'city'/],
      ['/deployments/pipe/invocations', { dataframe_records: [{ ...r, zip: 1 }] }, /unexpected column 'zip'/],
      ['/deployments/pipe/invocations', { dataframe_records: [{ ...r, age: 'forty' }] }, /column 'age': expected a number \(float\)/],
      ['/deployments/churn/invocations', { instances: [[1, 2, 3]] }, /input 'X': expected shape \[-1, 4\]/],
      ['/deployments/churn/invocations', { rows: [] }, /one of dataframe_split, dataframe_records, instances, inputs/],
    ];
    for (const [path, body, message] of cases) {
      const res = await http('POST', path, body);
      assert.equal(res.status, 400, JSON.stringify(res.json));
      assert.equal(res.json.error_code, 'INVALID_PARAMETER_VALUE');
      assert.match(res.json.message, message);
    }
    const oip = await http('POST', '/v2/models/churn/infer', { inputs: [{ name: 'X', shape: [1, 4], datatype: 'BYTES', data: ['a', 'b', 'c', 'd'] }] });
    assert.equal(oip.status, 400);
    assert.match(oip.json.error, /input 'X': expected datatype FP32, got BYTES/);
    assert.equal((await http('POST', '/v2/models/nope/infer', { inputs: [] })).status, 404);
  });

  test('an ONNX file logged as a plain run artifact is served too', async () => {
    const created = await http('POST', '/api/v1/deployments', { name: 'raw', model_uri: py.raw_uri });
    assert.equal(created.json.deployment.ready, true, created.json.deployment.reason);
    const inv = await http('POST', '/deployments/raw/invocations', { instances: py.X });
    close(probaRows(inv.json.predictions).flat(), py.lr.proba.flat(), 'raw artifact');
  });

  test('moving the champion alias switches traffic under concurrent load with zero failed requests', async () => {
    let failures = 0;
    let stop = false;
    const answers: number[] = [];
    const body = { instances: [py.X[0]] };
    const clients = Array.from({ length: 6 }, async () => {
      while (!stop) {
        const res = await http('POST', '/deployments/churn/invocations', body).catch(() => ({ status: 0, json: null }));
        if (res.status !== 200) failures++;
        else answers.push(res.json.predictions[0].output_probability['1']);
      }
    });
    await runPython(`from mlflow import MlflowClient\nMlflowClient().set_registered_model_alias("lr", "champion", 2)\nprint("{}")`, { MLFLOW_TRACKING_URI: server.url });
    // The server re-resolves aliases every 2 s; refresh makes the test independent of the poll.
    await http('POST', '/api/v1/deployments/churn/refresh');
    const after = answers.length;
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(clients);
    assert.equal(failures, 0);
    const v1 = py.lr.proba[0][1];
    const v2 = py.lr2.proba[0][1];
    assert.ok(answers.some((a) => Math.abs(a - v1) < 1e-5), 'version 1 answered before the move');
    const late = answers.slice(after + 6);
    assert.ok(late.length > 0 && late.every((a) => Math.abs(a - v2) < 1e-5), 'version 2 answers after the move');
    const d = await http('GET', '/api/v1/deployments/churn');
    assert.equal(d.json.deployment.stable.model_version, '2');
    assert.ok(d.json.deployment.history.some((e: any) => e.action === 'model_switched' && /moved from version 1 to 2/.test(e.reason)));
  });

  test('canary by CLI, promotion by CLI, and the routing history in the audit trail', async () => {
    const res = await cli(['deploy', 'churn', '--model', 'models:/lr@champion', '--canary', 'models:/lr/1', '--canary-percent', '30', '--no-auto-promote', '--max-latency-ratio', '1000', '--json']);
    assert.equal(res.code, 0, res.err);
    assert.equal(JSON.parse(res.out).candidate.percent, 30);
    let canary = 0;
    for (let i = 0; i < 60; i++) {
      const inv = await http('POST', '/deployments/churn/invocations', { instances: [py.X[0]] });
      if (Math.abs(inv.json.predictions[0].output_probability['1'] - py.lr.proba[0][1]) < 1e-5) canary++;
    }
    assert.ok(canary > 0 && canary < 60, `canary answered ${canary} of 60`);
    const promoted = await cli(['deployments', 'promote', 'churn', '--reason', 'canary looks fine', '--json']);
    assert.equal(promoted.code, 0, promoted.err);
    assert.equal(JSON.parse(promoted.out).stable.uri, 'models:/lr/1');
    const listed = await cli(['deployments', 'list']);
    assert.match(listed.out, /churn/);
    const audit = await fetch(`${server.url}/metrics`).then((r) => r.text());
    assert.match(audit, /pharos_serving_requests_total\{deployment="churn",version="1",role="canary",protocol="mlflow"\} \d+/);
    assert.match(audit, /pharos_serving_batch_rows_bucket/);
    const got = await http('GET', '/api/v1/deployments/churn');
    assert.deepEqual(
      got.json.deployment.history.map((e: any) => e.action).filter((a: string) => a !== 'model_switched'),
      ['create', 'update', 'promote'],
    );
    assert.equal(got.json.deployment.history.at(-1).reason, 'canary looks fine');
    const log = await http('GET', '/api/v1/deployments/churn/inference-log?last=5');
    assert.equal(log.json.rows.length, 5);
    assert.deepEqual(Object.keys(log.json.rows[0].features), ['X']);
  });

  test('a standalone pharos serve answers like mlflow models serve', async () => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'serve', '--model', 'models:/rf/1', '--tracking-uri', server.url, '--port', '0'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        const timer = setTimeout(() => reject(new Error(`pharos serve did not start: ${err}`)), 60_000);
        child.stderr!.on('data', (d) => (err += d));
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) (clearTimeout(timer), resolve(m[1]));
        });
        child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`pharos serve exited ${code}: ${err}`))));
      });
      assert.equal((await fetch(`${url}/ping`)).status, 200);
      const inv = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: py.X } }) }).then((r) => r.json() as Promise<any>);
      close(probaRows(inv.predictions).flat(), py.rf.proba.flat(), 'standalone rf');
      const oip = await fetch(`${url}/v2/models/rf/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'X', shape: [1, 4], datatype: 'FP32', data: py.X[0] }] }) }).then((r) => r.json() as Promise<any>);
      assert.deepEqual(oip.outputs[0].data, [py.rf.label[0]]);
      const bad = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [[1]] }) });
      assert.equal(bad.status, 400);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  });
});
