import type { Generated } from 'kysely';

/** Timestamps are epoch milliseconds (BIGINT). Booleans are 0/1 integers so both dialects agree. */
export interface ExperimentsTable {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string;
  lifecycle_stage: string; // 'active' | 'deleted'
  creation_time: number;
  last_update_time: number;
}
export interface ExperimentTagsTable {
  experiment_id: number;
  key: string;
  value: string;
}
export interface RunsTable {
  run_uuid: string;
  experiment_id: number;
  name: string;
  user_id: string;
  status: string; // RUNNING | SCHEDULED | FINISHED | FAILED | KILLED
  start_time: number | null;
  end_time: number | null;
  deleted_time: number | null;
  lifecycle_stage: string;
  artifact_uri: string;
}
export interface RunTagsTable {
  run_uuid: string;
  key: string;
  value: string;
}
export interface ParamsTable {
  run_uuid: string;
  key: string;
  value: string;
}
/** Full history: one row per logged point. */
export interface MetricsTable {
  run_uuid: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
  model_id: string | null;
  dataset_name: string | null;
  dataset_digest: string | null;
}
/** Latest value per (run, key) by (step, timestamp, value), as MLflow defines it; what search filters and sorts on. */
export interface LatestMetricsTable {
  run_uuid: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}
export interface DatasetsTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}
/** Links a dataset (or a model) to a run as an input or output. */
export interface InputsTable {
  input_uuid: string;
  source_type: string; // 'DATASET' | 'RUN_INPUT' | 'RUN_OUTPUT'
  source_id: string;
  destination_type: string; // 'RUN'
  destination_id: string;
  step: number | null;
}
export interface InputTagsTable {
  input_uuid: string;
  key: string;
  value: string;
}
export interface LoggedModelsTable {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: string; // LOGGED_MODEL_PENDING | LOGGED_MODEL_READY | LOGGED_MODEL_UPLOAD_FAILED
  status_message: string | null;
  lifecycle_stage: string;
  model_type: string | null;
  source_run_id: string | null;
}
export interface LoggedModelParamsTable {
  model_id: string;
  key: string;
  value: string;
}
export interface LoggedModelTagsTable {
  model_id: string;
  key: string;
  value: string;
}
export interface LoggedModelMetricsTable {
  model_id: string;
  metric_name: string;
  metric_timestamp_ms: number;
  metric_step: number;
  metric_value: number;
  is_nan: number;
  run_id: string;
  dataset_name: string | null;
  dataset_digest: string | null;
}

export interface TrackingTables {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  run_tags: RunTagsTable;
  params: ParamsTable;
  metrics: MetricsTable;
  latest_metrics: LatestMetricsTable;
  datasets: DatasetsTable;
  inputs: InputsTable;
  input_tags: InputTagsTable;
  logged_models: LoggedModelsTable;
  logged_model_params: LoggedModelParamsTable;
  logged_model_tags: LoggedModelTagsTable;
  logged_model_metrics: LoggedModelMetricsTable;
}
