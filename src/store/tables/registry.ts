import type { Generated } from 'kysely';

export interface RegisteredModelsTable {
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  /** Highest version number ever handed out (migration 0007): deleted numbers are never reused. */
  last_version: Generated<number>;
}
export interface RegisteredModelTagsTable {
  name: string;
  key: string;
  value: string;
}
export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  current_stage: string; // None | Staging | Production | Archived
  source: string;
  /** Where the model files actually are (e.g. mlflow-artifacts:/1/models/m-.../artifacts), resolved at creation. */
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  model_id: string | null;
  status: string; // PENDING_REGISTRATION | FAILED_REGISTRATION | READY
  status_message: string | null;
}
export interface ModelVersionTagsTable {
  name: string;
  version: number;
  key: string;
  value: string;
}
export interface RegisteredModelAliasesTable {
  name: string;
  alias: string;
  version: number;
}

export interface RegistryTables {
  registered_models: RegisteredModelsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_versions: ModelVersionsTable;
  model_version_tags: ModelVersionTagsTable;
  registered_model_aliases: RegisteredModelAliasesTable;
}
