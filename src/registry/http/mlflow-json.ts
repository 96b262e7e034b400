import type { FastifyRequest } from 'fastify';
import { invalidParameter } from '../../core/errors.ts';
import type { ModelVersion, RegisteredModel } from '../registry-service.ts';

/**
 * MLflow's proto JSON: snake_case names, int64 timestamps as numbers, `version` as a string, unset optionals and
 * empty repeated fields left out (as `message_to_json` prints them).
 */
export function modelVersionJson(mv: ModelVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: mv.name,
    version: String(mv.version),
    creation_timestamp: mv.creationTimestamp,
    last_updated_timestamp: mv.lastUpdatedTimestamp,
  };
  if (mv.description !== undefined) out.description = mv.description;
  if (mv.userId !== undefined) out.user_id = mv.userId;
  out.current_stage = mv.currentStage;
  out.source = mv.source;
  if (mv.runId !== undefined) out.run_id = mv.runId;
  out.status = mv.status;
  if (mv.statusMessage) out.status_message = mv.statusMessage;
  const tags = Object.entries(mv.tags).map(([key, value]) => ({ key, value }));
  if (tags.length) out.tags = tags;
  if (mv.runLink !== undefined) out.run_link = mv.runLink;
  if (mv.aliases.length) out.aliases = mv.aliases;
  if (mv.modelId !== undefined) out.model_id = mv.modelId;
  return out;
}

export function registeredModelJson(rm: RegisteredModel): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: rm.name,
    creation_timestamp: rm.creationTimestamp,
    last_updated_timestamp: rm.lastUpdatedTimestamp,
  };
  if (rm.description !== undefined) out.description = rm.description;
  if (rm.latestVersions.length) out.latest_versions = rm.latestVersions.map(modelVersionJson);
  const tags = Object.entries(rm.tags).map(([key, value]) => ({ key, value }));
  if (tags.length) out.tags = tags;
  if (rm.aliases.length) out.aliases = rm.aliases.map((a) => ({ alias: a.alias, version: String(a.version) }));
  return out;
}

const suffix = ' See the API docs for more information about request parameters.';

/**
 * A request's parameters wherever the client put them: the mlflow client sends GET/DELETE parameters as a
 * query string or a JSON body depending on the verb and version, so both are read (body wins).
 */
export class MlflowParams {
  private readonly values: Record<string, unknown>;
  constructor(req: FastifyRequest) {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) && !isStream(req.body) ? (req.body as Record<string, unknown>) : {};
    this.values = { ...query, ...body };
  }

  private invalid(key: string, value: unknown, type: string) {
    return invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${key}' supplied. Hint: Value was of type '${type}'.${suffix}`);
  }

  str(key: string, required: true): string;
  str(key: string, required?: false): string | undefined;
  str(key: string, required = false): string | undefined {
    let v = this.values[key];
    // `version` is a string in the proto, but a hand-written client sending a number means the same thing.
    if (key === 'version' && typeof v === 'number' && Number.isInteger(v)) v = String(v);
    if (v === undefined || v === null || v === '') {
      if (required) throw invalidParameter(`Missing value for required parameter '${key}'.${suffix}`);
      return v === '' ? '' : undefined;
    }
    if (typeof v !== 'string') throw this.invalid(key, v, Array.isArray(v) ? 'list' : typeof v);
    return v;
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  int(key: string): number | undefined {
    const v = this.values[key];
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) throw this.invalid(key, v, typeof v === 'string' ? 'str' : typeof v);
    return n;
  }

  bool(key: string): boolean {
    const v = this.values[key];
    if (v === undefined || v === null || v === '') return false;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'True') return true;
    if (v === 'false' || v === 'False') return false;
    throw this.invalid(key, v, typeof v === 'string' ? 'str' : typeof v);
  }

  strings(key: string): string[] {
    const v = this.values[key];
    if (v === undefined || v === null || v === '') return [];
    const list = Array.isArray(v) ? v : [v];
    for (const item of list) if (typeof item !== 'string') throw this.invalid(key, v, 'list');
    return list as string[];
  }

  tags(key = 'tags'): Array<{ key: string; value: string }> {
    const v = this.values[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw this.invalid(key, v, typeof v);
    return v.map((t) => {
      if (!t || typeof t !== 'object' || typeof (t as any).key !== 'string') throw invalidParameter(`Each entry of '${key}' must be an object with a string 'key'.${suffix}`);
      const value = (t as any).value;
      if (value !== undefined && value !== null && typeof value !== 'string') throw this.invalid(`${key}.value`, value, typeof value);
      return { key: (t as any).key, value: value ?? '' };
    });
  }
}

function isStream(x: unknown): boolean {
  return typeof (x as { pipe?: unknown }).pipe === 'function';
}
