import { randomBytes, randomUUID } from 'node:crypto';

/** 32 hex characters, the shape MLflow uses for run ids. */
export function newRunId(): string {
  return randomUUID().replace(/-/g, '');
}

/** MLflow 3 logged-model ids: `m-` followed by 32 hex characters. */
export function newLoggedModelId(): string {
  return `m-${randomBytes(16).toString('hex')}`;
}

export function newId(prefix = ''): string {
  return prefix + randomUUID().replace(/-/g, '');
}

export function nowMs(): number {
  return Date.now();
}
