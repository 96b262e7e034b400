import { join } from 'node:path';
import type { Store } from './store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';

export type { Store, Db } from './store.ts';
export type { Database } from './schema.ts';
export type { DialectName } from './migrations/index.ts';
export type * from './schema.ts';

/**
 * Opens the store named by a URI: `postgresql://...` (or `postgres://`), `sqlite:///abs/path.db`,
 * `sqlite://:memory:`, or a plain file path (SQLite).
 */
export async function openStore(uri: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(uri)) return openPostgresStore(uri);
  if (uri.startsWith('sqlite://')) {
    const rest = uri.slice('sqlite://'.length);
    return openSqliteStore(rest === ':memory:' || rest === '/:memory:' ? ':memory:' : rest);
  }
  return openSqliteStore(uri);
}

export function defaultStoreUri(dataDir: string): string {
  return join(dataDir, 'pharos.db');
}
