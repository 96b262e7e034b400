/**
 * MLflow-compatible search: the filter grammar (tokenizer + recursive-descent parser, validated per entity
 * as MLflow validates it) and its compilation to one SQL query per search, on SQLite and PostgreSQL.
 * Services call these and get back the keys of the matching rows, in MLflow's order, one page at a time;
 * they load the full entities themselves.
 */
export type { RunViewType, Page } from './types.ts';
export {
  parseFilter,
  parseOrderBy,
  type FilterClause,
  type SearchEntity,
  type ClauseType,
  type Comparator,
  type OrderByKey,
} from './grammar.ts';
export { searchRunIds, RUNS_MAX_RESULTS, type SearchRunsOptions } from './runs.ts';
export { searchExperimentIds, EXPERIMENTS_MAX_RESULTS, type SearchExperimentsOptions } from './experiments.ts';
export {
  searchRegisteredModelNames,
  searchModelVersionKeys,
  REGISTERED_MODELS_MAX_RESULTS,
  MODEL_VERSIONS_MAX_RESULTS,
  IS_PROMPT_TAG_KEY,
  type SearchRegisteredModelsOptions,
  type SearchModelVersionsOptions,
} from './registry.ts';
export {
  searchLoggedModelIds,
  LOGGED_MODELS_MAX_RESULTS,
  type LoggedModelOrderBy,
  type LoggedModelDatasetFilter,
  type SearchLoggedModelsOptions,
} from './logged-models.ts';
export { createPageToken, parsePageToken } from './page-token.ts';
