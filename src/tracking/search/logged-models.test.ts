import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../store/index.ts';
import { storeKinds } from '../../../test/support/stores.ts';
import { PharosError } from '../../core/errors.ts';
import { searchLoggedModelIds, type LoggedModelOrderBy } from './index.ts';

type MetricPoint = { name: string; value: number; ts: number; step?: number; dataset?: string; digest?: string };
const MODELS: Array<{
  id: string;
  exp?: number;
  name: string;
  created: number;
  status?: string;
  type?: string | null;
  run?: string | null;
  deleted?: boolean;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  metrics?: MetricPoint[];
}> = [
  {
    id: 'm-1',
    name: 'sklearn-rf',
    created: 100,
    type: 'classifier',
    run: 'run-1',
    params: { depth: '5' },
    tags: { stage: 'dev' },
    metrics: [
      { name: 'acc', value: 0.5, ts: 1, dataset: 'train', digest: 'd1' },
      { name: 'acc', value: 0.8, ts: 2, dataset: 'eval', digest: 'd2' },
    ],
  },
  {
    id: 'm-2',
    name: 'Sklearn-lr',
    created: 300,
    run: 'run-2',
    params: { depth: '10' },
    metrics: [
      { name: 'acc', value: 0.9, ts: 5, dataset: 'eval', digest: 'd2' },
      { name: 'acc', value: 0.6, ts: 3, dataset: 'train', digest: 'd1' },
    ],
  },
  { id: 'm-3', name: 'xgb', created: 200, status: 'LOGGED_MODEL_PENDING', tags: { stage: 'prod' }, metrics: [{ name: 'loss', value: 1, ts: 1 }] },
  { id: 'm-4', name: 'gone', created: 400, deleted: true, metrics: [{ name: 'acc', value: 0.99, ts: 1 }] },
  { id: 'm-5', exp: 2, name: 'elsewhere', created: 50 },
];

for (const kind of storeKinds()) {
  describe(`searchLoggedModelIds (${kind.name})`, () => {
    let store: Store;
    before(async () => {
      store = await kind.open();
      const db = store.db;
      await db
        .insertInto('experiments')
        .values([1, 2].map((id) => ({ experiment_id: id, name: `e${id}`, artifact_location: 'x', lifecycle_stage: 'active', creation_time: 1, last_update_time: 1 })))
        .execute();
      await db
        .insertInto('logged_models')
        .values(
          MODELS.map((m) => ({
            model_id: m.id,
            experiment_id: m.exp ?? 1,
            name: m.name,
            artifact_location: `a/${m.id}`,
            creation_timestamp_ms: m.created,
            last_updated_timestamp_ms: m.created + 1,
            status: m.status ?? 'LOGGED_MODEL_READY',
            status_message: null,
            lifecycle_stage: m.deleted ? 'deleted' : 'active',
            model_type: m.type ?? null,
            source_run_id: m.run ?? null,
          })),
        )
        .execute();
      const params = MODELS.flatMap((m) => Object.entries(m.params ?? {}).map(([key, value]) => ({ model_id: m.id, key, value })));
      await db.insertInto('logged_model_params').values(params).execute();
      const tags = MODELS.flatMap((m) => Object.entries(m.tags ?? {}).map(([key, value]) => ({ model_id: m.id, key, value })));
      await db.insertInto('logged_model_tags').values(tags).execute();
      const metrics = MODELS.flatMap((m) =>
        (m.metrics ?? []).map((p) => ({
          model_id: m.id,
          metric_name: p.name,
          metric_timestamp_ms: p.ts,
          metric_step: p.step ?? 0,
          metric_value: p.value,
          is_nan: 0,
          run_id: m.run ?? 'r',
          dataset_name: p.dataset ?? null,
          dataset_digest: p.digest ?? null,
        })),
      );
      await db.insertInto('logged_model_metrics').values(metrics).execute();
    });
    after(async () => store?.close());

    const search = (filter?: string, orderBy?: LoggedModelOrderBy[], extra: object = {}) =>
      searchLoggedModelIds(store.db, store.dialect, { experimentIds: [1], filter, orderBy, ...extra }).then((p) => p.items);

    it('excludes deleted models and orders by creation DESC, model_id by default', async () => {
      assert.deepEqual(await search(), ['m-2', 'm-3', 'm-1']);
      assert.deepEqual(
        await searchLoggedModelIds(store.db, store.dialect, { experimentIds: [1, 2] }).then((p) => p.items),
        ['m-2', 'm-3', 'm-1', 'm-5'],
      );
    });

    it('filters on attributes, params, tags and any logged metric value', async () => {
      assert.deepEqual(await search("name LIKE 'sklearn%'"), ['m-1']);
      assert.deepEqual(await search("attributes.name ILIKE 'sklearn%'"), ['m-2', 'm-1']);
      assert.deepEqual(await search("status = 'LOGGED_MODEL_PENDING'"), ['m-3']);
      assert.deepEqual(await search("model_id IN ('m-1', 'm-3', 'm-4')"), ['m-3', 'm-1']);
      assert.deepEqual(await search("source_run_id != 'run-1'"), ['m-2']);
      assert.deepEqual(await search('creation_timestamp >= 200'), ['m-2', 'm-3']);
      assert.deepEqual(await search('creation_time < 200'), ['m-1']);
      assert.deepEqual(await search("params.depth = '10'"), ['m-2']);
      assert.deepEqual(await search("params.depth IN ('5', '7')"), ['m-1']);
      assert.deepEqual(await search("tags.stage != 'dev'"), ['m-3']);
      assert.deepEqual(await search('metrics.acc > 0.7'), ['m-2', 'm-1']);
      assert.deepEqual(await search('metrics.acc < 0.55'), ['m-1']);
      assert.deepEqual(await search('metrics.acc >= 0.5 AND metrics.acc <= 0.6'), ['m-2', 'm-1']);
    });

    it('restricts metric clauses to the requested datasets', async () => {
      assert.deepEqual(await search('metrics.acc > 0.7', undefined, { datasets: [{ dataset_name: 'train' }] }), []);
      assert.deepEqual(await search('metrics.acc > 0.55', undefined, { datasets: [{ dataset_name: 'train', dataset_digest: 'd1' }] }), ['m-2']);
      assert.deepEqual(await search(undefined, undefined, { datasets: [{ dataset_name: 'eval' }] }), ['m-2', 'm-1']);
    });

    it('orders by attributes and by the latest metric value, missing values last', async () => {
      assert.deepEqual(await search(undefined, [{ field_name: 'name' }]), ['m-2', 'm-1', 'm-3']);
      assert.deepEqual(await search(undefined, [{ field_name: 'model_type', ascending: false }]), ['m-1', 'm-2', 'm-3']);
      // Latest acc: m-1 = 0.8 (ts 2), m-2 = 0.9 (ts 5); m-3 has none.
      assert.deepEqual(await search(undefined, [{ field_name: 'metrics.acc', ascending: true }]), ['m-1', 'm-2', 'm-3']);
      assert.deepEqual(await search(undefined, [{ field_name: 'metrics.acc', ascending: false }]), ['m-2', 'm-1', 'm-3']);
      // On the train dataset: m-1 = 0.5, m-2 = 0.6.
      assert.deepEqual(await search(undefined, [{ field_name: 'metrics.acc', ascending: false, dataset_name: 'train' }]), ['m-2', 'm-1', 'm-3']);
      assert.deepEqual(await search(undefined, [{ field_name: 'creation_timestamp', ascending: true }]), ['m-1', 'm-3', 'm-2']);
    });

    it('pages with tokens bound to the query', async () => {
      const p1 = await searchLoggedModelIds(store.db, store.dialect, { experimentIds: [1], maxResults: 2, filter: "name != 'x'" });
      assert.deepEqual(p1.items, ['m-2', 'm-3']);
      const p2 = await searchLoggedModelIds(store.db, store.dialect, { experimentIds: [1], maxResults: 2, filter: "name != 'x'", pageToken: p1.nextPageToken });
      assert.deepEqual(p2.items, ['m-1']);
      assert.equal(p2.nextPageToken, undefined);
      await assert.rejects(
        searchLoggedModelIds(store.db, store.dialect, { experimentIds: [1], maxResults: 2, filter: "name = 'y'", pageToken: p1.nextPageToken }),
        /Filter string in the page token does not match/,
      );
    });

    it('rejects what MLflow rejects', async () => {
      const bad = (p: Promise<unknown>, re: RegExp) =>
        assert.rejects(p, (e: unknown) => {
          assert.ok(e instanceof PharosError && e.code === 'INVALID_PARAMETER_VALUE');
          assert.match(e.message, re);
          return true;
        });
      await bad(search(undefined, [{ field_name: 'params.depth' }]), /only `metrics.<name>` is allowed/);
      await bad(search(undefined, [{ field_name: 'bogus' }]), /Invalid order by field name: bogus/);
      await bad(search(undefined, [{ field_name: 'metrics.acc', dataset_digest: 'd1' }]), /dataset_digest/);
      await bad(search("metrics.acc LIKE '1'"), /Invalid comparator 'LIKE'/);
      await bad(search("datasets.name = 'x'"), /Invalid entity type 'datasets'/);
      await bad(search('', undefined, { datasets: [{ dataset_name: '' }] }), /dataset_name/);
    });
  });
}
