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
    super({ database: withStatementCache(sqlite) });
    this.#sqlite = sqlite;
  }
  override createDriver(): Driver {
    const sqlite = this.#sqlite;
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (sqlite.inTransaction) await super.rollbackTransaction(connection);
      }
    })({ database: withStatementCache(sqlite) });
  }
}

/**
 * Kysely prepares every query anew; SQLite parsing a 500-row INSERT costs about as much as running it. The same SQL
 * text reuses its prepared statement (least recently used ones dropped past `max`). Safe because better-sqlite3 runs
 * one statement at a time and nothing here iterates a statement while another query runs.
 */
function withStatementCache(db: BetterSqlite3.Database, max = 256): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql);
    } else {
      statement = db.prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, statement);
    return statement;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
