import { posix } from 'node:path';
import { invalidParameter } from '../core/errors.ts';

/** MLflow's limits (mlflow/utils/validation.py). Over-long values are rejected, never truncated. */
export const LIMITS = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
  experimentNameLength: 500,
  experimentTagValueLength: 20000,
  datasetNameLength: 500,
  datasetDigestLength: 36,
  datasetSourceLength: 65535,
  datasetSchemaLength: 1048575,
  datasetProfileLength: 16777215,
  inputTagKeyLength: 255,
  inputTagValueLength: 500,
  datasetsPerBatch: 1000,
  // Column widths of the schema: checked up front so PostgreSQL never sees an over-long value (a 500 there).
  runNameLength: 250,
  userIdLength: 256,
  // Runs and logged models append ~60 characters to it, in 1000-character columns.
  artifactLocationLength: 900,
  datasetSourceTypeLength: 36,
  modelIdLength: 64,
  modelTypeLength: 500,
  metricDatasetDigestLength: 64,
  searchRunsMaxResults: 50000,
  searchExperimentsMaxResults: 50000,
} as const;

// Python's `\w` is Unicode-aware; \p{L}\p{N}\p{M} plus connector punctuation is its JS equivalent.
const KEY_CHARS = /^[/\p{L}\p{N}\p{M}\p{Pc}.\- :]*$/u;

const BAD_CHARACTERS =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';

/** Metric, param and tag keys, validated as MLflow does (characters, and no path tricks like `a/../b`). */
export function validateKey(kind: string, key: unknown, path = 'key'): string {
  if (key === undefined || key === null || key === '') {
    throw invalidParameter(`Missing value for required parameter '${path}'. ${kind} key must be provided.`);
  }
  if (typeof key !== 'string') throw invalidParameter(`Invalid value ${JSON.stringify(key)} for parameter '${path}' supplied: ${kind} key must be a string.`);
  if (!KEY_CHARS.test(key)) throw invalidParameter(`Invalid value '${key}' for parameter '${path}' supplied. ${BAD_CHARACTERS}`);
  const norm = posix.normalize(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    throw invalidParameter(
      `Invalid value '${key}' for parameter '${path}' supplied. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`,
    );
  }
  if (key.length > LIMITS.keyLength) throw invalidParameter(`${kind} key '${key.slice(0, 50)}...' is ${key.length} characters long; the limit is ${LIMITS.keyLength}.`);
  return key;
}

export function validateLength(what: string, value: string | undefined | null, limit: number): void {
  if (typeof value === 'string' && value.includes('\0')) throw invalidParameter(`${what} contains a NUL byte, which is not allowed.`);
  if (value !== undefined && value !== null && value.length > limit) {
    throw invalidParameter(`${what} is ${value.length} characters long, which exceeds the maximum length of ${limit}. Values are not truncated; shorten the value.`);
  }
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const check = (entity: string, limit: number, n: number) => {
    if (n > limit) {
      throw invalidParameter(
        `A batch logging request can contain at most ${limit} ${entity}. Got ${n} ${entity}. Please split up ${entity} across multiple requests and try again.`,
      );
    }
  };
  check('metrics', LIMITS.metricsPerBatch, metrics);
  check('params', LIMITS.paramsPerBatch, params);
  check('tags', LIMITS.tagsPerBatch, tags);
  check('metrics, params, and tags', LIMITS.entitiesPerBatch, metrics + params + tags);
}

export function validateExperimentName(name: unknown): string {
  if (name === undefined || name === null || name === '') throw invalidParameter(`Invalid experiment name: '${name ?? ''}'`);
  if (typeof name !== 'string') throw invalidParameter(`Invalid experiment name: ${JSON.stringify(name)}. Expects a string.`);
  if (name.includes('\0')) throw invalidParameter('Invalid experiment name: NUL bytes are not allowed.');
  if (name.length > LIMITS.experimentNameLength) {
    throw invalidParameter(`Experiment name is ${name.length} characters long, which exceeds the maximum length of ${LIMITS.experimentNameLength}.`);
  }
  return name;
}

const MAX_INT32 = 2147483647;

/** Experiment ids are integers on the wire as strings ("0", "12"); the column is a 32-bit integer. */
export function parseExperimentId(id: unknown): number {
  const s = typeof id === 'number' ? String(id) : id;
  if (typeof s !== 'string' || !/^\d{1,10}$/.test(s) || Number(s) > MAX_INT32) {
    throw invalidParameter(`Invalid experiment ID '${String(id)}'. Experiment ID must be a valid integer.`);
  }
  return Number(s);
}

const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
export function validateRunId(id: unknown, path = 'run_id'): string {
  if (id === undefined || id === null || id === '') throw invalidParameter(`Missing value for required parameter '${path}'.`);
  if (typeof id !== 'string' || !RUN_ID.test(id)) throw invalidParameter(`Invalid value ${JSON.stringify(id)} for parameter '${path}' supplied.`);
  return id;
}

/** NaN is stored as 0 with is_nan=1; ±Infinity as ±Number.MAX_VALUE, exactly as MLflow's SQL store does. */
export function storedMetricValue(value: number): { value: number; is_nan: number } {
  if (Number.isNaN(value)) return { value: 0, is_nan: 1 };
  if (value === Infinity) return { value: Number.MAX_VALUE, is_nan: 0 };
  if (value === -Infinity) return { value: -Number.MAX_VALUE, is_nan: 0 };
  return { value, is_nan: 0 };
}

const ADJECTIVES = ['amazing', 'bold', 'brave', 'bright', 'calm', 'clever', 'gentle', 'glowing', 'grand', 'happy', 'keen', 'lucky', 'merry', 'nimble', 'polite', 'quiet', 'rare', 'shy', 'smiling', 'swift', 'tidy', 'wise'];
const NOUNS = ['ant', 'bass', 'bat', 'cod', 'crane', 'deer', 'doe', 'eel', 'finch', 'fox', 'gull', 'hare', 'hawk', 'kite', 'lark', 'mole', 'owl', 'ray', 'seal', 'shark', 'snail', 'wolf'];

/** `smiling-kite-891`, like MLflow's generated run names. */
export function randomRunName(): string {
  const pick = (a: string[]) => a[Math.floor(Math.random() * a.length)];
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
}

/** Rejects NUL bytes anywhere in a request (PostgreSQL text cannot hold them; SQLite would truncate on some paths). */
export function rejectNulBytes(value: unknown, path = 'request'): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) throw invalidParameter(`Invalid value for parameter '${path}' supplied: NUL bytes are not allowed.`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => rejectNulBytes(v, `${path}[${i}]`));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      rejectNulBytes(k, path);
      rejectNulBytes(v, path === 'request' ? k : `${path}.${k}`);
    }
  }
}
