import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from '../schema.ts';
import type { Store } from '../store.ts';
import { migrateToLatest } from '../migrate.ts';

/**
 * Embedded store: one SQLite file in WAL mode. WAL + synchronous=NORMAL never corrupts the database on a
 * process crash or kill -9 (committed transactions survive); on power loss the last commits may roll back,
 * never corrupt. `busy_timeout` lets a CLI and the server share the file.
 */
export async function openSqliteStore(path: string): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<Database>({ dialect: new SqliteStoreDialect(sqlite) });
  await migrateToLatest(db, 'sqlite');
  return {
    dialect: 'sqlite',
    db,
    transaction: (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
  };
}

/**
 * SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, ...). Kysely's ROLLBACK
 * would then fail with "cannot rollback - no transaction is active" and hide the real error (a full disk must be
 * reported as one), so roll back only when a transaction is still open.
 */
class SqliteStoreDialect extends SqliteDialect {
  readonly #sqlite: BetterSqlite3.Database;
  constructor(sqlite: BetterSqlite3.Database) {
    super({ database: sqlite });
    this.#sqlite = sqlite;
  }
  override createDriver(): Driver {
    const sqlite = this.#sqlite;
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (sqlite.inTransaction) await super.rollbackTransaction(connection);
      }
    })({ database: sqlite });
  }
}
