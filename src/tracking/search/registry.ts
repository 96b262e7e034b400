import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { invalidParameter } from '../../core/errors.ts';
import type { Db } from '../../store/index.ts';
import type { DialectName } from '../../store/index.ts';
import { parseFilter, parseOrderByList, type FilterClause, type SearchEntity } from './grammar.ts';
import { createPageToken, parsePageToken, resolveMaxResults } from './page-token.ts';
import { compareNumber, compareText, direction, textSortKey } from './sql.ts';
import type { Page } from './types.ts';

/** mlflow/store/model_registry/__init__.py */
export const REGISTERED_MODELS_MAX_RESULTS = { default: 100, max: 1000 };
export const MODEL_VERSIONS_MAX_RESULTS = { default: 10_000, max: 200_000 };

export const IS_PROMPT_TAG_KEY = 'mlflow.prompt.is_prompt';
/** Versions "deleted" by MLflow's registry are kept with this stage and never returned by search. */
const STAGE_DELETED_INTERNAL = 'Deleted_Internal';

/**
 * Prompts live in the registry as models tagged `mlflow.prompt.is_prompt = 'true'`. MLflow hides them from
 * model searches unless the filter asks for prompts (`tags.mlflow.prompt.is_prompt = 'true'` or `!= 'false'`);
 * when it does not, a clause on that tag is dropped (models have no such tag, so `= 'false'` must still match).
 */
function splitPromptClauses(clauses: FilterClause[]): { clauses: FilterClause[]; excludePrompts: boolean } {
  const promptClause = clauses.find((c) => c.type === 'tag' && c.key === IS_PROMPT_TAG_KEY);
  const value = typeof promptClause?.value === 'string' ? promptClause.value.toLowerCase() : undefined;
  const queryingPrompts = (promptClause?.comparator === '=' && value === 'true') || (promptClause?.comparator === '!=' && value === 'false');
  if (queryingPrompts) return { clauses, excludePrompts: false };
  return { clauses: clauses.filter((c) => !(c.type === 'tag' && c.key === IS_PROMPT_TAG_KEY)), excludePrompts: true };
}

type OrderTerm = { column: string; ascending: boolean; text: boolean };

function pageOf<T>(rows: T[], maxResults: number, offset: number): Page<T> {
  const items = rows.slice(0, maxResults);
  return rows.length > maxResults ? { items, nextPageToken: createPageToken(offset + maxResults) } : { items };
}

function resolveOrder(entity: SearchEntity, orderBy: string[] | undefined, columns: Record<string, { column: string; text: boolean }>): OrderTerm[] {
  const seen = new Set<string>();
  return parseOrderByList(entity, orderBy).map((o) => {
    const target = columns[o.key];
    if (seen.has(target.column)) throw invalidParameter(`\`order_by\` contains duplicate fields: ${JSON.stringify(orderBy)}`);
    seen.add(target.column);
    return { column: target.column, text: target.text, ascending: o.ascending };
  });
}

export interface SearchRegisteredModelsOptions {
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

// MLflow maps `timestamp` and `last_updated_timestamp` both to last_updated_time.
const REGISTERED_MODEL_ORDER: Record<string, { column: string; text: boolean }> = {
  name: { column: 'registered_models.name', text: true },
  timestamp: { column: 'registered_models.last_updated_time', text: false },
  last_updated_timestamp: { column: 'registered_models.last_updated_time', text: false },
  creation_timestamp: { column: 'registered_models.creation_time', text: false },
};

/** Names of the registered models matching an MLflow search; default order name ASC. */
export async function searchRegisteredModelNames(db: Db, dialect: DialectName, opts: SearchRegisteredModelsOptions): Promise<Page<string>> {
  const maxResults = resolveMaxResults(opts.maxResults, REGISTERED_MODELS_MAX_RESULTS);
  const { clauses, excludePrompts } = splitPromptClauses(parseFilter('registered_models', opts.filter));
  const order = resolveOrder('registered_models', opts.orderBy, REGISTERED_MODEL_ORDER);
  const offset = parsePageToken(opts.pageToken);

  let q = (db as unknown as Kysely<any>).selectFrom('registered_models').select('registered_models.name');
  for (const c of clauses) {
    if (c.type === 'attribute') {
      q = q.where(compareText(dialect, sql.ref('registered_models.name'), c.comparator, c.value));
    } else {
      const cond = compareText(dialect, sql.ref('t.value'), c.comparator, c.value);
      q = q.where(sql<SqlBool>`registered_models.name IN (SELECT t.name FROM registered_model_tags t WHERE t.key = ${c.key} AND ${cond})`);
    }
  }
  if (excludePrompts) {
    q = q.where(
      sql<SqlBool>`NOT EXISTS (SELECT 1 FROM registered_model_tags p WHERE p.name = registered_models.name AND p.key = ${IS_PROMPT_TAG_KEY} AND p.value = 'true')`,
    );
  }
  if (!order.some((o) => o.column === 'registered_models.name')) order.push({ column: 'registered_models.name', ascending: true, text: true });
  for (const o of order) q = q.orderBy(orderSql(dialect, o));

  const rows = (await q
    .limit(maxResults + 1)
    .offset(offset)
    .execute()) as Array<{ name: string }>;
  return pageOf(
    rows.map((r) => r.name),
    maxResults,
    offset,
  );
}

function orderSql(dialect: DialectName, o: OrderTerm): RawBuilder<unknown> {
  const column = sql.ref(o.column);
  return sql`${o.text ? textSortKey(dialect, column) : column} ${direction(o.ascending)}`;
}

export interface SearchModelVersionsOptions {
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

const MODEL_VERSION_COLUMNS: Record<string, string> = {
  name: 'model_versions.name',
  run_id: 'model_versions.run_id',
  source_path: 'model_versions.source',
  version_number: 'model_versions.version',
};
const MODEL_VERSION_ORDER: Record<string, { column: string; text: boolean }> = {
  name: { column: 'model_versions.name', text: true },
  version_number: { column: 'model_versions.version', text: false },
  creation_timestamp: { column: 'model_versions.creation_time', text: false },
  last_updated_timestamp: { column: 'model_versions.last_updated_time', text: false },
};
const MODEL_VERSION_DEFAULT_ORDER = ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];

function modelVersionCondition(dialect: DialectName, c: FilterClause): RawBuilder<SqlBool> {
  if (c.type === 'attribute') {
    const column = sql.ref(MODEL_VERSION_COLUMNS[c.key]);
    return typeof c.value === 'number' ? compareNumber(column, c.comparator, c.value) : compareText(dialect, column, c.comparator, c.value);
  }
  const cond = compareText(dialect, sql.ref('t.value'), c.comparator, c.value);
  return sql<SqlBool>`EXISTS (SELECT 1 FROM model_version_tags t
    WHERE t.name = model_versions.name AND t.version = model_versions.version AND t.key = ${c.key} AND ${cond})`;
}

/**
 * (name, version) of the model versions matching an MLflow search. Default order: last_updated_timestamp DESC,
 * name ASC, version DESC (MLflow's SQL store), with name ASC and version DESC as tie-breakers.
 */
export async function searchModelVersionKeys(
  db: Db,
  dialect: DialectName,
  opts: SearchModelVersionsOptions,
): Promise<Page<{ name: string; version: number }>> {
  const maxResults = resolveMaxResults(opts.maxResults, MODEL_VERSIONS_MAX_RESULTS);
  const { clauses, excludePrompts } = splitPromptClauses(parseFilter('model_versions', opts.filter));
  const order = resolveOrder('model_versions', opts.orderBy?.length ? opts.orderBy : MODEL_VERSION_DEFAULT_ORDER, MODEL_VERSION_ORDER);
  const offset = parsePageToken(opts.pageToken);

  let q = (db as unknown as Kysely<any>)
    .selectFrom('model_versions')
    .select(['model_versions.name', 'model_versions.version'])
    .where('model_versions.current_stage', '<>', STAGE_DELETED_INTERNAL);
  for (const c of clauses) q = q.where(modelVersionCondition(dialect, c));
  if (excludePrompts) {
    // As MLflow: a model name any of whose versions carries the prompt tag is a prompt.
    q = q.where(
      sql<SqlBool>`NOT EXISTS (SELECT 1 FROM model_version_tags p WHERE p.name = model_versions.name AND p.key = ${IS_PROMPT_TAG_KEY} AND p.value = 'true')`,
    );
  }
  if (!order.some((o) => o.column === 'model_versions.name')) order.push({ column: 'model_versions.name', ascending: true, text: true });
  if (!order.some((o) => o.column === 'model_versions.version')) order.push({ column: 'model_versions.version', ascending: false, text: false });
  for (const o of order) q = q.orderBy(orderSql(dialect, o));

  const rows = (await q
    .limit(maxResults + 1)
    .offset(offset)
    .execute()) as Array<{ name: string; version: number | string }>;
  return pageOf(
    rows.map((r) => ({ name: r.name, version: Number(r.version) })),
    maxResults,
    offset,
  );
}
