/**
 * One error type for every service. Codes are MLflow's `ErrorCode` names so the MLflow-compatible
 * routes can pass them through unchanged; the HTTP layer maps them to statuses in one place.
 */
export type ErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'RESOURCE_LIMIT_EXCEEDED'
  | 'INVALID_STATE'
  | 'BAD_REQUEST'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'NOT_IMPLEMENTED'
  | 'ENDPOINT_NOT_FOUND'
  | 'INTERNAL_ERROR'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'RESOURCE_EXHAUSTED';

const STATUS: Record<ErrorCode, number> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_LIMIT_EXCEEDED: 400,
  INVALID_STATE: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_IMPLEMENTED: 501,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  // 507 Insufficient Storage: not in the mlflow client's retry list, so the user sees the cause at once.
  RESOURCE_EXHAUSTED: 507,
};

export class PharosError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'PharosError';
    this.code = code;
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export const invalidParameter = (message: string) => new PharosError('INVALID_PARAMETER_VALUE', message);
export const notFound = (message: string) => new PharosError('RESOURCE_DOES_NOT_EXIST', message);
export const alreadyExists = (message: string) => new PharosError('RESOURCE_ALREADY_EXISTS', message);
export const invalidState = (message: string) => new PharosError('INVALID_STATE', message);

export function statusForCode(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

export function isPharosError(e: unknown): e is PharosError {
  return e instanceof PharosError;
}

/**
 * The storage under a store or the artifact folder is full (or over quota): the failed write was rolled back
 * (SQLite and PostgreSQL transactions, artifact temp files), so the caller can free space and retry.
 */
export function isStorageFull(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === '53100';
}

export const storageFull = (detail: string) =>
  new PharosError('RESOURCE_EXHAUSTED', `the server's storage is full (${detail}); nothing was written, free space and retry`);
