import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { DialectName } from './migrations/index.ts';

/**
 * The store every service is given. One query layer (Kysely) over either engine; the engine-specific
 * parts live in `sqlite/` and `postgres/`. Services write portable Kysely queries and use `dialect`
 * only where SQL truly differs (e.g. case-insensitive LIKE).
 */
export interface Store {
  readonly dialect: DialectName;
  readonly db: Kysely<Database>;
  /** Run `fn` in one transaction (one fsync on SQLite, one round-trip commit on PostgreSQL). */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type Db = Kysely<Database> | Transaction<Database>;
