import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runPython, startPharosServer, type RunningServer } from '../support/server.ts';
import { trackingBackends } from './tracking-backends.ts';

/**
 * The real mlflow 3.17 Python client, unmodified, against a real Pharos server: realistic training scripts
 * print JSON on their last line and the assertions here check what the server stored and returned.
 */
for (const backend of await trackingBackends()) describe(`mlflow client → Pharos tracking (${backend.name})`, () => {
  let server: RunningServer;
  const py = (code: string) => runPython(code, { MLFLOW_TRACKING_URI: server.url });

  before(async () => {
    server = await startPharosServer({ args: await backend.args() });
  });
  after(async () => {
    await server?.stop();
  });

  it('runs a training script: experiment, nested runs, params, metrics, tags, artifacts', async () => {
    const out = await py(`
import json, os, tempfile, math
import mlflow
from mlflow import MlflowClient

mlflow.set_experiment("compat-basic")
with mlflow.start_run(run_name="parent") as parent:
    mlflow.log_param("alpha", 0.5)
    mlflow.log_params({"layers": 3, "optimizer": "adam"})
    mlflow.log_param("alpha", 0.5)  # same value again is fine
    for step in range(5):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step, timestamp=1700000000000 + step)
    mlflow.log_metrics({"acc": 0.91, "nan_metric": float("nan"), "inf_metric": float("inf")}, step=7)
    mlflow.set_tag("team", "vision")
    mlflow.set_tags({"stage": "dev", "owner": "ana"})
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "hello.txt"), "w") as f:
        f.write("hello pharos")
    sub = os.path.join(d, "sub"); os.makedirs(sub)
    with open(os.path.join(sub, "data.bin"), "wb") as f:
        f.write(bytes(range(256)) * 40)
    mlflow.log_artifact(os.path.join(d, "hello.txt"))
    mlflow.log_artifacts(sub, artifact_path="bundle")
    mlflow.log_dict({"lr": 0.01, "layers": [64, 32]}, "config/params.json")
    mlflow.log_text("some notes", "notes/readme.md")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 1, 0])
    mlflow.log_figure(fig, "plots/curve.png")
    with mlflow.start_run(run_name="child", nested=True) as child:
        mlflow.log_metric("child_metric", 42.0)

client = MlflowClient()
run = client.get_run(parent.info.run_id)
child_run = client.get_run(child.info.run_id)
history = client.get_metric_history(parent.info.run_id, "loss")
top = [f.path for f in client.list_artifacts(parent.info.run_id)]
bundle = [(f.path, f.file_size) for f in client.list_artifacts(parent.info.run_id, "bundle")]
dst = tempfile.mkdtemp()
local = mlflow.artifacts.download_artifacts(run_id=parent.info.run_id, dst_path=dst)
hello = open(os.path.join(local, "hello.txt")).read()
blob_ok = open(os.path.join(local, "bundle", "data.bin"), "rb").read() == bytes(range(256)) * 40
conf = mlflow.artifacts.load_dict(parent.info.artifact_uri + "/config/params.json")
png_magic = open(os.path.join(local, "plots", "curve.png"), "rb").read()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"

conflict = None
try:
    client.log_param(parent.info.run_id, "alpha", "0.7")
except mlflow.exceptions.MlflowException as e:
    conflict = e.error_code

print(json.dumps({
    "experiment_id": parent.info.experiment_id,
    "artifact_uri": run.info.artifact_uri,
    "status": run.info.status,
    "run_name": run.info.run_name,
    "params": run.data.params,
    "metrics": {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in run.data.metrics.items()},
    "nan_is_nan": math.isnan(run.data.metrics["nan_metric"]),
    "tags": {k: v for k, v in run.data.tags.items()},
    "child_parent": child_run.data.tags.get("mlflow.parentRunId"),
    "child_status": child_run.info.status,
    "history": [(m.step, m.value, m.timestamp) for m in history],
    "top": top,
    "bundle": bundle,
    "hello": hello,
    "blob_ok": blob_ok,
    "conf": conf,
    "png_magic": png_magic,
    "conflict": conflict,
}))
`);
    assert.match(out.artifact_uri, /^mlflow-artifacts:\/\d+\/[0-9a-f]{32}\/artifacts$/);
    assert.equal(out.status, 'FINISHED');
    assert.equal(out.run_name, 'parent');
    assert.deepEqual(out.params, { alpha: '0.5', layers: '3', optimizer: 'adam' });
    assert.equal(out.metrics.loss, 0.2);
    assert.equal(out.metrics.acc, 0.91);
    assert.equal(out.nan_is_nan, true);
    assert.ok(out.metrics.inf_metric > 1e308, 'infinity comes back as the largest double, as MLflow does');
    assert.equal(out.tags.team, 'vision');
    assert.equal(out.tags.stage, 'dev');
    assert.equal(out.tags['mlflow.runName'], 'parent');
    assert.equal(out.child_status, 'FINISHED');
    assert.ok(out.child_parent);
    assert.deepEqual(
      out.history,
      [0, 1, 2, 3, 4].map((s) => [s, 1 / (s + 1), 1700000000000 + s]),
    );
    assert.deepEqual(out.top, ['bundle', 'config', 'hello.txt', 'notes', 'plots']);
    assert.equal(out.png_magic, true);
    assert.deepEqual(out.bundle, [['bundle/data.bin', 10240]]);
    assert.equal(out.hello, 'hello pharos');
    assert.equal(out.blob_ok, true);
    assert.deepEqual(out.conf, { lr: 0.01, layers: [64, 32] });
    assert.equal(out.conflict, 'INVALID_PARAMETER_VALUE');
  });

  it('answers server-info, so a large artifact goes up in one streamed PUT when multipart is not offered', async () => {
    const out = await runPython(
      `
import json, os, tempfile, hashlib
import mlflow
from mlflow.utils.server_info import fetch_server_info
from mlflow.utils.rest_utils import MlflowHostCreds
info = fetch_server_info(MlflowHostCreds(os.environ["MLFLOW_TRACKING_URI"]))
mlflow.set_experiment("compat-server-info")
d = tempfile.mkdtemp()
path = os.path.join(d, "big.bin")
with open(path, "wb") as f:
    f.write(os.urandom(3 * 1024 * 1024))
with mlflow.start_run() as run:
    mlflow.log_artifact(path)
back = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="big.bin")
same = hashlib.sha256(open(path, "rb").read()).hexdigest() == hashlib.sha256(open(back, "rb").read()).hexdigest()
print(json.dumps({"status": info.status_code, "data": info.data, "same": same}))
`,
      // The client asks /api/3.0/mlflow/server-info before uploading any file at least this big.
      { MLFLOW_TRACKING_URI: server.url, MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE: '1048576' },
    );
    assert.equal(out.status, 200);
    assert.equal(out.data.store_type, 'SqlStore');
    assert.equal(out.data.multipart_uploads_enabled, false);
    assert.equal(out.data.multipart_downloads_enabled, false);
    assert.equal(out.same, true);
  });

  it('searches runs with filters, order_by and paging; deletes and restores runs', async () => {
    const out = await py(`
import json
import mlflow
from mlflow import MlflowClient
from mlflow.entities import ViewType

exp_id = mlflow.set_experiment("compat-search").experiment_id
for i in range(7):
    with mlflow.start_run(run_name=f"r{i}"):
        mlflow.log_param("i", i)
        mlflow.log_metric("score", i * 10)
        mlflow.set_tag("parity", "even" if i % 2 == 0 else "odd")

c = MlflowClient()
best = c.search_runs([exp_id], "metrics.score >= 30", order_by=["metrics.score DESC"])
even = c.search_runs([exp_id], "tags.parity = 'even' and params.i != '0'", order_by=["params.i ASC"])
pages, token = [], None
while True:
    page = c.search_runs([exp_id], "", order_by=["metrics.score ASC"], max_results=3, page_token=token)
    pages.append([r.data.params["i"] for r in page])
    token = page.token
    if not token:
        break
victim = best[0].info.run_id
c.delete_run(victim)
active_after_delete = len(c.search_runs([exp_id]))
deleted_only = [r.info.run_id for r in c.search_runs([exp_id], run_view_type=ViewType.DELETED_ONLY)]
logging_deleted = None
try:
    c.log_metric(victim, "score", 1.0)
except mlflow.exceptions.MlflowException as e:
    logging_deleted = e.error_code
c.restore_run(victim)
active_after_restore = len(c.search_runs([exp_id]))
fluent = mlflow.search_runs(experiment_ids=[exp_id], filter_string="params.i = '3'")
bad_filter = None
try:
    c.search_runs([exp_id], "metrics.score >>> 3")
except mlflow.exceptions.MlflowException as e:
    bad_filter = e.error_code
print(json.dumps({
    "best": [r.data.metrics["score"] for r in best],
    "even": [r.data.params["i"] for r in even],
    "pages": pages,
    "victim_in_deleted": deleted_only == [victim],
    "active_after_delete": active_after_delete,
    "active_after_restore": active_after_restore,
    "logging_deleted": logging_deleted,
    "fluent_rows": len(fluent),
    "fluent_name": fluent["tags.mlflow.runName"].tolist(),
    "bad_filter": bad_filter,
}))
`);
    assert.deepEqual(out.best, [60, 50, 40, 30]);
    assert.deepEqual(out.even, ['2', '4', '6']);
    assert.deepEqual(out.pages, [['0', '1', '2'], ['3', '4', '5'], ['6']]);
    assert.equal(out.victim_in_deleted, true);
    assert.equal(out.active_after_delete, 6);
    assert.equal(out.active_after_restore, 7);
    assert.equal(out.logging_deleted, 'INVALID_PARAMETER_VALUE');
    assert.equal(out.fluent_rows, 1);
    assert.deepEqual(out.fluent_name, ['r3']);
    assert.equal(out.bad_filter, 'INVALID_PARAMETER_VALUE');
  });

  it('pages through a long metric history and logs big batches', async () => {
    const out = await py(`
import json, time
import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric

mlflow.set_experiment("compat-history")
c = MlflowClient()
with mlflow.start_run() as run:
    now = int(time.time() * 1000)
    metrics = [Metric("curve", float(i), now + i, i) for i in range(3000)]
    for start in range(0, 3000, 1000):
        c.log_batch(run.info.run_id, metrics=metrics[start:start + 1000])
history = c.get_metric_history(run.info.run_id, "curve")
latest = c.get_run(run.info.run_id).data.metrics["curve"]
# The client splits an oversized batch into several requests of at most 1000 metrics itself.
c.log_batch(run.info.run_id, metrics=[Metric("split", float(i), now, i) for i in range(2500)])
split_n = len(c.get_metric_history(run.info.run_id, "split"))
print(json.dumps({"n": len(history), "first": history[0].step, "last": history[-1].step, "ordered": [m.step for m in history] == list(range(3000)), "latest": latest, "split_n": split_n}))
`);
    assert.equal(out.n, 3000);
    assert.equal(out.ordered, true);
    assert.equal(out.latest, 2999);
    assert.equal(out.split_n, 2500);
  });

  it('logs datasets as run inputs and a scikit-learn model as an MLflow 3 logged model', async () => {
    const out = await py(`
import json, os, tempfile
import numpy as np, pandas as pd
import mlflow
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression

mlflow.set_experiment("compat-models")
rng = np.random.default_rng(0)
X = rng.random((40, 3)); y = (X[:, 0] > 0.5).astype(int)
with mlflow.start_run() as run:
    ds = mlflow.data.from_pandas(pd.DataFrame(X, columns=["a", "b", "c"]), name="train-set")
    mlflow.log_input(ds, context="training")
    model = LogisticRegression().fit(X, y)
    info = mlflow.sklearn.log_model(model, name="clf", input_example=X[:2])
    mlflow.log_metric("accuracy", float(model.score(X, y)), model_id=info.model_id)
c = MlflowClient()
r = c.get_run(run.info.run_id)
lm = c.get_logged_model(info.model_id)
loaded = mlflow.sklearn.load_model(info.model_uri)
same = loaded.predict(X).tolist() == model.predict(X).tolist()
dst = tempfile.mkdtemp()
files = sorted(os.listdir(mlflow.artifacts.download_artifacts(artifact_uri=lm.artifact_location, dst_path=dst)))
print(json.dumps({
    "dataset": r.inputs.dataset_inputs[0].dataset.name,
    "context": {t.key: t.value for t in r.inputs.dataset_inputs[0].tags}.get("mlflow.data.context"),
    "outputs": [o.model_id for o in r.outputs.model_outputs] if r.outputs else [],
    "model_id": info.model_id,
    "status": str(lm.status),
    "artifact_location": lm.artifact_location,
    "experiment_id": lm.experiment_id,
    "source_run_id": lm.source_run_id,
    "model_metrics": [(m.key, m.run_id) for m in lm.metrics],
    "same_predictions": same,
    "files": files,
}))
`);
    assert.equal(out.dataset, 'train-set');
    assert.equal(out.context, 'training');
    assert.deepEqual(out.outputs, [out.model_id]);
    assert.match(out.model_id, /^m-[0-9a-f]{32}$/);
    assert.match(out.status, /READY/);
    assert.equal(out.artifact_location, `mlflow-artifacts:/${out.experiment_id}/models/${out.model_id}/artifacts`);
    assert.ok(out.source_run_id);
    assert.deepEqual(out.model_metrics, [['accuracy', out.source_run_id]]);
    assert.equal(out.same_predictions, true);
    assert.ok(out.files.includes('MLmodel'));
    assert.ok(out.files.some((f: string) => f.startsWith('model.')));
  });

  it('manages experiments: tags, rename, search, delete and restore', async () => {
    const out = await py(`
import json
import mlflow
from mlflow import MlflowClient
from mlflow.entities import ViewType
c = MlflowClient()
eid = c.create_experiment("compat-exp-a", tags={"project": "pharos"})
c.set_experiment_tag(eid, "phase", "1")
c.rename_experiment(eid, "compat-exp-b")
e = c.get_experiment_by_name("compat-exp-b")
dup = None
try:
    c.create_experiment("compat-exp-b")
except mlflow.exceptions.MlflowException as ex:
    dup = ex.error_code
found = [x.name for x in c.search_experiments(filter_string="name LIKE 'compat-exp-%'")]
c.delete_experiment(eid)
deleted = c.get_experiment(eid).lifecycle_stage
active_names = [x.name for x in c.search_experiments()]
c.restore_experiment(eid)
missing = None
try:
    c.get_experiment("987654")
except mlflow.exceptions.MlflowException as ex:
    missing = ex.error_code
print(json.dumps({"name": e.name, "tags": e.tags, "location": e.artifact_location, "eid": eid, "dup": dup, "found": found,
  "deleted": deleted, "hidden": "compat-exp-b" not in active_names, "restored": c.get_experiment(eid).lifecycle_stage, "missing": missing}))
`);
    assert.equal(out.name, 'compat-exp-b');
    assert.deepEqual(out.tags, { project: 'pharos', phase: '1' });
    assert.equal(out.location, `mlflow-artifacts:/${out.eid}`);
    assert.equal(out.dup, 'RESOURCE_ALREADY_EXISTS');
    assert.deepEqual(out.found, ['compat-exp-b']);
    assert.equal(out.deleted, 'deleted');
    assert.equal(out.hidden, true);
    assert.equal(out.restored, 'active');
    assert.equal(out.missing, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('sklearn autolog, the MLflow 3 logged-model API (tags, params, initialize/finalize, search), log_table and log_image', async () => {
    const out = await py(`
import json, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
import mlflow
from mlflow import MlflowClient
from sklearn.ensemble import RandomForestClassifier

mlflow.set_experiment("compat-autolog")
mlflow.sklearn.autolog()
rng = np.random.default_rng(1)
X = pd.DataFrame(rng.random((60, 4)), columns=list("abcd")); y = (X.a > 0.5).astype(int)
with mlflow.start_run() as run:
    RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
mlflow.sklearn.autolog(disable=True)
c = MlflowClient()
r = c.get_run(run.info.run_id)
lm = mlflow.last_logged_model()
mlflow.set_logged_model_tags(lm.model_id, {"reviewed": "yes", "owner": "ana"})
mlflow.delete_logged_model_tag(lm.model_id, "reviewed")
mlflow.log_model_params({"extra": "1"}, model_id=lm.model_id)
manual = mlflow.initialize_logged_model(name="manual", params={"p": "1"})
pending = str(c.get_logged_model(manual.model_id).status)
mlflow.finalize_logged_model(manual.model_id, "READY")
found = c.search_logged_models(experiment_ids=[run.info.experiment_id], filter_string="name = 'manual'")
with mlflow.start_run() as r2:
    mlflow.log_table({"x": [1, 2], "y": ["a", "b"]}, "tbl.json")
    mlflow.log_image(np.zeros((4, 4, 3), dtype=np.uint8), "img.png")
reloaded = c.get_logged_model(lm.model_id)
print(json.dumps({
    "has_training_metrics": "training_accuracy_score" in r.data.metrics,
    "n_params": len(r.data.params),
    "datasets": len(r.inputs.dataset_inputs),
    "autolog_model_source": lm.source_run_id == run.info.run_id,
    "model_tags": {k: v for k, v in reloaded.tags.items() if not k.startswith("mlflow.")},
    "extra_param": reloaded.params.get("extra"),
    "pending": pending,
    "manual_status": str(c.get_logged_model(manual.model_id).status),
    "found": [m.model_id for m in found] == [manual.model_id],
    "r2_artifacts": [f.path for f in c.list_artifacts(r2.info.run_id)],
}))
`);
    assert.equal(out.has_training_metrics, true);
    assert.ok(out.n_params > 5);
    assert.ok(out.datasets >= 1);
    assert.equal(out.autolog_model_source, true);
    assert.deepEqual(out.model_tags, { owner: 'ana' });
    assert.equal(out.extra_param, '1');
    assert.match(out.pending, /PENDING/);
    assert.match(out.manual_status, /READY/);
    assert.equal(out.found, true);
    assert.deepEqual(out.r2_artifacts, ['img.png', 'tbl.json']);
  });
});
