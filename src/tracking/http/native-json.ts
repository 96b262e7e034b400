import type { Experiment, KeyValue, Metric, Run } from '../entities.ts';

/**
 * The native API's shapes: snake_case like the rest of /api/v1, tags and params as maps, latest metrics as a
 * map of values. JSON has no NaN: a NaN metric value is `null`.
 */
export interface NativeExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
  tags: Record<string, string>;
}

export interface NativeRun {
  run_id: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: string;
  start_time: number | null;
  end_time: number | null;
  artifact_uri: string;
  lifecycle_stage: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number | null>;
  datasets: Array<{ name: string; digest: string; source_type: string; context: string | null }>;
  model_outputs: Array<{ model_id: string; step: number }>;
}

export interface NativeMetricPoint {
  value: number | null;
  step: number;
  timestamp: number;
}

const toMap = (kvs: KeyValue[]) => Object.fromEntries(kvs.map((t) => [t.key, t.value]));
const finiteOrNull = (v: number) => (Number.isNaN(v) ? null : v);

export function nativeExperiment(e: Experiment): NativeExperiment {
  return {
    experiment_id: e.experiment_id,
    name: e.name,
    artifact_location: e.artifact_location,
    lifecycle_stage: e.lifecycle_stage,
    creation_time: e.creation_time,
    last_update_time: e.last_update_time,
    tags: toMap(e.tags),
  };
}

export function nativeRun(r: Run): NativeRun {
  return {
    run_id: r.info.run_id,
    run_name: r.info.run_name,
    experiment_id: r.info.experiment_id,
    user_id: r.info.user_id,
    status: r.info.status,
    start_time: r.info.start_time ?? null,
    end_time: r.info.end_time ?? null,
    artifact_uri: r.info.artifact_uri,
    lifecycle_stage: r.info.lifecycle_stage,
    params: toMap(r.data.params),
    tags: toMap(r.data.tags),
    metrics: Object.fromEntries(r.data.metrics.map((m) => [m.key, finiteOrNull(m.value)])),
    datasets: r.inputs.dataset_inputs.map((d) => ({
      name: d.dataset.name,
      digest: d.dataset.digest,
      source_type: d.dataset.source_type,
      context: d.tags.find((t) => t.key === 'mlflow.data.context')?.value ?? null,
    })),
    model_outputs: r.outputs.model_outputs,
  };
}

export function nativeMetricPoint(m: Metric): NativeMetricPoint {
  return { value: finiteOrNull(m.value), step: m.step, timestamp: m.timestamp };
}

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const errorSchema = {
  type: 'object',
  properties: { error_code: { type: 'string' }, message: { type: 'string' } },
} as const;

export const experimentSchema = {
  type: 'object',
  properties: {
    experiment_id: { type: 'string' },
    name: { type: 'string' },
    artifact_location: { type: 'string' },
    lifecycle_stage: { type: 'string', enum: ['active', 'deleted'] },
    creation_time: { type: 'integer' },
    last_update_time: { type: 'integer' },
    tags: stringMap,
  },
} as const;

export const runSchema = {
  type: 'object',
  properties: {
    run_id: { type: 'string' },
    run_name: { type: 'string' },
    experiment_id: { type: 'string' },
    user_id: { type: 'string' },
    status: { type: 'string', enum: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] },
    start_time: { type: 'integer', nullable: true },
    end_time: { type: 'integer', nullable: true },
    artifact_uri: { type: 'string' },
    lifecycle_stage: { type: 'string', enum: ['active', 'deleted'] },
    params: stringMap,
    tags: stringMap,
    metrics: { type: 'object', additionalProperties: { type: 'number', nullable: true } },
    datasets: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, digest: { type: 'string' }, source_type: { type: 'string' }, context: { type: 'string', nullable: true } },
      },
    },
    model_outputs: { type: 'array', items: { type: 'object', properties: { model_id: { type: 'string' }, step: { type: 'integer' } } } },
  },
} as const;

export const metricPointSchema = {
  type: 'object',
  properties: { value: { type: 'number', nullable: true }, step: { type: 'integer' }, timestamp: { type: 'integer' } },
} as const;
