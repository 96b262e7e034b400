import { serialType, type PharosMigration } from './migration.ts';

/** Deployments served by the Pharos server and the history of their routing changes. */
export const servingMigration: PharosMigration = {
  name: '0004-serving',
  async up(db, dialect) {
    await db.schema
      .createTable('serving_deployments')
      .addColumn('name', 'varchar(256)', (c) => c.primaryKey())
      .addColumn('stable_uri', 'varchar(1000)', (c) => c.notNull())
      .addColumn('candidate_uri', 'varchar(1000)')
      .addColumn('candidate_mode', 'varchar(16)')
      .addColumn('canary_percent', 'double precision', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('rollout_started_at', 'bigint')
      .addColumn('creation_time', 'bigint', (c) => c.notNull())
      .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('serving_deployment_events')
      .addColumn('id', serialType(dialect), (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('deployment', 'varchar(256)', (c) => c.notNull())
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .addColumn('action', 'varchar(32)', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('details', 'text')
      .execute();
    await db.schema.createIndex('serving_deployment_events_deployment_idx').on('serving_deployment_events').columns(['deployment', 'id']).execute();
  },
};
