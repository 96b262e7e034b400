import type { ModelVersion, RegisteredModel } from '../registry-service.ts';

/**
 * The native API's shapes: snake_case like the rest of /api/v1, versions as numbers, tags as a map, and the
 * resolved `storage_location` shown (MLflow hides it behind get-download-uri).
 */
export interface NativeModelVersion {
  name: string;
  version: number;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string | null;
  current_stage: string;
  source: string;
  storage_location: string;
  run_id: string | null;
  run_link: string | null;
  model_id: string | null;
  status: string;
  tags: Record<string, string>;
  aliases: string[];
}

export interface NativeRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string | null;
  latest_versions: NativeModelVersion[];
  tags: Record<string, string>;
  aliases: Record<string, number>;
}

export function nativeModelVersion(mv: ModelVersion): NativeModelVersion {
  return {
    name: mv.name,
    version: mv.version,
    creation_timestamp: mv.creationTimestamp,
    last_updated_timestamp: mv.lastUpdatedTimestamp,
    description: mv.description ?? null,
    current_stage: mv.currentStage,
    source: mv.source,
    storage_location: mv.storageLocation,
    run_id: mv.runId ?? null,
    run_link: mv.runLink ?? null,
    model_id: mv.modelId ?? null,
    status: mv.status,
    tags: mv.tags,
    aliases: mv.aliases,
  };
}

export function nativeRegisteredModel(rm: RegisteredModel): NativeRegisteredModel {
  return {
    name: rm.name,
    creation_timestamp: rm.creationTimestamp,
    last_updated_timestamp: rm.lastUpdatedTimestamp,
    description: rm.description ?? null,
    latest_versions: rm.latestVersions.map(nativeModelVersion),
    tags: rm.tags,
    aliases: Object.fromEntries(rm.aliases.map((a) => [a.alias, a.version])),
  };
}

const nullableString = { type: ['string', 'null'] } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const modelVersionSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'integer' },
    creation_timestamp: { type: 'integer' },
    last_updated_timestamp: { type: 'integer' },
    description: nullableString,
    current_stage: { type: 'string', enum: ['None', 'Staging', 'Production', 'Archived'] },
    source: { type: 'string' },
    storage_location: { type: 'string' },
    run_id: nullableString,
    run_link: nullableString,
    model_id: nullableString,
    status: { type: 'string' },
    tags: stringMap,
    aliases: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const registeredModelSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    creation_timestamp: { type: 'integer' },
    last_updated_timestamp: { type: 'integer' },
    description: nullableString,
    latest_versions: { type: 'array', items: modelVersionSchema },
    tags: stringMap,
    aliases: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

export const errorSchema = {
  type: 'object',
  properties: { error_code: { type: 'string' }, message: { type: 'string' } },
} as const;
