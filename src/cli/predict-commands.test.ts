import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPython, startPharosServer, type RunningServer } from '../../test/support/server.ts';

/**
 * `pharos predict` end to end: a real scikit-learn RandomForest converted by skl2onnx (default ZipMap output),
 * 200k rows as CSV and as Parquet (several row groups), the CLI run as a child process, and the predictions
 * compared with sklearn's own in Python.
 */
const ROWS = 200_000;
const dir = mkdtempSync(join(tmpdir(), 'pharos-predict-'));
let server: RunningServer | undefined;
after(async () => {
  await server?.stop();
  // ~80 MB of generated data a run.
  rmSync(dir, { recursive: true, force: true });
});

before(async () => {
  await runPython(`
import json, os
import numpy as np, pandas as pd
import mlflow.onnx
from mlflow.models import infer_signature
from skl2onnx import to_onnx
from sklearn.ensemble import RandomForestClassifier

d = ${JSON.stringify(dir)}
rng = np.random.default_rng(7)
X = rng.normal(size=(${ROWS}, 20)).astype(np.float32)
y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(scale=0.5, size=${ROWS}) > 0).astype(int)
columns = [f"f{i}" for i in range(20)]
model = RandomForestClassifier(n_estimators=30, max_depth=8, random_state=0, n_jobs=1).fit(X[:5000], y[:5000])
onx = to_onnx(model, X[:1], target_opset={"": 17, "ai.onnx.ml": 3})
with open(os.path.join(d, "model.onnx"), "wb") as f:
    f.write(onx.SerializeToString())
# The same graph as an MLflow model whose signature names the feature columns (the CSV also has an id and a label).
frame = pd.DataFrame(X, columns=columns)
mlflow.onnx.save_model(onx, os.path.join(d, "mlflow-model"), signature=infer_signature(frame.head(100), model.predict(X[:100])))

np.save(os.path.join(d, "proba.npy"), model.predict_proba(X))
np.save(os.path.join(d, "label.npy"), model.predict(X))
frame.to_parquet(os.path.join(d, "features.parquet"), row_group_size=25_000, index=False)
with_id = frame.copy()
with_id.insert(0, "id", np.arange(${ROWS}) * 3)
with_id["target"] = y
with_id.to_csv(os.path.join(d, "features.csv"), index=False)
print(json.dumps({"ok": True}))
`);
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Reads the CLI's output in pandas and returns how far it is from sklearn's predictions. */
async function compareWithSklearn(output: string, probaColumns: string[], labelColumn: string, idColumn?: string) {
  return runPython(`
import json, numpy as np, pandas as pd
d = ${JSON.stringify(dir)}
out = pd.read_parquet(${JSON.stringify(output)}) if ${JSON.stringify(output)}.endswith(".parquet") else pd.read_csv(${JSON.stringify(output)})
proba = np.load(d + "/proba.npy"); label = np.load(d + "/label.npy")
got = out[${JSON.stringify(probaColumns)}].to_numpy()
res = {
  "rows": len(out),
  "columns": list(out.columns),
  "max_proba_diff": float(np.abs(got - proba).max()),
  "label_mismatches": int((out[${JSON.stringify(labelColumn)}].to_numpy().astype(int) != label).sum()),
}
if ${JSON.stringify(idColumn ?? '')}:
  res["ids_in_order"] = bool((out[${JSON.stringify(idColumn ?? '')}].to_numpy() == np.arange(len(out)) * 3).all())
print(json.dumps(res))
`);
}

test('predict: Parquet in, Parquet out, equal to sklearn within 1e-5, rows in order, bounded memory', async () => {
  const output = join(dir, 'preds.parquet');
  const r = await runCli(['predict', '--model', join(dir, 'model.onnx'), '--input', join(dir, 'features.parquet'), '--output', output, '--batch-size', '4096', '--workers', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.rows, ROWS);
  assert.equal(summary.batches, Math.ceil(25_000 / 4096) * (ROWS / 25_000));
  assert.deepEqual(summary.columns, ['output_label', 'output_probability_0', 'output_probability_1']);
  // Loose on purpose: the whole input as JS values plus outputs would be far above this only for much larger files;
  // here it guards against accidental whole-file buffering of inputs and outputs together with two sessions.
  assert.ok(summary.peakRssBytes < 1024 ** 3, `peak RSS ${summary.peakRssBytes} bytes`);
  const cmp = await compareWithSklearn(output, ['output_probability_0', 'output_probability_1'], 'output_label');
  assert.equal(cmp.rows, ROWS);
  assert.ok(cmp.max_proba_diff < 1e-5, `max |onnx - sklearn| = ${cmp.max_proba_diff}`);
  assert.equal(cmp.label_mismatches, 0);
});

test('predict: CSV with extra columns, MLflow model folder (signature picks features), kept id in order', async () => {
  const output = join(dir, 'preds.csv');
  const r = await runCli(['predict', '--model', join(dir, 'mlflow-model'), '--input', join(dir, 'features.csv'), '--output', output, '--keep', 'id', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.rows, ROWS);
  assert.deepEqual(summary.columns, ['id', 'output_label', 'output_probability_0', 'output_probability_1']);
  assert.ok(summary.peakRssBytes < 1024 ** 3, `peak RSS ${summary.peakRssBytes} bytes`);
  const cmp = await compareWithSklearn(output, ['output_probability_0', 'output_probability_1'], 'output_label', 'id');
  assert.equal(cmp.rows, ROWS);
  assert.equal(cmp.ids_in_order, true);
  assert.ok(cmp.max_proba_diff < 1e-5, `max |onnx - sklearn| = ${cmp.max_proba_diff}`);
  assert.equal(cmp.label_mismatches, 0);
});

test('predict: a file whose columns do not fit the model is a clear error, not a crash', async () => {
  // No signature and 22 columns (id, f0..f19, target) for a 20-feature input: the user must choose.
  const r = await runCli(['predict', '--model', join(dir, 'model.onnx'), '--input', join(dir, 'features.csv'), '--output', join(dir, 'x.csv')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /takes 20 features but the file has 22 columns.*--columns/);
  const missing = await runCli(['predict', '--model', join(dir, 'model.onnx'), '--input', join(dir, 'features.csv'), '--output', join(dir, 'x.csv'), '--columns', 'f0,f1,nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no column 'nope'/);
  const badOut = await runCli(['predict', '--model', join(dir, 'model.onnx'), '--input', join(dir, 'features.parquet'), '--output', join(dir, 'x.json')]);
  assert.equal(badOut.code, 1);
  assert.match(badOut.stderr, /unknown table format/);
});

test('predict --model models:/churn@champion: through the server (download) and through the local store', async () => {
  server = await startPharosServer();
  // Registered with the real mlflow client, as a data scientist would.
  await runPython(`
import mlflow, mlflow.onnx, onnx
from mlflow import MlflowClient
mlflow.set_tracking_uri(${JSON.stringify(server.url)})
onx = onnx.load(${JSON.stringify(join(dir, 'model.onnx'))})
with mlflow.start_run():
    mlflow.onnx.log_model(onx, name="model", registered_model_name="churn")
MlflowClient().set_registered_model_alias("churn", "champion", "1")
print("{}")
`);
  const viaServer = join(dir, 'registry-remote.parquet');
  const remote = await runCli(['predict', '--model', 'models:/churn@champion', '--url', server.url, '--input', join(dir, 'features.parquet'), '--output', viaServer, '--json']);
  assert.equal(remote.code, 0, remote.stderr);
  assert.equal(JSON.parse(remote.stdout).rows, ROWS);
  const cmpRemote = await compareWithSklearn(viaServer, ['output_probability_0', 'output_probability_1'], 'output_label');
  assert.ok(cmpRemote.max_proba_diff < 1e-5, `max |onnx - sklearn| = ${cmpRemote.max_proba_diff}`);
  assert.equal(cmpRemote.label_mismatches, 0);

  const viaStore = join(dir, 'registry-local.csv');
  const local = await runCli(['predict', '--model', 'models:/churn/1', '--data-dir', server.dataDir, '--input', join(dir, 'features.parquet'), '--output', viaStore, '--json']);
  assert.equal(local.code, 0, local.stderr);
  const cmpLocal = await compareWithSklearn(viaStore, ['output_probability_0', 'output_probability_1'], 'output_label');
  assert.equal(cmpLocal.rows, ROWS);
  assert.ok(cmpLocal.max_proba_diff < 1e-5, `max |onnx - sklearn| = ${cmpLocal.max_proba_diff}`);

  const missing = await runCli(['predict', '--model', 'models:/churn@nope', '--url', server.url, '--input', join(dir, 'features.parquet'), '--output', join(dir, 'x.csv')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /could not resolve models:\/churn@nope/);
});
