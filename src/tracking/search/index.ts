/**
 * MLflow-compatible search: the filter grammar (parser) and its compilation to SQL for runs, experiments,
 * registered models, model versions and logged models. Services call these and get back the keys of the
 * matching rows, in order, one page at a time; they load the full entities themselves.
 */
import type { Db } from '../../store/index.ts';
import type { DialectName } from '../../store/migrations/index.ts';
import { PharosError } from '../../core/errors.ts';

export type { RunViewType, Page } from './types.ts';
export { parseFilter, parseOrderBy, type FilterClause, type SearchEntity, type ClauseType, type Comparator, type OrderByKey } from './grammar.ts';
export { searchRunIds, RUNS_MAX_RESULTS, type SearchRunsOptions } from './runs.ts';
import type { Page, RunViewType } from './types.ts';

const notYet = () => new PharosError('NOT_IMPLEMENTED', 'search is not implemented yet');

export async function searchExperimentIds(
  _db: Db,
  _dialect: DialectName,
  _opts: { filter?: string; viewType?: RunViewType; maxResults?: number; orderBy?: string[]; pageToken?: string },
): Promise<Page<number>> {
  throw notYet();
}

export async function searchRegisteredModelNames(
  _db: Db,
  _dialect: DialectName,
  _opts: { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string },
): Promise<Page<string>> {
  throw notYet();
}

export async function searchModelVersionKeys(
  _db: Db,
  _dialect: DialectName,
  _opts: { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string },
): Promise<Page<{ name: string; version: number }>> {
  throw notYet();
}

export interface LoggedModelOrderBy {
  field_name: string;
  ascending?: boolean;
  dataset_name?: string;
  dataset_digest?: string;
}

export async function searchLoggedModelIds(
  _db: Db,
  _dialect: DialectName,
  _opts: { experimentIds: number[]; filter?: string; maxResults?: number; orderBy?: LoggedModelOrderBy[]; pageToken?: string },
): Promise<Page<string>> {
  throw notYet();
}

