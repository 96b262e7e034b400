/**
 * Search latency at 100,000 runs (3 metrics, 3 params, 3 tags each) on SQLite and, when PHAROS_TEST_PG_URI is
 * set, PostgreSQL. Prints the median of several runs per query.
 *
 *   node --import tsx bench/search/search-runs.ts [runs=100000]
 *   PHAROS_TEST_PG_URI=$(bash scripts/pg.sh) node --import tsx bench/search/search-runs.ts
 */
import { performance } from 'node:perf_hooks';
import { storeKinds } from '../../test/support/stores.ts';
import type { Store } from '../../src/store/index.ts';
import { searchRunIds } from '../../src/tracking/search/index.ts';

const N = Number(process.argv[2] ?? 100_000);
const EXPERIMENTS = 4;
const BATCH = 1000; // 3 rows x 6 columns per run stays under SQLite's 32766 bound parameters

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 4294967296;
    return seed / 4294967296;
  };
}

async function seed(store: Store) {
  const rand = rng(42);
  const db = store.db;
  await db
    .insertInto('experiments')
    .values(
      Array.from({ length: EXPERIMENTS }, (_, i) => ({
        experiment_id: i + 1,
        name: `bench-${i + 1}`,
        artifact_location: 'x',
        lifecycle_stage: 'active',
        creation_time: 1,
        last_update_time: 1,
      })),
    )
    .execute();
  const teams = ['vision', 'nlp', 'speech', 'tabular'];
  const models = ['cnn', 'rnn', 'transformer', 'gbm', 'linear'];
  for (let start = 0; start < N; start += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, N - start) }, (_, k) => start + k);
    const runs = ids.map((i) => ({
      run_uuid: i.toString(16).padStart(32, '0'),
      experiment_id: (i % EXPERIMENTS) + 1,
      name: `run-${i}`,
      user_id: `user${i % 17}`,
      status: i % 10 === 0 ? 'FAILED' : 'FINISHED',
      start_time: 1_700_000_000_000 + i * 1000,
      end_time: 1_700_000_000_000 + i * 1000 + 500,
      deleted_time: null,
      lifecycle_stage: i % 50 === 0 ? 'deleted' : 'active',
      artifact_uri: `mlflow-artifacts:/${(i % EXPERIMENTS) + 1}/${i}`,
    }));
    await store.transaction(async (trx) => {
      await trx.insertInto('runs').values(runs).execute();
      await trx
        .insertInto('latest_metrics')
        .values(
          runs.flatMap((r) =>
            ['acc', 'loss', 'f1'].map((key) => ({ run_uuid: r.run_uuid, key, value: rand(), timestamp: 1, step: 0, is_nan: 0 })),
          ),
        )
        .execute();
      await trx
        .insertInto('params')
        .values(
          runs.flatMap((r, k) => [
            { run_uuid: r.run_uuid, key: 'lr', value: String([0.1, 0.01, 0.001][(start + k) % 3]) },
            { run_uuid: r.run_uuid, key: 'depth', value: String((start + k) % 12) },
            { run_uuid: r.run_uuid, key: 'model', value: models[Math.floor(rand() * models.length)] },
          ]),
        )
        .execute();
      await trx
        .insertInto('run_tags')
        .values(
          runs.flatMap((r) => [
            { run_uuid: r.run_uuid, key: 'team', value: teams[Math.floor(rand() * teams.length)] },
            { run_uuid: r.run_uuid, key: 'mlflow.runName', value: r.name },
            { run_uuid: r.run_uuid, key: 'stage', value: rand() < 0.01 ? 'prod' : 'dev' },
          ]),
        )
        .execute();
    });
  }
}

const QUERIES: Array<{ label: string; filter?: string; orderBy?: string[]; experimentIds?: number[]; maxResults?: number; deepPage?: boolean }> = [
  { label: 'no filter, default order (1 exp)', experimentIds: [1] },
  { label: 'no filter, default order (all exps)' },
  { label: 'metrics.acc > 0.99' },
  { label: "tags.stage = 'prod'", filter: "tags.stage = 'prod'" },
  { label: "params.model = 'cnn' AND metrics.loss < 0.1" },
  { label: "tags.team LIKE 'vis%'" },
  { label: "attributes.run_name ILIKE '%4242%'" },
  { label: "params.lr = '0.01' AND tags.team = 'nlp' AND metrics.f1 >= 0.5" },
  { label: 'order by metrics.acc DESC', orderBy: ['metrics.acc DESC'] },
  { label: 'order by params.depth, tags.team DESC', orderBy: ['params.depth', 'tags.team DESC'] },
  { label: 'metrics.acc > 0.5 order by metrics.loss', filter: 'metrics.acc > 0.5', orderBy: ['metrics.loss'] },
  { label: 'page 40 of 1000 (offset 39000)', deepPage: true },
];

for (const kind of storeKinds()) {
  const store = await kind.open();
  const t0 = performance.now();
  await seed(store);
  console.log(`\n${kind.name}: seeded ${N} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const all = Array.from({ length: EXPERIMENTS }, (_, i) => i + 1);
  for (const q of QUERIES) {
    const filter = q.filter ?? (q.label.startsWith('no filter') || q.label.startsWith('order') || q.deepPage ? undefined : q.label);
    const opts = {
      experimentIds: q.experimentIds ?? all,
      filter,
      orderBy: q.orderBy,
      maxResults: q.maxResults ?? 1000,
      pageToken: q.deepPage ? Buffer.from(JSON.stringify({ offset: 39_000 })).toString('base64') : undefined,
    };
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const page = await searchRunIds(store.db, store.dialect, opts);
      times.push(performance.now() - s);
      count = page.items.length;
    }
    times.sort((a, b) => a - b);
    console.log(`  ${q.label.padEnd(62)} ${times[2].toFixed(1).padStart(8)} ms  (${count} ids)`);
  }
  await store.close();
}
