import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../store/index.ts';
import type { DialectName } from '../../store/index.ts';
import { parseFilter, parseOrderByList, type FilterClause } from './grammar.ts';
import { createPageToken, parsePageToken, resolveMaxResults } from './page-token.ts';
import { compareNumber, compareText, direction, textSortKey } from './sql.ts';
import { stagesFor, type Page, type RunViewType } from './types.ts';

/** MLflow validates experiments' max_results against the same constants as runs. */
export const EXPERIMENTS_MAX_RESULTS = { default: 1000, max: 50_000 };
const DEFAULT_ORDER = ['creation_time DESC', 'experiment_id ASC'];

function clauseCondition(dialect: DialectName, c: FilterClause): RawBuilder<SqlBool> {
  if (c.type === 'attribute') {
    const column = sql.ref(`experiments.${c.key}`);
    if (c.key === 'experiment_id') {
      const ids = Array.isArray(c.value) ? c.value.map(Number) : Number(c.value);
      if (c.comparator === 'IN' || c.comparator === 'NOT IN') return sql<SqlBool>`${column} ${sql.raw(c.comparator)} (${sql.join(ids as number[])})`;
      return compareNumber(column, c.comparator, ids as number);
    }
    return typeof c.value === 'number' ? compareNumber(column, c.comparator, c.value) : compareText(dialect, column, c.comparator, c.value);
  }
  if (c.comparator === 'IS NULL') {
    return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = ${c.key})`;
  }
  if (c.comparator === 'IS NOT NULL') return sql<SqlBool>`experiments.experiment_id IN (SELECT t.experiment_id FROM experiment_tags t WHERE t.key = ${c.key})`;
  const cond = compareText(dialect, sql.ref('t.value'), c.comparator, c.value);
  return sql<SqlBool>`experiments.experiment_id IN (SELECT t.experiment_id FROM experiment_tags t WHERE t.key = ${c.key} AND ${cond})`;
}

export interface SearchExperimentsOptions {
  filter?: string;
  viewType?: RunViewType;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

/** Experiment ids matching an MLflow search; default order creation_time DESC, experiment_id ASC (MLflow's). */
export async function searchExperimentIds(db: Db, dialect: DialectName, opts: SearchExperimentsOptions): Promise<Page<number>> {
  const maxResults = resolveMaxResults(opts.maxResults, EXPERIMENTS_MAX_RESULTS);
  const clauses = parseFilter('experiments', opts.filter);
  const orderBy = parseOrderByList('experiments', opts.orderBy?.length ? opts.orderBy : DEFAULT_ORDER);
  const offset = parsePageToken(opts.pageToken);

  let q = (db as unknown as Kysely<any>)
    .selectFrom('experiments')
    .select('experiments.experiment_id')
    .where('experiments.lifecycle_stage', 'in', stagesFor(opts.viewType ?? 'ACTIVE_ONLY'));
  for (const c of clauses) q = q.where(clauseCondition(dialect, c));
  for (const o of orderBy) {
    const column = sql.ref(`experiments.${o.key}`);
    q = q.orderBy(sql`${o.key === 'name' ? textSortKey(dialect, column) : column} ${direction(o.ascending)}`);
  }
  // MLflow's tie-breaker when the caller's order leaves experiment_id out.
  if (!orderBy.some((o) => o.key === 'experiment_id')) q = q.orderBy(sql`experiments.experiment_id DESC`);

  const rows = (await q
    .limit(maxResults + 1)
    .offset(offset)
    .execute()) as Array<{ experiment_id: number | string }>;
  const items = rows.slice(0, maxResults).map((r) => Number(r.experiment_id));
  return rows.length > maxResults ? { items, nextPageToken: createPageToken(offset + maxResults) } : { items };
}
