/**
 * MLflow-compatible search: the filter grammar (parser) and its compilation to SQL for runs, experiments,
 * registered models, model versions and logged models. Services call these and get back the keys of the
 * matching rows, in order, one page at a time; they load the full entities themselves.
 */
import type { Db } from '../../store/index.ts';
import type { DialectName } from '../../store/migrations/index.ts';
import { PharosError } from '../../core/errors.ts';

export type RunViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export type SearchEntity = 'runs' | 'experiments' | 'registered_models' | 'model_versions' | 'logged_models';

export interface FilterClause {
  type: string;
  key: string;
  comparator: string;
  value: string | number | string[] | null;
}

const notYet = () => new PharosError('NOT_IMPLEMENTED', 'search is not implemented yet');

export async function searchRunIds(
  _db: Db,
  _dialect: DialectName,
  _opts: { experimentIds: number[]; filter?: string; runViewType?: RunViewType; maxResults?: number; orderBy?: string[]; pageToken?: string },
): Promise<Page<string>> {
  throw notYet();
}

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

export function parseFilter(_entity: SearchEntity, _filter: string): FilterClause[] {
  throw notYet();
}
