import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { migrations, type DialectName } from './migrations/index.ts';

export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const m of migrations) out[m.name] = { up: (d) => m.up(d, dialect) };
      return out;
    },
  };
  const migrator = new Migrator({ db, provider, migrationTableName: 'pharos_migrations', migrationLockTableName: 'pharos_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}
