import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { invalidParameter } from '../../core/errors.ts';
import type { Db } from '../../store/index.ts';
import type { DialectName } from '../../store/index.ts';
import { ENTITY_SPECS, parseFilter, type FilterClause } from './grammar.ts';
import { createLoggedModelsPageToken, parseLoggedModelsPageToken, resolveMaxResults } from './page-token.ts';
import { compareNumber, compareText, direction, orderNullsLast, textSortKey } from './sql.ts';
import type { Page } from './types.ts';

/** MLflow's SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT; MLflow sets no ceiling, we use the runs ceiling. */
export const LOGGED_MODELS_MAX_RESULTS = { default: 100, max: 50_000 };

export interface LoggedModelOrderBy {
  field_name: string;
  ascending?: boolean;
  dataset_name?: string;
  dataset_digest?: string;
}
export interface LoggedModelDatasetFilter {
  dataset_name: string;
  dataset_digest?: string;
}
export interface SearchLoggedModelsOptions {
  experimentIds: number[];
  filter?: string;
  /** Restricts metric clauses (and, without metric clauses, the models) to metrics logged on these datasets. */
  datasets?: LoggedModelDatasetFilter[];
  maxResults?: number;
  orderBy?: LoggedModelOrderBy[];
  pageToken?: string;
}

const COLUMNS: Record<string, { column: string; text: boolean }> = {
  name: { column: 'logged_models.name', text: true },
  model_id: { column: 'logged_models.model_id', text: true },
  model_type: { column: 'logged_models.model_type', text: true },
  status: { column: 'logged_models.status', text: true },
  source_run_id: { column: 'logged_models.source_run_id', text: true },
  creation_timestamp: { column: 'logged_models.creation_timestamp_ms', text: false },
  last_updated_timestamp: { column: 'logged_models.last_updated_timestamp_ms', text: false },
};

function datasetCondition(datasets: LoggedModelDatasetFilter[] | undefined, alias: string): RawBuilder<SqlBool> | undefined {
  if (!datasets?.length) return undefined;
  const one = (d: LoggedModelDatasetFilter) =>
    d.dataset_digest
      ? sql`(${sql.ref(`${alias}.dataset_name`)} = ${d.dataset_name} AND ${sql.ref(`${alias}.dataset_digest`)} = ${d.dataset_digest})`
      : sql`${sql.ref(`${alias}.dataset_name`)} = ${d.dataset_name}`;
  return sql<SqlBool>`(${sql.join(datasets.map(one), sql` OR `)})`;
}

function clauseCondition(dialect: DialectName, c: FilterClause, datasets: LoggedModelDatasetFilter[] | undefined): RawBuilder<SqlBool> {
  switch (c.type) {
    case 'attribute': {
      const column = sql.ref(COLUMNS[c.key].column);
      return typeof c.value === 'number' ? compareNumber(column, c.comparator, c.value) : compareText(dialect, column, c.comparator, c.value);
    }
    case 'metric': {
      // As MLflow: a model matches when any logged value of the metric (any step, run or dataset) matches.
      const value = compareNumber(sql.ref('m.metric_value'), c.comparator, c.value as number);
      const cond = c.comparator === '!=' ? sql`(${value} OR m.is_nan = 1)` : sql`${value} AND m.is_nan = 0`;
      const onDatasets = datasetCondition(datasets, 'm');
      return sql<SqlBool>`logged_models.model_id IN (SELECT m.model_id FROM logged_model_metrics m
        WHERE m.metric_name = ${c.key} AND ${cond}${onDatasets ? sql` AND ${onDatasets}` : sql``})`;
    }
    case 'parameter':
    case 'tag': {
      const table = sql.table(c.type === 'parameter' ? 'logged_model_params' : 'logged_model_tags');
      const cond = compareText(dialect, sql.ref('kv.value'), c.comparator, c.value);
      return sql<SqlBool>`logged_models.model_id IN (SELECT kv.model_id FROM ${table} kv WHERE kv.key = ${c.key} AND ${cond})`;
    }
    case 'dataset':
      throw invalidParameter(`Invalid logged model search key 'datasets.${c.key}'`);
  }
}

interface ResolvedOrder {
  kind: 'attribute' | 'metric';
  key: string;
  ascending: boolean;
  datasetName?: string;
  datasetDigest?: string;
}

function resolveOrderBy(orderBy: LoggedModelOrderBy[] | undefined): ResolvedOrder[] {
  const spec = ENTITY_SPECS.logged_models;
  return (orderBy ?? []).map((o) => {
    if (typeof o !== 'object' || o === null) throw invalidParameter('`order_by` must be a list of dictionaries.');
    if (typeof o.field_name !== 'string' || o.field_name === '') {
      throw invalidParameter('`field_name` in the `order_by` clause must be specified.');
    }
    const ascending = o.ascending ?? true;
    if (typeof ascending !== 'boolean') {
      throw invalidParameter(`Value of \`ascending\` in the \`order_by\` clause must be a boolean, got ${typeof ascending} for field ${o.field_name}.`);
    }
    if (o.dataset_digest && !o.dataset_name) throw invalidParameter('`dataset_digest` can only be specified if `dataset_name` is also specified.');
    const dot = o.field_name.indexOf('.');
    if (dot >= 0) {
      const entity = o.field_name.slice(0, dot);
      if (entity !== 'metrics') throw invalidParameter(`Invalid order by field name: ${entity}, only \`metrics.<name>\` is allowed.`);
      const key = o.field_name.slice(dot + 1).replace(/^`(.*)`$/, '$1');
      if (key === '') throw invalidParameter(`Invalid order by field name: ${o.field_name}.`);
      return { kind: 'metric', key, ascending, datasetName: o.dataset_name || undefined, datasetDigest: o.dataset_digest || undefined };
    }
    const name = o.field_name.trim();
    const key = spec.aliases[name] ?? name;
    if (!COLUMNS[key]) {
      throw invalidParameter(`Invalid order by field name: ${o.field_name}. Valid keys are '${Object.keys(spec.attributes).join(', ')}'`);
    }
    return { kind: 'attribute', key, ascending };
  });
}

/**
 * Ids of the logged models matching an MLflow search (mlflow's search_logged_models): not deleted, in the given
 * experiments. Order: the requested fields with NULLs last, then creation_timestamp DESC and model_id ASC unless
 * requested. Ordering by a metric uses its latest value (by timestamp, then step) on the optional dataset.
 */
export async function searchLoggedModelIds(db: Db, dialect: DialectName, opts: SearchLoggedModelsOptions): Promise<Page<string>> {
  const maxResults = resolveMaxResults(opts.maxResults, LOGGED_MODELS_MAX_RESULTS);
  if (opts.datasets?.some((d) => !d.dataset_name)) throw invalidParameter('`dataset_name` in the `datasets` clause must be specified.');
  const clauses = parseFilter('logged_models', opts.filter);
  const order = resolveOrderBy(opts.orderBy);
  const tokenQuery = {
    experiment_ids: opts.experimentIds.map(String),
    filter_string: opts.filter || null,
    order_by: opts.orderBy?.length ? (opts.orderBy as unknown[]) : null,
  };
  const offset = parseLoggedModelsPageToken(opts.pageToken, tokenQuery);
  if (opts.experimentIds.length === 0) return { items: [] };

  let q = (db as unknown as Kysely<any>)
    .selectFrom('logged_models')
    .select('logged_models.model_id')
    .where('logged_models.experiment_id', 'in', opts.experimentIds)
    .where('logged_models.lifecycle_stage', '<>', 'deleted');
  for (const c of clauses) q = q.where(clauseCondition(dialect, c, opts.datasets));
  const onDatasets = datasetCondition(opts.datasets, 'm');
  if (onDatasets && !clauses.some((c) => c.type === 'metric')) {
    q = q.where(sql<SqlBool>`logged_models.model_id IN (SELECT m.model_id FROM logged_model_metrics m WHERE ${onDatasets})`);
  }

  const terms: RawBuilder<unknown>[] = [];
  order.forEach((o, n) => {
    if (o.kind === 'attribute') {
      const { column, text } = COLUMNS[o.key];
      const ref = sql.ref(column);
      terms.push(orderNullsLast(dialect, text ? textSortKey(dialect, ref) : ref, o.ascending));
      return;
    }
    const alias = `ob${n}`;
    const filters = [sql`lm.metric_name = ${o.key}`];
    if (o.datasetName) filters.push(sql`lm.dataset_name = ${o.datasetName}`);
    if (o.datasetDigest) filters.push(sql`lm.dataset_digest = ${o.datasetDigest}`);
    // The latest value per model, as MLflow ranks it: newest timestamp, then highest step, then run id.
    const latest = sql`(SELECT ranked.model_id, ranked.metric_value, ranked.is_nan FROM (
        SELECT lm.model_id, lm.metric_value, lm.is_nan, ROW_NUMBER() OVER (
          PARTITION BY lm.model_id ORDER BY lm.metric_timestamp_ms DESC, lm.metric_step DESC, lm.run_id ASC) AS rn
        FROM logged_model_metrics lm WHERE ${sql.join(filters, sql` AND `)}) ranked WHERE ranked.rn = 1)`;
    q = q.leftJoin(latest.as(alias), (join) => join.on(sql<SqlBool>`${sql.ref(`${alias}.model_id`)} = logged_models.model_id`));
    const value = sql.ref(`${alias}.metric_value`);
    terms.push(sql`CASE WHEN ${sql.ref(`${alias}.is_nan`)} = 1 THEN 1 WHEN ${value} IS NULL THEN 2 ELSE 0 END`, sql`${value} ${direction(o.ascending)}`);
  });
  if (!order.some((o) => o.kind === 'attribute' && o.key === 'creation_timestamp')) terms.push(sql`logged_models.creation_timestamp_ms DESC`);
  if (!order.some((o) => o.kind === 'attribute' && o.key === 'model_id')) terms.push(sql`logged_models.model_id ASC`);
  for (const t of terms) q = q.orderBy(t);

  const rows = (await q
    .limit(maxResults + 1)
    .offset(offset)
    .execute()) as Array<{ model_id: string }>;
  const items = rows.slice(0, maxResults).map((r) => r.model_id);
  if (rows.length <= maxResults) return { items };
  return { items, nextPageToken: createLoggedModelsPageToken({ ...tokenQuery, offset: offset + maxResults }) };
}
