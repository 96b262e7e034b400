import type { PharosMigration } from './migration.ts';

/** Monitors over deployments, their run history, late ground-truth labels and alert history. */
export const monitoringMigration: PharosMigration = {
  name: '0005-monitoring',
  async up(db) {
    await db.schema
      .createTable('monitoring_labels')
      .addColumn('request_id', 'varchar(256)', (c) => c.primaryKey())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('monitors')
      .addColumn('monitor_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(256)', (c) => c.notNull().unique())
      .addColumn('deployment', 'varchar(256)', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('monitors_deployment_idx').on('monitors').column('deployment').execute();

    await db.schema
      .createTable('monitor_references')
      .addColumn('monitor_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('source', 'varchar(512)', (c) => c.notNull())
      .addColumn('row_count', 'integer', (c) => c.notNull())
      .addColumn('rows', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('monitor_runs')
      .addColumn('run_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('monitor_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint', (c) => c.notNull())
      .addColumn('window_start', 'bigint')
      .addColumn('window_end', 'bigint')
      .addColumn('row_count', 'integer', (c) => c.notNull())
      .addColumn('status', 'varchar(32)', (c) => c.notNull())
      .addColumn('results', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('monitor_runs_monitor_idx').on('monitor_runs').columns(['monitor_id', 'started_at']).execute();

    await db.schema
      .createTable('alert_events')
      .addColumn('event_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('monitor_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('rule_name', 'varchar(256)', (c) => c.notNull())
      .addColumn('run_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('fired_at', 'bigint', (c) => c.notNull())
      .addColumn('status', 'varchar(32)', (c) => c.notNull())
      .addColumn('value', 'double precision')
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('deliveries', 'text', (c) => c.notNull())
      .addColumn('retrain_run_id', 'varchar(256)')
      .execute();
    await db.schema.createIndex('alert_events_rule_idx').on('alert_events').columns(['monitor_id', 'rule_name', 'fired_at']).execute();
    await db.schema.createIndex('alert_events_time_idx').on('alert_events').column('fired_at').execute();
  },
};
