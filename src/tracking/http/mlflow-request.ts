import type { FastifyRequest } from 'fastify';
import { invalidParameter } from '../../core/errors.ts';
import type { KeyValue } from '../entities.ts';

/**
 * MLflow's request conventions: GET parameters in the query string (lists as repeated keys), everything
 * else as a JSON body; proto3 JSON, so 64-bit integers may arrive as numbers or strings and doubles may be
 * "NaN"/"Infinity". Every type problem becomes a 400 INVALID_PARAMETER_VALUE with MLflow's wording.
 */
export class MlflowParams {
  private readonly source: Record<string, unknown>;
  readonly fromQuery: boolean;

  constructor(req: FastifyRequest) {
    this.fromQuery = req.method === 'GET';
    const raw = this.fromQuery ? req.query : req.body;
    if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
      throw invalidParameter('Request body must be a JSON object.');
    }
    this.source = (raw as Record<string, unknown>) ?? {};
  }

  has(name: string): boolean {
    const v = this.source[name];
    return v !== undefined && v !== null && !(this.fromQuery && v === '');
  }

  raw(name: string): unknown {
    return this.source[name];
  }

  private scalar(name: string): unknown {
    const v = this.source[name];
    // A repeated query key for a scalar: MLflow (Flask) takes the first.
    return this.fromQuery && Array.isArray(v) ? v[0] : v;
  }

  private missing(name: string): never {
    throw invalidParameter(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
  }

  private invalid(name: string, value: unknown, why: string): never {
    throw invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied: ${why}`);
  }

  string(name: string, opts: { required: true }): string;
  string(name: string, opts?: { required?: boolean }): string | undefined;
  string(name: string, opts: { required?: boolean } = {}): string | undefined {
    if (!this.has(name)) return opts.required ? this.missing(name) : undefined;
    const v = this.scalar(name);
    // Ids are strings on the wire, but some clients send experiment ids as JSON numbers.
    if (typeof v === 'number' && name.endsWith('_id') && Number.isSafeInteger(v)) return String(v);
    if (typeof v !== 'string') this.invalid(name, v, 'Parameter must be a string.');
    if (opts.required && v === '') this.missing(name);
    return v;
  }

  /** First of `names` present (MLflow accepts both run_id and the legacy run_uuid). */
  oneOf(names: string[], opts: { required: true }): string {
    for (const n of names) {
      const v = this.string(n);
      if (v) return v;
    }
    return this.missing(names[0]);
  }

  int(name: string, opts: { required: true }): number;
  int(name: string, opts?: { required?: boolean }): number | undefined;
  int(name: string, opts: { required?: boolean } = {}): number | undefined {
    if (!this.has(name)) return opts.required ? this.missing(name) : undefined;
    return toInt(name, this.scalar(name));
  }

  bool(name: string): boolean | undefined {
    if (!this.has(name)) return undefined;
    const v = this.scalar(name);
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'True') return true;
    if (v === 'false' || v === 'False') return false;
    return this.invalid(name, v, 'Parameter must be a boolean.');
  }

  double(name: string, opts: { required: true }): number;
  double(name: string, opts?: { required?: boolean }): number | undefined;
  double(name: string, opts: { required?: boolean } = {}): number | undefined {
    if (!this.has(name)) return opts.required ? this.missing(name) : undefined;
    return toDouble(name, this.scalar(name));
  }

  /** An enum sent by name (proto3 JSON); numbers are accepted as the proto's ordinal. */
  enumValue<T extends string>(name: string, values: readonly T[], ordinals?: Record<number, T>): T | undefined {
    if (!this.has(name)) return undefined;
    const v = this.scalar(name);
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    if (ordinals && (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) && ordinals[Number(v)]) return ordinals[Number(v)];
    return this.invalid(name, v, `Expected one of ${values.join(', ')}.`);
  }

  stringList(name: string): string[] {
    if (!this.has(name)) return [];
    const v = this.source[name];
    const list = Array.isArray(v) ? v : this.fromQuery ? [v] : this.invalid(name, v, 'Parameter must be an array.');
    return list.map((item, i) => {
      if (typeof item === 'number') return String(item);
      if (typeof item !== 'string') this.invalid(`${name}[${i}]`, item, 'Items must be strings.');
      return item;
    });
  }

  objectList(name: string): Array<Record<string, unknown>> {
    if (!this.has(name)) return [];
    const v = this.source[name];
    if (!Array.isArray(v)) this.invalid(name, v, 'Parameter must be an array.');
    return v.map((item, i) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) this.invalid(`${name}[${i}]`, item, 'Items must be objects.');
      return item as Record<string, unknown>;
    });
  }

  keyValues(name: string): KeyValue[] {
    return this.objectList(name).map((o, i) => ({ key: fieldString(`${name}[${i}].key`, o.key), value: fieldString(`${name}[${i}].value`, o.value ?? '') }));
  }
}

export function toInt(name: string, v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,16}$/.test(v.trim()) && Number.isSafeInteger(Number(v))) return Number(v);
  throw invalidParameter(`Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied: Parameter must be an integer.`);
}

const SPECIAL_DOUBLES: Record<string, number> = { NaN: NaN, nan: NaN, Infinity: Infinity, inf: Infinity, '-Infinity': -Infinity, '-inf': -Infinity };

/** Proto3 JSON doubles: a number, a numeric string, or "NaN" / "Infinity" / "-Infinity" (how the Python client sends them). */
export function toDouble(name: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v in SPECIAL_DOUBLES) return SPECIAL_DOUBLES[v];
    const t = v.trim();
    if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  }
  throw invalidParameter(`Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied: Please specify value as a valid double (64-bit floating point).`);
}

export function fieldString(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) throw invalidParameter(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
  throw invalidParameter(`Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied: Parameter must be a string.`);
}

export function optionalFieldString(name: string, v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : fieldString(name, v);
}

/**
 * Proto3 JSON output: empty lists and unset fields are left out, NaN doubles become "NaN" (JSON has no NaN).
 */
export function protoJson(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    return value;
  }
  if (Array.isArray(value)) return value.map(protoJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v) && v.length === 0) continue;
      out[k] = protoJson(v);
    }
    return out;
  }
  return value;
}

/** Marks a response already in proto3 JSON shape, so the generic (and, for 100k metrics, slow) walk is skipped. */
export const WIRE_READY = Symbol('wire-ready');

/** Metric history on the wire: a flat loop instead of protoJson's generic walk (a 100k-point history is common). */
export function metricsToWire(items: Array<{ key: string; value: number; timestamp: number; step: number }>): unknown[] {
  const out = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const m = items[i];
    const v = m.value;
    out[i] = { key: m.key, value: Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v, timestamp: m.timestamp, step: m.step };
  }
  return out;
}
