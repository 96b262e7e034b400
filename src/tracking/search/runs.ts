import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../store/index.ts';
import type { DialectName } from '../../store/index.ts';
import { parseFilter, parseOrderByList, type FilterClause } from './grammar.ts';
import { createPageToken, parsePageToken, resolveMaxResults } from './page-token.ts';
import { compareNumber, compareText, direction, orderNullsLast, textSortKey } from './sql.ts';
import { stagesFor, type Page, type RunViewType } from './types.ts';

/** MLflow's SEARCH_MAX_RESULTS_DEFAULT / SEARCH_MAX_RESULTS_THRESHOLD. */
export const RUNS_MAX_RESULTS = { default: 1000, max: 50_000 };

const RUN_COLUMNS: Record<string, string> = {
  run_id: 'runs.run_uuid',
  run_name: 'runs.name',
  user_id: 'runs.user_id',
  status: 'runs.status',
  artifact_uri: 'runs.artifact_uri',
  start_time: 'runs.start_time',
  end_time: 'runs.end_time',
};
const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/**
 * The runs a clause selects, as a subquery yielding run ids (`run_uuid IN (subquery)` rather than a correlated
 * EXISTS: the subquery walks the (key, value) index and yields the matching runs directly, which both engines plan
 * as a semi-join; a correlated EXISTS makes SQLite probe once per run). Undefined for clauses on the runs row itself
 * and for IS NULL, which are plain conditions.
 */
function clauseCandidates(dialect: DialectName, c: FilterClause): RawBuilder<unknown> | undefined {
  switch (c.type) {
    case 'attribute':
      return undefined;
    case 'metric': {
      const value = compareNumber(sql.ref('m.value'), c.comparator, c.value as number);
      // NaN is stored as is_nan=1 (value is a placeholder). Every comparison with NaN is false except "!=".
      const cond = c.comparator === '!=' ? sql`(${value} OR m.is_nan = 1)` : sql`${value} AND m.is_nan = 0`;
      return sql`SELECT m.run_uuid FROM latest_metrics m WHERE m.key = ${c.key} AND ${cond}`;
    }
    case 'parameter':
    case 'tag': {
      const table = sql.table(c.type === 'parameter' ? 'params' : 'run_tags');
      if (c.comparator === 'IS NULL') return undefined;
      if (c.comparator === 'IS NOT NULL') return sql`SELECT kv.run_uuid FROM ${table} kv WHERE kv.key = ${c.key}`;
      let cond = compareText(dialect, sql.ref('kv.value'), c.comparator, c.value);
      if (dialect === 'postgres' && (c.comparator === '=' || c.comparator === 'IN')) {
        // PostgreSQL indexes (key, left(value, 200)) (values can outgrow a btree entry; see 0006-search-indexes).
        const prefixes = (Array.isArray(c.value) ? c.value : [c.value as string]).map((v) => [...v].slice(0, 200).join('')); // code points, as left() counts
        cond = sql<SqlBool>`left(kv.value, 200) IN (${sql.join(prefixes)}) AND ${cond}`;
      }
      return sql`SELECT kv.run_uuid FROM ${table} kv WHERE kv.key = ${c.key} AND ${cond}`;
    }
    case 'dataset': {
      if (c.key === 'context') {
        const cond = compareText(dialect, sql.ref('t.value'), c.comparator, c.value);
        return sql`SELECT i.destination_id FROM inputs i JOIN input_tags t ON t.input_uuid = i.input_uuid
          WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND t.key = ${DATASET_CONTEXT_TAG} AND ${cond}`;
      }
      const cond = compareText(dialect, sql.ref(`d.${c.key}`), c.comparator, c.value);
      return sql`SELECT i.destination_id FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
        WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND ${cond}`;
    }
  }
}

function clauseCondition(dialect: DialectName, c: FilterClause, candidates: RawBuilder<unknown> | undefined): RawBuilder<SqlBool> {
  if (candidates) return sql<SqlBool>`runs.run_uuid IN (${candidates})`;
  if (c.type === 'attribute') {
    // `attributes.run_name` reads runs.name; the tracking service keeps it equal to the `mlflow.runName` tag
    // (MLflow reads the tag only because runs logged before MLflow 1.29 had an empty name column).
    const column = sql.ref(RUN_COLUMNS[c.key]);
    return typeof c.value === 'number' ? compareNumber(column, c.comparator, c.value) : compareText(dialect, column, c.comparator, c.value);
  }
  // IS NULL on a param or tag.
  const table = sql.table(c.type === 'parameter' ? 'params' : 'run_tags');
  return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM ${table} kv WHERE kv.run_uuid = runs.run_uuid AND kv.key = ${c.key})`;
}

/** Below this many candidate runs, SQLite is told to start from a clause's run ids instead of the experiment index. */
const SELECTIVE_CANDIDATES = 5000;

/**
 * SQLite has no statistics unless ANALYZE ran, so it always walks runs by (experiment_id, start_time) and probes
 * each clause's id list: ~100 ms at 100k runs even when 20 runs match. Counting a clause's candidates up to a
 * bound costs a few index entries; when one clause is selective, `+experiment_id` (SQLite's documented way to
 * veto an index) lets the planner start from that id list instead (3 ms). PostgreSQL keeps statistics itself.
 */
async function hasSelectiveClause(db: Db, candidateQueries: RawBuilder<unknown>[]): Promise<boolean> {
  for (const candidates of candidateQueries) {
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM (${candidates} LIMIT ${SELECTIVE_CANDIDATES}) probe`.execute(db);
    if (Number(rows[0].n) < SELECTIVE_CANDIDATES) return true;
  }
  return false;
}

export interface SearchRunsOptions {
  experimentIds: number[];
  filter?: string;
  runViewType?: RunViewType;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

/**
 * Ids of the runs matching an MLflow search, in MLflow's order: the requested keys (missing values and NaN
 * last, whatever the direction), then start_time DESC, then run id. One SQL query; no rows are filtered in JS.
 */
export async function searchRunIds(db: Db, dialect: DialectName, opts: SearchRunsOptions): Promise<Page<string>> {
  const maxResults = resolveMaxResults(opts.maxResults, RUNS_MAX_RESULTS);
  const clauses = parseFilter('runs', opts.filter);
  const orderBy = parseOrderByList('runs', opts.orderBy);
  const offset = parsePageToken(opts.pageToken);
  if (opts.experimentIds.length === 0) return { items: [] };

  // The query's shape depends on the request (joins per order_by key), which Kysely's static table types cannot
  // follow; every dynamic part below is a parameterised `sql` fragment.
  const candidates = clauses.map((c) => clauseCandidates(dialect, c));
  const candidateQueries = candidates.filter((c): c is RawBuilder<unknown> => c !== undefined);
  const runIdList = clauses.some((c) => c.type === 'attribute' && c.key === 'run_id' && (c.comparator === '=' || c.comparator === 'IN'));
  const startFromCandidates = dialect === 'sqlite' && (runIdList || (candidateQueries.length > 0 && (await hasSelectiveClause(db, candidateQueries))));
  let q = (db as unknown as Kysely<any>)
    .selectFrom('runs')
    .select('runs.run_uuid')
    .where(
      startFromCandidates
        ? sql<SqlBool>`+runs.experiment_id IN (${sql.join(opts.experimentIds)})`
        : sql<SqlBool>`runs.experiment_id IN (${sql.join(opts.experimentIds)})`,
    )
    .where('runs.lifecycle_stage', 'in', stagesFor(opts.runViewType ?? 'ACTIVE_ONLY'));
  clauses.forEach((c, i) => (q = q.where(clauseCondition(dialect, c, candidates[i]))));

  const orderTerms: RawBuilder<unknown>[] = [];
  orderBy.forEach((o, n) => {
    if (o.type === 'attribute') {
      const column = sql.ref(RUN_COLUMNS[o.key]);
      const key = o.key === 'start_time' || o.key === 'end_time' ? column : textSortKey(dialect, column);
      orderTerms.push(orderNullsLast(dialect, key, o.ascending));
      return;
    }
    const alias = `ob${n}`;
    const table = o.type === 'metric' ? 'latest_metrics' : o.type === 'parameter' ? 'params' : 'run_tags';
    q = q.leftJoin(`${table} as ${alias}`, (join) => join.onRef(`${alias}.run_uuid`, '=', 'runs.run_uuid').on(`${alias}.key`, '=', o.key));
    const value = sql.ref(`${alias}.value`);
    if (o.type === 'metric') {
      // MLflow's order for metrics in either direction: real values, then NaN, then runs without the metric.
      orderTerms.push(sql`CASE WHEN ${sql.ref(`${alias}.is_nan`)} = 1 THEN 1 WHEN ${value} IS NULL THEN 2 ELSE 0 END`, sql`${value} ${direction(o.ascending)}`);
    } else {
      orderTerms.push(orderNullsLast(dialect, textSortKey(dialect, value), o.ascending));
    }
  });
  if (!orderBy.some((o) => o.type === 'attribute' && o.key === 'start_time')) {
    orderTerms.push(orderNullsLast(dialect, sql.ref('runs.start_time'), false));
  }
  orderTerms.push(sql`runs.run_uuid ASC`);
  for (const term of orderTerms) q = q.orderBy(term);

  const rows = (await q
    .limit(maxResults + 1)
    .offset(offset)
    .execute()) as Array<{ run_uuid: string }>;
  const items = rows.slice(0, maxResults).map((r) => r.run_uuid);
  return rows.length > maxResults ? { items, nextPageToken: createPageToken(offset + maxResults) } : { items };
}
