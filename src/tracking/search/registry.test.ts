import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../store/index.ts';
import { storeKinds } from '../../../test/support/stores.ts';
import { PharosError } from '../../core/errors.ts';
import { searchModelVersionKeys, searchRegisteredModelNames } from './index.ts';

const MODELS = [
  { name: 'Fraud', created: 10, updated: 300, tags: { team: 'risk', tier: 'gold' } },
  { name: 'churn', created: 20, updated: 100, tags: { team: 'growth' } },
  { name: 'fraud_v2', created: 30, updated: 200, tags: {} },
  { name: 'my-prompt', created: 40, updated: 400, tags: { 'mlflow.prompt.is_prompt': 'true', team: 'risk' } },
];
const VERSIONS = [
  { name: 'Fraud', version: 1, updated: 50, run: 'run-a', source: 'models:/m-1', stage: 'Archived', tags: { validated: 'yes' } },
  { name: 'Fraud', version: 2, updated: 70, run: 'run-b', source: 'runs:/run-b/model', stage: 'Production', tags: {} },
  { name: 'Fraud', version: 3, updated: 70, run: null, source: 'file:///tmp/model', stage: 'None', tags: { validated: 'no' } },
  { name: 'churn', version: 1, updated: 60, run: 'run-c', source: 'runs:/run-c/model', stage: 'None', tags: {} },
  { name: 'churn', version: 2, updated: 80, run: 'run-d', source: 'runs:/run-d/model', stage: 'Deleted_Internal', tags: {} },
  { name: 'my-prompt', version: 1, updated: 90, run: null, source: 'prompt', stage: 'None', tags: { 'mlflow.prompt.is_prompt': 'true' } },
];

for (const kind of storeKinds()) {
  describe(`registry search (${kind.name})`, () => {
    let store: Store;
    before(async () => {
      store = await kind.open();
      const db = store.db;
      await db
        .insertInto('registered_models')
        .values(MODELS.map((m) => ({ name: m.name, creation_time: m.created, last_updated_time: m.updated, description: null })))
        .execute();
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
            creation_time: v.version,
            last_updated_time: v.updated,
            description: null,
            user_id: null,
            current_stage: v.stage,
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

    const models = (filter?: string, orderBy?: string[]) => searchRegisteredModelNames(store.db, store.dialect, { filter, orderBy }).then((p) => p.items);
    const versions = (filter?: string, orderBy?: string[]) =>
      searchModelVersionKeys(store.db, store.dialect, { filter, orderBy }).then((p) => p.items.map((k) => `${k.name}/${k.version}`));

    it('registered models: name order by default, prompts hidden', async () => {
      assert.deepEqual(await models(), ['Fraud', 'churn', 'fraud_v2']);
    });

    it('registered models: name comparators and tags', async () => {
      assert.deepEqual(await models("name = 'churn'"), ['churn']);
      assert.deepEqual(await models("name != 'churn'"), ['Fraud', 'fraud_v2']);
      assert.deepEqual(await models("name LIKE 'fraud%'"), ['fraud_v2']);
      assert.deepEqual(await models("name LIKE 'fraud\\_%'"), ['fraud_v2']);
      assert.deepEqual(await models("name ILIKE 'FRAUD%'"), ['Fraud', 'fraud_v2']);
      assert.deepEqual(await models("name IN ('churn', 'Fraud', 'nope')"), ['Fraud', 'churn']);
      assert.deepEqual(await models("name NOT IN ('churn')"), ['Fraud', 'fraud_v2']);
      assert.deepEqual(await models("tags.team = 'risk'"), ['Fraud']);
      assert.deepEqual(await models("tags.team = 'risk' AND tags.tier = 'gold'"), ['Fraud']);
      assert.deepEqual(await models("tags.team != 'risk'"), ['churn']);
      assert.deepEqual(await models("tags.team LIKE '%o%'"), ['churn']);
    });

    it('registered models: prompts only when the filter asks for them', async () => {
      assert.deepEqual(await models("tags.`mlflow.prompt.is_prompt` = 'true'"), ['my-prompt']);
      assert.deepEqual(await models("tags.`mlflow.prompt.is_prompt` != 'false' AND tags.team = 'risk'"), ['my-prompt']);
      assert.deepEqual(await models("tags.`mlflow.prompt.is_prompt` = 'false'"), ['Fraud', 'churn', 'fraud_v2']);
    });

    it('registered models: order_by with name as tie-breaker', async () => {
      assert.deepEqual(await models(undefined, ['timestamp DESC']), ['Fraud', 'fraud_v2', 'churn']);
      assert.deepEqual(await models(undefined, ['last_updated_timestamp ASC']), ['churn', 'fraud_v2', 'Fraud']);
      assert.deepEqual(await models(undefined, ['name DESC']), ['fraud_v2', 'churn', 'Fraud']);
      assert.deepEqual(await models(undefined, ['creation_timestamp DESC']), ['fraud_v2', 'churn', 'Fraud']);
    });

    it('registered models: paging and limits', async () => {
      const p1 = await searchRegisteredModelNames(store.db, store.dialect, { maxResults: 2 });
      assert.deepEqual(p1.items, ['Fraud', 'churn']);
      const p2 = await searchRegisteredModelNames(store.db, store.dialect, { maxResults: 2, pageToken: p1.nextPageToken });
      assert.deepEqual(p2.items, ['fraud_v2']);
      assert.equal(p2.nextPageToken, undefined);
      await assert.rejects(searchRegisteredModelNames(store.db, store.dialect, { maxResults: 1001 }), /at most 1000/);
    });

    it('model versions: default order last_updated DESC, name ASC, version DESC; deleted and prompts hidden', async () => {
      assert.deepEqual(await versions(), ['Fraud/3', 'Fraud/2', 'churn/1', 'Fraud/1']);
    });

    it('model versions: attributes, IN lists and tags', async () => {
      assert.deepEqual(await versions("name = 'Fraud'", ['version_number ASC']), ['Fraud/1', 'Fraud/2', 'Fraud/3']);
      assert.deepEqual(await versions("run_id = 'run-b'"), ['Fraud/2']);
      assert.deepEqual(await versions("run_id IN ('run-a', 'run-c', 'run-d')"), ['churn/1', 'Fraud/1']);
      assert.deepEqual(await versions("run_id != 'run-a'"), ['Fraud/2', 'churn/1']);
      assert.deepEqual(await versions("name IN ('churn') AND version_number >= 1"), ['churn/1']);
      assert.deepEqual(await versions('version_number > 1'), ['Fraud/3', 'Fraud/2']);
      assert.deepEqual(await versions('version = 2'), ['Fraud/2']);
      assert.deepEqual(await versions("version_number = '2'"), ['Fraud/2']);
      assert.deepEqual(await versions("source_path LIKE 'runs:/%'"), ['Fraud/2', 'churn/1']);
      assert.deepEqual(await versions("source_path ILIKE 'FILE:%'"), ['Fraud/3']);
      assert.deepEqual(await versions("tags.validated = 'yes'"), ['Fraud/1']);
      assert.deepEqual(await versions("tags.validated LIKE '%o'"), ['Fraud/3']);
      assert.deepEqual(await versions("tags.`mlflow.prompt.is_prompt` = 'true'"), ['my-prompt/1']);
    });

    it('model versions: order_by keys', async () => {
      assert.deepEqual(await versions(undefined, ['name DESC']), ['churn/1', 'Fraud/3', 'Fraud/2', 'Fraud/1']);
      assert.deepEqual(await versions(undefined, ['creation_timestamp ASC', 'name ASC']), ['Fraud/1', 'churn/1', 'Fraud/2', 'Fraud/3']);
    });

    it('rejects what MLflow rejects', async () => {
      const bad = (p: Promise<unknown>, re: RegExp) =>
        assert.rejects(p, (e: unknown) => {
          assert.ok(e instanceof PharosError && e.code === 'INVALID_PARAMETER_VALUE');
          assert.match(e.message, re);
          return true;
        });
      await bad(models('name = 5'), /Expected a quoted string value for attribute 'name'/);
      await bad(models("tags.team IS NULL"), /Invalid comparator 'IS NULL'/);
      await bad(models("run_id = 'x'"), /Invalid attribute key 'run_id'/);
      await bad(models("metrics.x > 1"), /Invalid entity type 'metrics'/);
      await bad(models(undefined, ['timestamp', 'last_updated_timestamp']), /duplicate/);
      await bad(models(undefined, ['tags.team']), /order_by entity type/);
      await bad(versions("source_path IN ('a')"), /Only 'name, run_id, version_number' attributes|Only 'name, run_id' attributes/);
      await bad(versions('version_number = 1.5'), /Invalid value for numeric attribute 'version_number'/);
      await bad(versions("version_number = 'one'"), /Invalid value for numeric attribute 'version_number'/);
      await bad(versions("name > 'a'"), /Invalid comparator '>'/);
      await bad(versions(undefined, ['source_path']), /Invalid attribute key 'source_path'/);
      await bad(searchModelVersionKeys(store.db, store.dialect, { maxResults: 200_001 }), /at most 200000/);
      // PostgreSQL cannot compare a NUL: a 400 on both engines rather than a 500 on one.
      await bad(models("name = 'a\0b'"), /NUL character in quoted text at position 9/);
      await bad(versions("tags.`a\0` = 'x'"), /NUL character in quoted text at position 7/);
    });
  });
}
