import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../schema.ts';
import type { Store } from '../store.ts';
import { migrateToLatest } from '../migrate.ts';

// BIGINT (int8) columns hold epoch-ms timestamps and steps, all well inside 2^53: read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));
// NUMERIC stays a string by default; we never use it. DOUBLE PRECISION (701) is parsed by pg already.

export async function openPostgresStore(connectionString: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db, 'postgres');
  return {
    dialect: 'postgres',
    db,
    transaction: (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
  };
}
