import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../store/index.ts';
import { storeKinds } from '../../../test/support/stores.ts';
import { PharosError } from '../../core/errors.ts';
import { searchRunIds, type RunViewType } from './index.ts';

interface RunFixture {
  id: string;
  exp?: number;
  name?: string;
  user?: string;
  status?: string;
  start: number | null;
  end?: number | null;
  deleted?: boolean;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: Array<{ name: string; digest: string; context?: string }>;
}

// Longer than a PostgreSQL btree entry (2704 bytes) and than the 200 indexed characters; starts with 200 😀 so a
// UTF-16 prefix would differ from PostgreSQL's left().
const LONG_VALUE = '😀'.repeat(200) + 'x'.repeat(7000);

const RUNS: RunFixture[] = [
  {
    id: 'r1',
    name: 'alpha',
    user: 'ann',
    status: 'FINISHED',
    start: 1000,
    end: 2000,
    metrics: { acc: 0.9, loss: 0.1 },
    params: { lr: '0.01', model: 'CNN' },
    tags: { team: 'vision', 'mlflow.runName': 'alpha', 'my tag': 'spaced', history: LONG_VALUE },
    datasets: [{ name: 'mnist', digest: 'd1', context: 'training' }],
  },
  {
    id: 'r2',
    name: 'beta',
    user: 'bob',
    status: 'FAILED',
    start: 3000,
    end: null,
    metrics: { acc: 0.7, loss: Number.NaN },
    params: { lr: '0.1', model: 'cnn' },
    tags: { team: 'nlp', 'mlflow.runName': 'beta', history: LONG_VALUE.slice(0, -1) + 'y' },
    datasets: [{ name: 'cifar', digest: 'd2', context: 'eval' }],
  },
  {
    id: 'r3',
    name: 'Gamma_1',
    user: 'ann',
    status: 'RUNNING',
    start: 2000,
    metrics: { acc: 1e-3 },
    params: { lr: '0.01', model: 'rnn%x' },
    tags: { 'mlflow.runName': 'Gamma_1' },
  },
  { id: 'r4', name: 'delta', user: 'cid', status: 'FINISHED', start: 2000, deleted: true, metrics: { acc: 0.95 }, params: { lr: '1' } },
  { id: 'r5', exp: 2, name: 'other', user: 'ann', status: 'FINISHED', start: 500, metrics: { acc: 0.99 } },
  { id: 'r6', name: 'nostart', user: 'ann', status: 'SCHEDULED', start: null },
];

async function seed(store: Store) {
  const db = store.db;
  const now = 1;
  await db
    .insertInto('experiments')
    .values([
      { experiment_id: 1, name: 'e1', artifact_location: 'x', lifecycle_stage: 'active', creation_time: now, last_update_time: now },
      { experiment_id: 2, name: 'e2', artifact_location: 'x', lifecycle_stage: 'active', creation_time: now, last_update_time: now },
    ])
    .execute();
  await db
    .insertInto('runs')
    .values(
      RUNS.map((r) => ({
        run_uuid: r.id,
        experiment_id: r.exp ?? 1,
        name: r.name ?? '',
        user_id: r.user ?? 'u',
        status: r.status ?? 'FINISHED',
        start_time: r.start,
        end_time: r.end ?? null,
        deleted_time: null,
        lifecycle_stage: r.deleted ? 'deleted' : 'active',
        artifact_uri: `mlflow-artifacts:/1/${r.id}/artifacts`,
      })),
    )
    .execute();
  const metrics = RUNS.flatMap((r) =>
    Object.entries(r.metrics ?? {}).map(([key, v]) => ({
      run_uuid: r.id,
      key,
      value: Number.isNaN(v) ? 0 : v,
      is_nan: Number.isNaN(v) ? 1 : 0,
      timestamp: 1,
      step: 0,
    })),
  );
  await db.insertInto('latest_metrics').values(metrics).execute();
  const params = RUNS.flatMap((r) => Object.entries(r.params ?? {}).map(([key, value]) => ({ run_uuid: r.id, key, value })));
  await db.insertInto('params').values(params).execute();
  const tags = RUNS.flatMap((r) => Object.entries(r.tags ?? {}).map(([key, value]) => ({ run_uuid: r.id, key, value })));
  await db.insertInto('run_tags').values(tags).execute();
  for (const r of RUNS) {
    for (const [i, d] of (r.datasets ?? []).entries()) {
      const dsId = `ds-${r.id}-${i}`;
      const inId = `in-${r.id}-${i}`;
      await db
        .insertInto('datasets')
        .values({ dataset_uuid: dsId, experiment_id: r.exp ?? 1, name: d.name, digest: d.digest, source_type: 'local', source: '{}', schema: null, profile: null })
        .execute();
      await db
        .insertInto('inputs')
        .values({ input_uuid: inId, source_type: 'DATASET', source_id: dsId, destination_type: 'RUN', destination_id: r.id, step: null })
        .execute();
      if (d.context) await db.insertInto('input_tags').values({ input_uuid: inId, key: 'mlflow.data.context', value: d.context }).execute();
    }
  }
}

for (const kind of storeKinds()) {
  describe(`searchRunIds (${kind.name})`, () => {
    let store: Store;
    before(async () => {
      store = await kind.open();
      await seed(store);
    });
    after(async () => store?.close());

    const search = (filter?: string, extra: { orderBy?: string[]; runViewType?: RunViewType; experimentIds?: number[]; maxResults?: number; pageToken?: string } = {}) =>
      searchRunIds(store.db, store.dialect, { experimentIds: extra.experimentIds ?? [1], filter, ...extra }).then((p) => p.items);
    const set = async (filter: string) => (await search(filter)).sort();

    it('orders by start_time DESC then run id by default, missing start times last', async () => {
      assert.deepEqual(await search(), ['r2', 'r3', 'r1', 'r6']);
    });

    it('filters on metrics with every numeric comparator, NaN never matching except !=', async () => {
      assert.deepEqual(await set('metrics.acc > 0.8'), ['r1']);
      assert.deepEqual(await set('metrics.acc >= 0.7'), ['r1', 'r2']);
      assert.deepEqual(await set('metrics.acc < 0.7'), ['r3']);
      assert.deepEqual(await set('metrics.acc <= 0.7'), ['r2', 'r3']);
      assert.deepEqual(await set('metrics.acc = 1e-3'), ['r3']);
      assert.deepEqual(await set('metrics.acc != 0.9'), ['r2', 'r3']);
      assert.deepEqual(await set('metrics.loss >= 0'), ['r1']);
      assert.deepEqual(await set('metrics.loss != 0.1'), ['r2']);
      assert.deepEqual(await set('metric.loss < 100 and metrics.acc > 0.5'), ['r1']);
    });

    it('filters on params and tags with string comparators, LIKE case-sensitive and ILIKE not', async () => {
      assert.deepEqual(await set("params.lr = '0.01'"), ['r1', 'r3']);
      assert.deepEqual(await set('params.lr != "0.01"'), ['r2']);
      assert.deepEqual(await set("params.model LIKE 'c%'"), ['r2']);
      assert.deepEqual(await set("params.model LIKE 'C_N'"), ['r1']);
      assert.deepEqual(await set("params.model ILIKE 'c%'"), ['r1', 'r2']);
      assert.deepEqual(await set("params.model LIKE '%\\%%'"), ['r3']);
      assert.deepEqual(await set("tags.team = 'vision'"), ['r1']);
      assert.deepEqual(await set("tags.`my tag` = 'spaced'"), ['r1']);
      assert.deepEqual(await set("tags.\"my tag\" LIKE 'sp%'"), ['r1']);
      assert.deepEqual(await set('tags.team IS NULL'), ['r3', 'r6']);
      assert.deepEqual(await set('tags.team IS NOT NULL'), ['r1', 'r2']);
      assert.deepEqual(await set('params.model IS NULL'), ['r6']);
      assert.deepEqual(await set(`tags.history = '${LONG_VALUE}'`), ['r1']);
      assert.deepEqual(await set(`tags.history != '${LONG_VALUE}'`), ['r2']);
      assert.deepEqual(await set("tags.history LIKE '%y'"), ['r2']);
    });

    it('filters on attributes, run_name matching the mlflow.runName tag', async () => {
      assert.deepEqual(await set("attributes.status = 'FINISHED'"), ['r1']);
      assert.deepEqual(await set("status != 'FINISHED'"), ['r2', 'r3', 'r6']);
      assert.deepEqual(await set("attributes.run_id IN ('r1', 'r3', 'r4')"), ['r1', 'r3']);
      assert.deepEqual(await set("run.run_id NOT IN ('r1')"), ['r2', 'r3', 'r6']);
      assert.deepEqual(await set("attributes.run_name ILIKE 'gamma%'"), ['r3']);
      assert.deepEqual(await set("attributes.run_name LIKE 'gamma%'"), []);
      assert.deepEqual(await set("attributes.run_name = 'beta'"), await set("tags.mlflow.runName = 'beta'"));
      assert.deepEqual(await set('attributes.start_time >= 2000'), ['r2', 'r3']);
      assert.deepEqual(await set('created < 1500.5'), ['r1']);
      assert.deepEqual(await set('attributes.end_time = 2000'), ['r1']);
      assert.deepEqual(await set("attributes.user_id = 'ann' AND attributes.artifact_uri LIKE '%r3%'"), ['r3']);
    });

    it('filters on datasets by name, digest and context', async () => {
      assert.deepEqual(await set("datasets.name = 'mnist'"), ['r1']);
      assert.deepEqual(await set("datasets.digest IN ('d1', 'd2')"), ['r1', 'r2']);
      assert.deepEqual(await set("dataset.context = 'eval'"), ['r2']);
      assert.deepEqual(await set("datasets.name LIKE 'c%' AND datasets.context = 'eval'"), ['r2']);
    });

    it('honours the view type and the experiment list', async () => {
      assert.deepEqual(await search(undefined, { runViewType: 'DELETED_ONLY' }), ['r4']);
      assert.deepEqual(await search(undefined, { runViewType: 'ALL' }), ['r2', 'r3', 'r4', 'r1', 'r6']);
      assert.deepEqual(await search('metrics.acc > 0.9', { runViewType: 'ALL', experimentIds: [1, 2] }), ['r4', 'r5']);
      assert.deepEqual(await search(undefined, { experimentIds: [] }), []);
    });

    it('orders by metrics, params, tags and attributes with missing values and NaN last', async () => {
      assert.deepEqual(await search(undefined, { orderBy: ['metrics.acc DESC'] }), ['r1', 'r2', 'r3', 'r6']);
      assert.deepEqual(await search(undefined, { orderBy: ['metrics.acc'] }), ['r3', 'r2', 'r1', 'r6']);
      assert.deepEqual(await search(undefined, { orderBy: ['metrics.loss ASC'] }), ['r1', 'r2', 'r3', 'r6']);
      assert.deepEqual(await search(undefined, { orderBy: ['metrics.loss DESC'] }), ['r1', 'r2', 'r3', 'r6']);
      assert.deepEqual(await search(undefined, { orderBy: ['params.lr DESC', 'attributes.start_time ASC'] }), ['r2', 'r1', 'r3', 'r6']);
      assert.deepEqual(await search(undefined, { orderBy: ['tags.team'] }), ['r2', 'r1', 'r3', 'r6']);
      assert.deepEqual(await search(undefined, { orderBy: ['attributes.run_name ASC'] }), ['r3', 'r1', 'r2', 'r6']);
      assert.deepEqual(await search(undefined, { orderBy: ['attributes.end_time DESC'] }), ['r1', 'r2', 'r3', 'r6']);
      assert.deepEqual(await search(undefined, { orderBy: ['start_time ASC'] }), ['r1', 'r3', 'r2', 'r6']);
    });

    it('returns the same runs whether the query starts from the experiment or from a selective clause', async () => {
      // 6000 runs in experiment 3: `params.bulk = 'yes'` matches all of them (not selective), `metrics.rare` three.
      const ids = Array.from({ length: 6000 }, (_, i) => `bulk${String(i).padStart(5, '0')}`);
      await store.db
        .insertInto('experiments')
        .values({ experiment_id: 3, name: 'e3', artifact_location: 'x', lifecycle_stage: 'active', creation_time: 1, last_update_time: 1 })
        .execute();
      for (let i = 0; i < ids.length; i += 1000) {
        const part = ids.slice(i, i + 1000);
        await store.db
          .insertInto('runs')
          .values(part.map((id, k) => ({ run_uuid: id, experiment_id: 3, name: id, user_id: 'u', status: 'FINISHED', start_time: i + k, end_time: null, deleted_time: null, lifecycle_stage: 'active', artifact_uri: 'x' })))
          .execute();
        await store.db.insertInto('params').values(part.map((id) => ({ run_uuid: id, key: 'bulk', value: 'yes' }))).execute();
      }
      await store.db
        .insertInto('latest_metrics')
        .values(['bulk00007', 'bulk04000', 'bulk05999'].map((run_uuid, k) => ({ run_uuid, key: 'rare', value: k, timestamp: 1, step: 0, is_nan: 0 })))
        .execute();
      const inExp3 = (filter: string, orderBy?: string[]) => search(filter, { experimentIds: [3], orderBy, maxResults: 10_000 });
      const bulk = await inExp3("params.bulk = 'yes'");
      assert.equal(bulk.length, 6000);
      assert.deepEqual(bulk.slice(0, 2), ['bulk05999', 'bulk05998']);
      assert.deepEqual(await inExp3('metrics.rare >= 0'), ['bulk05999', 'bulk04000', 'bulk00007']);
      assert.deepEqual(await inExp3("metrics.rare >= 0 AND params.bulk = 'yes'", ['metrics.rare']), ['bulk00007', 'bulk04000', 'bulk05999']);
      assert.deepEqual(await inExp3("attributes.run_id IN ('bulk00001', 'r1') AND params.bulk = 'yes'"), ['bulk00001']);
      assert.deepEqual(await search("params.bulk = 'yes'"), []);
    });

    it('pages through results with opaque tokens', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await searchRunIds(store.db, store.dialect, { experimentIds: [1], maxResults: 2, pageToken: token, runViewType: 'ALL' });
        seen.push(...page.items);
        token = page.nextPageToken;
        pages++;
      } while (token);
      assert.equal(pages, 3);
      assert.deepEqual(seen, ['r2', 'r3', 'r4', 'r1', 'r6']);
      const exact = await searchRunIds(store.db, store.dialect, { experimentIds: [1], maxResults: 4 });
      assert.equal(exact.items.length, 4);
      assert.equal(exact.nextPageToken, undefined);
    });

    it('rejects bad tokens, max_results and filters as INVALID_PARAMETER_VALUE', async () => {
      const bad = async (opts: object, re: RegExp) =>
        assert.rejects(searchRunIds(store.db, store.dialect, { experimentIds: [1], ...opts }), (e: unknown) => {
          assert.ok(e instanceof PharosError);
          assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
          assert.match(e.message, re);
          return true;
        });
      await bad({ pageToken: 'not a token!' }, /Invalid page token/);
      await bad({ pageToken: Buffer.from('{"foo": 1}').toString('base64') }, /Invalid page token/);
      await bad({ pageToken: Buffer.from('[1').toString('base64') }, /Invalid page token/);
      await bad({ maxResults: 0 }, /max_results/);
      await bad({ maxResults: 50_001 }, /at most 50000/);
      await bad({ filter: "metrics.acc > 'x'" }, /Expected numeric value type for metric/);
      await bad({ orderBy: ['metrics.acc', 'metrics.acc DESC'] }, /duplicate/);
      await bad({ orderBy: ['datasets.name'] }, /order_by entity type/);
    });
  });
}
