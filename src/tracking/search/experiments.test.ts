import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../store/index.ts';
import { storeKinds } from '../../../test/support/stores.ts';
import { PharosError } from '../../core/errors.ts';
import { searchExperimentIds, type RunViewType } from './index.ts';

// Experiment 0 (Default) is created by the migration with creation_time = now, so it sorts first by default.
const EXPERIMENTS = [
  { id: 1, name: 'Fraud-model', created: 100, updated: 500, deleted: false, tags: { owner: 'ann', team: 'risk' } },
  { id: 2, name: 'fraud-shadow', created: 300, updated: 300, deleted: false, tags: { owner: 'bob' } },
  { id: 3, name: 'churn', created: 200, updated: 900, deleted: false, tags: {} },
  { id: 4, name: 'old', created: 200, updated: 100, deleted: true, tags: { owner: 'ann' } },
];

for (const kind of storeKinds()) {
  describe(`searchExperimentIds (${kind.name})`, () => {
    let store: Store;
    before(async () => {
      store = await kind.open();
      await store.db
        .insertInto('experiments')
        .values(
          EXPERIMENTS.map((e) => ({
            experiment_id: e.id,
            name: e.name,
            artifact_location: `a/${e.id}`,
            lifecycle_stage: e.deleted ? 'deleted' : 'active',
            creation_time: e.created,
            last_update_time: e.updated,
          })),
        )
        .execute();
      const tags = EXPERIMENTS.flatMap((e) => Object.entries(e.tags).map(([key, value]) => ({ experiment_id: e.id, key, value })));
      await store.db.insertInto('experiment_tags').values(tags).execute();
    });
    after(async () => store?.close());

    const search = (filter?: string, extra: { orderBy?: string[]; viewType?: RunViewType; maxResults?: number; pageToken?: string } = {}) =>
      searchExperimentIds(store.db, store.dialect, { filter, ...extra }).then((p) => p.items);
    const set = async (filter: string, viewType?: RunViewType) => (await search(filter, { viewType })).sort();

    it('orders by creation_time DESC, experiment_id ASC by default', async () => {
      assert.deepEqual(await search(), [0, 2, 3, 1]);
      assert.deepEqual(await search(undefined, { viewType: 'ALL' }), [0, 2, 3, 4, 1]);
      assert.deepEqual(await search(undefined, { viewType: 'DELETED_ONLY' }), [4]);
    });

    it('filters on name with =, !=, LIKE (case-sensitive) and ILIKE', async () => {
      assert.deepEqual(await set("name = 'churn'"), [3]);
      assert.deepEqual(await set("attribute.name != 'churn' AND name != 'Default'"), [1, 2]);
      assert.deepEqual(await set("name LIKE 'fraud%'"), [2]);
      assert.deepEqual(await set("name ILIKE 'fraud%'"), [1, 2]);
      assert.deepEqual(await set("name LIKE '%-_o%'"), [1]);
    });

    it('filters on experiment_id and timestamps', async () => {
      assert.deepEqual(await set("experiment_id = '2'"), [2]);
      assert.deepEqual(await set("experiment_id IN ('1', '3', '4')"), [1, 3]);
      assert.deepEqual(await set("experiment_id NOT IN ('0', '1')"), [2, 3]);
      assert.deepEqual(await set('creation_time > 100 AND creation_time <= 300'), [2, 3]);
      assert.deepEqual(await set('last_update_time < 400', 'ALL'), [2, 4]);
      assert.deepEqual(await set('creation_time = 200', 'ALL'), [3, 4]);
    });

    it('filters on tags, including IS NULL / IS NOT NULL', async () => {
      assert.deepEqual(await set("tags.owner = 'ann'"), [1]);
      assert.deepEqual(await set("tags.owner = 'ann'", 'ALL'), [1, 4]);
      assert.deepEqual(await set("tag.owner != 'ann'"), [2]);
      assert.deepEqual(await set("tags.owner ILIKE 'B%'"), [2]);
      assert.deepEqual(await set('tags.team IS NOT NULL'), [1]);
      assert.deepEqual(await set('tags.owner IS NULL'), [0, 3]);
    });

    it('orders by the requested attributes with experiment_id DESC as tie-breaker', async () => {
      assert.deepEqual(await search(undefined, { orderBy: ['name'] }), [0, 1, 3, 2]);
      assert.deepEqual(await search('experiment_id != 0', { orderBy: ['last_update_time DESC'] }), [3, 1, 2]);
      assert.deepEqual(await search('experiment_id != 0', { orderBy: ['creation_time ASC'], viewType: 'ALL' }), [1, 4, 3, 2]);
      assert.deepEqual(await search('experiment_id != 0', { orderBy: ['creation_time ASC', 'experiment_id ASC'], viewType: 'ALL' }), [1, 3, 4, 2]);
    });

    it('pages with tokens', async () => {
      const first = await searchExperimentIds(store.db, store.dialect, { maxResults: 3, viewType: 'ALL' });
      assert.deepEqual(first.items, [0, 2, 3]);
      assert.ok(first.nextPageToken);
      const second = await searchExperimentIds(store.db, store.dialect, { maxResults: 3, viewType: 'ALL', pageToken: first.nextPageToken });
      assert.deepEqual(second.items, [4, 1]);
      assert.equal(second.nextPageToken, undefined);
    });

    it('rejects what MLflow rejects', async () => {
      const bad = (filter: string, re: RegExp, orderBy?: string[]) =>
        assert.rejects(searchExperimentIds(store.db, store.dialect, { filter, orderBy }), (e: unknown) => {
          assert.ok(e instanceof PharosError && e.code === 'INVALID_PARAMETER_VALUE');
          assert.match(e.message, re);
          return true;
        });
      await bad('creation_time > 1.5', /Invalid value for numeric attribute 'creation_time'/);
      await bad("name IN ('a')", /Invalid comparator 'IN'/);
      await bad("experiment_id > '1'", /Invalid comparator '>'/);
      await bad("experiment_id = 'abc'", /Invalid experiment_id value/);
      await bad("metrics.acc > 1", /Invalid entity type 'metrics'/);
      await bad("lifecycle_stage = 'active'", /Invalid attribute key 'lifecycle_stage'/);
      await bad('name IS NULL', /Invalid comparator 'IS NULL'/);
      await bad('', /Invalid order_by entity type 'tag'/, ['tags.owner']);
    });
  });
}
