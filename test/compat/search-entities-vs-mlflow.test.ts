/**
 * Differential test for experiment, registered-model and model-version search: the same rows and filters
 * through MLflow's SearchExperimentsUtils / SearchModelUtils / SearchModelVersionUtils and through Pharos' SQL.
 * (Prompt hiding and default orders live in MLflow's SQL stores, not in these utilities; they are covered by
 * src/tracking/search/registry.test.ts and experiments.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeKinds } from '../support/stores.ts';
import { runPython } from '../support/server.ts';
import type { Store } from '../../src/store/index.ts';
import { searchExperimentIds, searchModelVersionKeys, searchRegisteredModelNames } from '../../src/tracking/search/index.ts';

const EXPERIMENTS = [
  { id: 1, name: 'Fraud', created: 100, updated: 700, tags: { owner: 'ann', 'team name': 'risk' } },
  { id: 2, name: 'fraud-v2', created: 300, updated: 300, tags: { owner: 'Bob' } },
  { id: 3, name: 'churn_model', created: 200, updated: 900, tags: {} },
  { id: 4, name: 'ads', created: 200, updated: 100, tags: { owner: 'ann' } },
];
const EXPERIMENT_FILTERS = [
  "name = 'Fraud'",
  "name != 'Fraud'",
  "name LIKE 'fraud%'",
  "name ILIKE 'FRAUD%'",
  "attribute.name LIKE '%_model'",
  "name ILIKE '%_m%'",
  'creation_time > 100',
  'creation_time <= 200 AND last_update_time >= 700',
  'last_update_time != 300',
  "experiment_id = '2'",
  "experiment_id IN ('1', '4')",
  "experiment_id NOT IN ('1', '4')",
  "tags.owner = 'ann'",
  "tag.owner != 'ann'",
  "tags.owner ILIKE 'b%'",
  "tags.`team name` LIKE 'r%'",
  'tags.owner IS NULL',
  'tags.owner IS NOT NULL AND creation_time = 200',
  // Rejected by both.
  'creation_time > 1.5',
  "creation_time = '5'",
  "metrics.a > 1",
  "lifecycle_stage = 'active'",
  'name IS NULL',
  "name > 'a'",
];
const EXPERIMENT_ORDERS = [['name'], ['name DESC'], ['creation_time DESC'], ['creation_time', 'name DESC'], ['last_update_time ASC'], ['experiment_id DESC']];

const MODELS = [
  { name: 'Fraud', tags: { team: 'risk', tier: 'gold' } },
  { name: 'churn', tags: { team: 'growth' } },
  { name: 'fraud_v2', tags: {} },
];
const MODEL_FILTERS = [
  "name = 'churn'",
  "name != 'churn'",
  "name LIKE 'fraud%'",
  "name ILIKE 'fraud%'",
  "name IN ('churn', 'Fraud', 'x')",
  "name NOT IN ('churn')",
  "tags.team = 'risk'",
  "tags.team != 'risk'",
  "tags.team LIKE '%o%' AND name ILIKE 'C%'",
  "tags.tier ILIKE 'GOLD'",
  // Rejected by both.
  'name = 5',
  "tags.team IS NULL",
  "run_id = 'x'",
  "metrics.x > 1",
];

const VERSIONS = [
  { name: 'Fraud', version: 1, run: 'run-a', source: 'models:/m-1', tags: { validated: 'yes' } },
  { name: 'Fraud', version: 2, run: 'run-b', source: 'runs:/run-b/model', tags: {} },
  { name: 'Fraud', version: 3, run: null, source: 'file:///tmp/Model', tags: { validated: 'no' } },
  { name: 'churn', version: 1, run: 'run-c', source: 'runs:/run-c/model', tags: {} },
];
const VERSION_FILTERS = [
  "name = 'Fraud'",
  "name IN ('churn')",
  "run_id = 'run-b'",
  "run_id IN ('run-a', 'run-c')",
  "run_id NOT IN ('run-a')",
  "run_id != 'run-a'",
  'version_number > 1',
  "name = 'Fraud' AND version_number <= 2",
  "source_path LIKE 'runs:/%'",
  "source_path ILIKE '%model'",
  "tags.validated = 'yes'",
  "tags.validated != 'yes'",
  // Rejected by both.
  'version_number = 1.5',
  "version_number = '1'",
  "source_path IN ('a')",
  "name > 'a'",
  "tags.validated IS NULL",
];

const PYTHON = String.raw`
import json, sys
from mlflow.entities import Experiment, ExperimentTag
from mlflow.entities.model_registry import RegisteredModel, ModelVersion, RegisteredModelTag, ModelVersionTag
from mlflow.utils.search_utils import SearchExperimentsUtils, SearchModelUtils, SearchModelVersionUtils

spec = json.loads(sys.stdin.read())
exps = [Experiment(str(e["id"]), e["name"], "x", "active", [ExperimentTag(k, v) for k, v in e["tags"].items()], e["created"], e["updated"])
        for e in spec["experiments"]]
models = [RegisteredModel(m["name"], 1, 1, tags=[RegisteredModelTag(k, v) for k, v in m["tags"].items()]) for m in spec["models"]]
versions = [ModelVersion(v["name"], v["version"], 1, 1, current_stage="None", source=v["source"], run_id=v["run"],
                         tags=[ModelVersionTag(k, t) for k, t in v["tags"].items()]) for v in spec["versions"]]

def attempt(fn):
    try:
        return {"ok": fn()}
    except Exception as e:
        return {"error": str(e)}

print(json.dumps({
    "experiments": [attempt(lambda f=f: sorted(int(e.experiment_id) for e in SearchExperimentsUtils.filter(exps, f))) for f in spec["experiment_filters"]],
    "experiment_orders": [attempt(lambda o=o: [int(e.experiment_id) for e in SearchExperimentsUtils.sort(exps, o)]) for o in spec["experiment_orders"]],
    "models": [attempt(lambda f=f: sorted(m.name for m in SearchModelUtils.filter(models, f))) for f in spec["model_filters"]],
    "versions": [attempt(lambda f=f: sorted(f"{v.name}/{v.version}" for v in SearchModelVersionUtils.filter(versions, f))) for f in spec["version_filters"]],
}))
`;

/**
 * Accepted by MLflow's in-memory utilities but rejected by its SQL stores, which are what an MLflow server runs
 * (sqlalchemy_store: "Invalid value for numeric attribute"); Pharos follows the SQL stores.
 */
const SQL_STORE_REJECTS = new Set(['creation_time > 1.5', 'version_number = 1.5']);

type Outcome = { ok: Array<string | number> } | { error: string };

async function outcome(fn: () => Promise<Array<string | number>>): Promise<Outcome> {
  try {
    return { ok: await fn() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function compare(label: string, filters: string[], expected: Outcome[], actual: Outcome[], sortActual = true) {
  filters.forEach((f, i) => {
    const e = expected[i];
    const a = actual[i];
    if (SQL_STORE_REJECTS.has(f)) assert.ok('error' in a && /Invalid value for numeric attribute/.test(a.error), `${label}: ${f} must be rejected`);
    else if ('error' in e) assert.ok('error' in a, `${label}: MLflow rejects ${f} (${e.error}) but Pharos returned ${JSON.stringify(a)}`);
    else {
      assert.ok('ok' in a, `${label}: MLflow accepts ${f} but Pharos rejected it: ${'error' in a ? a.error : ''}`);
      const got = sortActual ? [...a.ok].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)) : a.ok;
      assert.deepEqual(got, e.ok, `${label}: ${f}`);
    }
  });
}

describe('experiment and registry search agree with MLflow', () => {
  let reference: { experiments: Outcome[]; experiment_orders: Outcome[]; models: Outcome[]; versions: Outcome[] };
  before(async () => {
    const spec = {
      experiments: EXPERIMENTS,
      models: MODELS,
      versions: VERSIONS,
      experiment_filters: EXPERIMENT_FILTERS,
      experiment_orders: EXPERIMENT_ORDERS,
      model_filters: MODEL_FILTERS,
      version_filters: VERSION_FILTERS,
    };
    reference = await runPython(`import sys, io\nsys.stdin = io.StringIO(${JSON.stringify(JSON.stringify(spec))})\n${PYTHON}`);
  });

  for (const kind of storeKinds()) {
    describe(kind.name, () => {
      let store: Store;
      before(async () => {
        store = await kind.open();
        const db = store.db;
        // The migration's Default experiment (0) is not part of the fixture.
        await db.deleteFrom('experiments').execute();
        await db
          .insertInto('experiments')
          .values(EXPERIMENTS.map((e) => ({ experiment_id: e.id, name: e.name, artifact_location: 'x', lifecycle_stage: 'active', creation_time: e.created, last_update_time: e.updated })))
          .execute();
        await db
          .insertInto('experiment_tags')
          .values(EXPERIMENTS.flatMap((e) => Object.entries(e.tags).map(([key, value]) => ({ experiment_id: e.id, key, value }))))
          .execute();
        await db.insertInto('registered_models').values(MODELS.map((m) => ({ name: m.name, creation_time: 1, last_updated_time: 1, description: null }))).execute();
        await db
          .insertInto('registered_model_tags')
          .values(MODELS.flatMap((m) => Object.entries(m.tags).map(([key, value]) => ({ name: m.name, key, value }))))
          .execute();
        await db
          .insertInto('model_versions')
          .values(
            VERSIONS.map((v) => ({
              name: v.name,
              version: v.version,
              creation_time: 1,
              last_updated_time: 1,
              description: null,
              user_id: null,
              current_stage: 'None',
              source: v.source,
              storage_location: null,
              run_id: v.run,
              run_link: null,
              model_id: null,
              status: 'READY',
              status_message: null,
            })),
          )
          .execute();
        await db
          .insertInto('model_version_tags')
          .values(VERSIONS.flatMap((v) => Object.entries(v.tags).map(([key, value]) => ({ name: v.name, version: v.version, key, value }))))
          .execute();
      });
      after(async () => store?.close());

      it('experiments: same matches, same rejections, same orders', async () => {
        const actual = await Promise.all(
          EXPERIMENT_FILTERS.map((filter) => outcome(async () => (await searchExperimentIds(store.db, store.dialect, { filter })).items)),
        );
        compare('experiments', EXPERIMENT_FILTERS, reference.experiments, actual);
        const orders = await Promise.all(
          EXPERIMENT_ORDERS.map((orderBy) => outcome(async () => (await searchExperimentIds(store.db, store.dialect, { orderBy })).items)),
        );
        compare('experiment order', EXPERIMENT_ORDERS.map(String), reference.experiment_orders, orders, false);
      });

      it('registered models: same matches and rejections', async () => {
        const actual = await Promise.all(
          MODEL_FILTERS.map((filter) => outcome(async () => (await searchRegisteredModelNames(store.db, store.dialect, { filter })).items)),
        );
        compare('registered models', MODEL_FILTERS, reference.models, actual);
      });

      it('model versions: same matches and rejections', async () => {
        const actual = await Promise.all(
          VERSION_FILTERS.map((filter) =>
            outcome(async () => (await searchModelVersionKeys(store.db, store.dialect, { filter })).items.map((k) => `${k.name}/${k.version}`)),
          ),
        );
        compare('model versions', VERSION_FILTERS, reference.versions, actual);
      });
    });
  }
});
