import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runPython, startPharosServer, type RunningServer } from '../support/server.ts';

/** The server's store: the embedded SQLite always, and a fresh PostgreSQL database when PHAROS_TEST_PG_URI is set. */
const backends: Array<{ name: string; args: () => Promise<string[]> }> = [{ name: 'sqlite', args: async () => [] }];
if (process.env.PHAROS_TEST_PG_URI) {
  backends.push({
    name: 'postgres',
    args: async () => {
      const admin = process.env.PHAROS_TEST_PG_URI!;
      const db = `t_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${db}`);
      } finally {
        await client.end();
      }
      const u = new URL(admin);
      u.pathname = `/${db}`;
      return ['--backend-store-uri', u.toString()];
    },
  });
}

/**
 * The real mlflow 3.17 Python client, unmodified, against a real Pharos server: train scikit-learn, log it,
 * register it (runs:/ and logged-model URIs), then every registry call the client has, and load the model back
 * through models:/ and runs:/ URIs. Predictions are compared in Python and the outcome asserted here.
 * The expected values are what a real `mlflow server` 3.17 answered to the same script.
 */
const REGISTRY_FLOW = `
import json, os, warnings
warnings.filterwarnings("ignore")
import numpy as np
import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

out = {}
mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
mlflow.set_experiment("registry-compat")
X, y = load_iris(return_X_y=True)
X = X.astype(np.float32)
model = LogisticRegression(max_iter=500).fit(X, y)
expected = model.predict(X)

with mlflow.start_run() as run:
    info = mlflow.sklearn.log_model(model, name="model")
run_id = run.info.run_id
out["logged_model_uri"] = info.model_uri

P = os.environ.get("NAME_PREFIX", "")
name = P + "iris-clf"
# runs:/ URI: the 3.x client finds the logged model of the run and registers models:/m-...
mv1 = mlflow.register_model(f"runs:/{run_id}/model", name)
out["v1"] = {"version": mv1.version, "status": mv1.status, "source": mv1.source, "run_id": mv1.run_id, "model_id": getattr(mv1, "model_id", None)}
# logged-model URI directly
mv2 = mlflow.register_model(info.model_uri, name, tags={"origin": "logged-model-uri"})
out["v2"] = {"version": mv2.version, "status": mv2.status, "source": mv2.source, "tags": mv2.tags}

client = MlflowClient()
out["download_uri"] = client.get_model_version_download_uri(name, mv1.version)

# ONNX flavour of the same model as a third version
from skl2onnx import to_onnx
onx = to_onnx(model, X[:1], options={id(model): {"zipmap": False}})
with mlflow.start_run() as onnx_run:
    onnx_info = mlflow.onnx.log_model(onx, name="onnx-model")
mv3 = mlflow.register_model(f"runs:/{onnx_run.info.run_id}/onnx-model", name)
out["v3"] = {"version": mv3.version, "source": mv3.source}

# stages
client.transition_model_version_stage(name, mv1.version, "production")
t2 = client.transition_model_version_stage(name, mv2.version, "Production", archive_existing_versions=True)
out["stages"] = {v: client.get_model_version(name, v).current_stage for v in ("1", "2", "3")}
out["t2_stage"] = t2.current_stage
out["latest_production"] = [v.version for v in client.get_latest_versions(name, stages=["Production"])]
out["latest_all"] = sorted([(v.version, v.current_stage) for v in client.get_latest_versions(name)])

# aliases
client.set_registered_model_alias(name, "champion", mv2.version)
client.set_registered_model_alias(name, "onnx", mv3.version)
champ = client.get_model_version_by_alias(name, "champion")
out["champion"] = {"version": champ.version, "aliases": list(champ.aliases)}
rm = client.get_registered_model(name)
out["rm_aliases"] = dict(rm.aliases)
out["rm_latest"] = sorted([(v.version, v.current_stage) for v in rm.latest_versions])

# loading through every kind of URI; predictions must equal the in-memory model's
def pred(uri):
    return np.asarray(mlflow.pyfunc.load_model(uri).predict(X)).reshape(-1).tolist()

uris = [f"models:/{name}@champion", f"models:/{name}/1", f"models:/{name}/Production", f"runs:/{run_id}/model", info.model_uri, f"models:/{name}/latest"]
out["pred_equal"] = {}
for uri in uris[:-1]:
    out["pred_equal"][uri] = pred(uri) == expected.tolist()
onnx_pred = mlflow.pyfunc.load_model(f"models:/{name}@onnx").predict(X)
keys = list(onnx_pred.keys()) if isinstance(onnx_pred, dict) else list(onnx_pred.columns)
label_key = [k for k in keys if "label" in k.lower()][0]
out["onnx_pred_equal"] = np.asarray(onnx_pred[label_key]).reshape(-1).tolist() == expected.tolist()
out["sklearn_flavor_equal"] = mlflow.sklearn.load_model(f"models:/{name}@champion").predict(X).tolist() == expected.tolist()

# copying a version to another model, and a low-level create_model_version with a runs:/ source
copied = client.copy_model_version(f"models:/{name}/1", P + "iris-copy")
out["copied"] = {"version": copied.version, "source": copied.source, "status": copied.status}
out["copied_pred_equal"] = pred(f"models:/{P}iris-copy/1") == expected.tolist()
low = client.create_model_version(P + "iris-copy", f"runs:/{run_id}/model", run_id=run_id)
out["low_level"] = {"version": low.version, "source": low.source, "run_id": low.run_id, "status": low.status}
out["low_level_pred_equal"] = pred(f"models:/{P}iris-copy/{low.version}") == expected.tolist()

# registered model CRUD
client.create_registered_model(P + "scratch", tags={"a": "1"}, description="d")
client.rename_registered_model(P + "scratch", P + "scratch2")
out["renamed"] = client.get_registered_model(P + "scratch2").name
client.update_registered_model(P + "scratch2", description="d2")
client.set_registered_model_tag(P + "scratch2", "b", "2")
client.delete_registered_model_tag(P + "scratch2", "a")
s2 = client.get_registered_model(P + "scratch2")
out["scratch2"] = {"description": s2.description, "tags": s2.tags}
try:
    client.get_registered_model(P + "scratch")
    out["old_name_gone"] = False
except MlflowException as e:
    out["old_name_gone"] = e.error_code == "RESOURCE_DOES_NOT_EXIST"
try:
    client.create_registered_model(P + "scratch2")
    out["dup_error"] = None
except MlflowException as e:
    out["dup_error"] = e.error_code

# version metadata
client.update_model_version(name, mv1.version, description="first")
client.set_model_version_tag(name, mv1.version, "k", "v")
client.set_model_version_tag(name, mv1.version, "gone", "x")
client.delete_model_version_tag(name, mv1.version, "gone")
v1 = client.get_model_version(name, mv1.version)
out["v1_meta"] = {"description": v1.description, "tags": v1.tags}

# deletes: aliases go with a version, numbers are never reused
client.delete_registered_model_alias(name, "onnx")
try:
    client.get_model_version_by_alias(name, "onnx")
    out["alias_deleted"] = False
except MlflowException as e:
    out["alias_deleted"] = e.error_code
client.delete_model_version(name, mv2.version)
rm = client.get_registered_model(name)
out["after_delete_aliases"] = dict(rm.aliases)
mv4 = mlflow.register_model(info.model_uri, name)
out["v4"] = mv4.version
client.delete_registered_model(P + "scratch2")
try:
    client.get_registered_model(P + "scratch2")
    out["scratch2_deleted"] = False
except MlflowException as e:
    out["scratch2_deleted"] = e.error_code == "RESOURCE_DOES_NOT_EXIST"
print(json.dumps(out))
`;

const SEARCH_FLOW = `
import json, os, warnings
warnings.filterwarnings("ignore")
import mlflow
from mlflow import MlflowClient
mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
client = MlflowClient()
out = {}
P = os.environ.get("NAME_PREFIX", "")
name = "iris-clf"  # registered by the first test
for n in ("scratch-a", "scratch-b", "other"):
    client.create_registered_model(P + n)
out["search_models"] = sorted(m.name for m in client.search_registered_models(filter_string=f"name LIKE '{P}scratch%'"))
out["search_versions"] = sorted(v.version for v in client.search_model_versions(f"name='{name}'"))
page = client.search_registered_models(max_results=1)
out["search_paged"] = {"n": len(page), "token": bool(page.token)}


print(json.dumps(out))
`;

for (const backend of backends) describe(`mlflow client → Pharos model registry (${backend.name})`, () => {
  let server: RunningServer;
  const py = (code: string, env: Record<string, string> = {}) => runPython(code, { MLFLOW_TRACKING_URI: server.url, ...env });

  before(async () => {
    server = await startPharosServer({ args: await backend.args() });
  });
  after(async () => {
    await server?.stop();
  });

  it('registers, stages, aliases and loads scikit-learn and ONNX models like mlflow server does', async () => {
    const out = await py(REGISTRY_FLOW);
    const modelId = /^models:\/(m-[0-9a-f]{32})$/.exec(out.logged_model_uri)?.[1];
    assert.ok(modelId, out.logged_model_uri);

    // runs:/ registration goes through the run's logged model, and the version is READY at once (no 5-minute wait).
    assert.deepEqual({ ...out.v1, run_id: undefined, model_id: undefined }, { version: '1', status: 'READY', source: `models:/${modelId}`, run_id: undefined, model_id: undefined });
    assert.match(out.v1.run_id, /^[0-9a-f]{32}$/);
    assert.deepEqual(out.v2, { version: '2', status: 'READY', source: `models:/${modelId}`, tags: { origin: 'logged-model-uri' } });
    assert.equal(out.download_uri, `mlflow-artifacts:/1/models/${modelId}/artifacts`);
    assert.match(out.v3.source, /^models:\/m-[0-9a-f]{32}$/);
    assert.notEqual(out.v3.source, `models:/${modelId}`);
    assert.equal(out.v3.version, '3');

    // Stages, archive_existing_versions, latest versions.
    assert.deepEqual(out.stages, { '1': 'Archived', '2': 'Production', '3': 'None' });
    assert.equal(out.t2_stage, 'Production');
    assert.deepEqual(out.latest_production, ['2']);
    assert.deepEqual(out.latest_all, [['1', 'Archived'], ['2', 'Production'], ['3', 'None']]);
    assert.deepEqual(out.rm_latest, out.latest_all);

    // Aliases.
    assert.deepEqual(out.champion, { version: '2', aliases: ['champion'] });
    assert.deepEqual(out.rm_aliases, { champion: '2', onnx: '3' });

    // Loading by alias, version, stage, runs:/ and logged-model URI gives the original model's predictions.
    assert.deepEqual(Object.keys(out.pred_equal).length, 5);
    for (const [uri, equal] of Object.entries(out.pred_equal)) assert.equal(equal, true, uri);
    assert.equal(out.onnx_pred_equal, true);
    assert.equal(out.sklearn_flavor_equal, true);

    // copy_model_version pins the source to the copied version; a runs:/ source resolves to the run's logged model.
    assert.deepEqual(out.copied, { version: '1', source: 'models:/iris-clf/1', status: 'READY' });
    assert.equal(out.copied_pred_equal, true);
    assert.deepEqual(out.low_level, { version: '2', source: `runs:/${out.v1.run_id}/model`, run_id: out.v1.run_id, status: 'READY' });
    assert.equal(out.low_level_pred_equal, true);

    // Registered-model CRUD and tags.
    assert.equal(out.renamed, 'scratch2');
    assert.deepEqual(out.scratch2, { description: 'd2', tags: { b: '2' } });
    assert.equal(out.old_name_gone, true);
    assert.equal(out.dup_error, 'RESOURCE_ALREADY_EXISTS');
    assert.deepEqual(out.v1_meta, { description: 'first', tags: { k: 'v' } });

    // Deleting: an unknown alias is INVALID_PARAMETER_VALUE (as in mlflow), a deleted version takes its aliases,
    // and its number is never handed out again.
    assert.equal(out.alias_deleted, 'INVALID_PARAMETER_VALUE');
    assert.deepEqual(out.after_delete_aliases, {});
    assert.equal(out.v4, '4');
    assert.equal(out.scratch2_deleted, true);
  });

  it('searches registered models and versions with filters and pages', async () => {
    const out = await py(SEARCH_FLOW, { NAME_PREFIX: 's-' });
    assert.deepEqual(out.search_models, ['s-scratch-a', 's-scratch-b']);
    assert.deepEqual(out.search_versions, ['1', '3', '4']);
    assert.deepEqual(out.search_paged, { n: 1, token: true });
  });

  it('keeps prompt versions (mlflow.genai) in the registry without treating them as models', async () => {
    const out = await py(`
import json, os, warnings
warnings.filterwarnings("ignore")
import mlflow
mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
out = {}
p1 = mlflow.genai.register_prompt(name="greet", template="Hello {{name}}!", commit_message="first")
p2 = mlflow.genai.register_prompt(name="greet", template="Hi {{name}}!")
out["versions"] = [p1.version, p2.version]
mlflow.genai.set_prompt_alias("greet", alias="prod", version=1)
out["loaded"] = mlflow.genai.load_prompt("prompts:/greet@prod").format(name="Ana")
out["latest"] = mlflow.genai.load_prompt("prompts:/greet/2").template
out["search"] = [p.name for p in mlflow.genai.search_prompts()]
from mlflow import MlflowClient
MlflowClient().create_registered_model("plain")
out["models_listing"] = sorted(m.name for m in MlflowClient().search_registered_models())
print(json.dumps(out))
`);
    assert.deepEqual(out.versions, [1, 2]);
    assert.equal(out.loaded, 'Hello Ana!');
    assert.equal(out.latest, 'Hi {{name}}!');
    assert.deepEqual(out.search, ['greet']);
    assert.ok(out.models_listing.includes('plain'));
    assert.ok(!out.models_listing.includes('greet'), 'prompts are hidden from the model listing, as in mlflow');
  });
});
