import { sql } from 'kysely';
import { serialType, type PharosMigration } from './migration.ts';

export const trackingMigration: PharosMigration = {
  name: '0001-tracking',
  async up(db, dialect) {
    await db.schema
      .createTable('experiments')
      .addColumn('experiment_id', serialType(dialect), (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('name', 'varchar(500)', (c) => c.notNull().unique())
      .addColumn('artifact_location', 'varchar(1000)', (c) => c.notNull())
      .addColumn('lifecycle_stage', 'varchar(32)', (c) => c.notNull())
      .addColumn('creation_time', 'bigint', (c) => c.notNull())
      .addColumn('last_update_time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('experiment_tags')
      .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
      .execute();
    await db.schema
      .createTable('runs')
      .addColumn('run_uuid', 'varchar(32)', (c) => c.primaryKey())
      .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
      .addColumn('name', 'varchar(250)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('start_time', 'bigint')
      .addColumn('end_time', 'bigint')
      .addColumn('deleted_time', 'bigint')
      .addColumn('lifecycle_stage', 'varchar(20)', (c) => c.notNull())
      .addColumn('artifact_uri', 'varchar(1000)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('runs_experiment_start_idx').on('runs').columns(['experiment_id', 'start_time']).execute();
    await db.schema
      .createTable('run_tags')
      .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('run_tags_pk', ['run_uuid', 'key'])
      .execute();
    await db.schema.createIndex('run_tags_key_value_idx').on('run_tags').columns(['key', 'value']).execute();
    await db.schema
      .createTable('params')
      .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('params_pk', ['run_uuid', 'key'])
      .execute();
    await db.schema.createIndex('params_key_value_idx').on('params').columns(['key', 'value']).execute();
    await db.schema
      .createTable('metrics')
      .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .addColumn('step', 'bigint', (c) => c.notNull())
      .addColumn('is_nan', 'integer', (c) => c.notNull())
      .addColumn('model_id', 'varchar(64)')
      .addColumn('dataset_name', 'varchar(500)')
      .addColumn('dataset_digest', 'varchar(64)')
      .execute();
    // History reads (get_metric_history) walk this index in order; no primary key so re-logging a point is cheap.
    await db.schema.createIndex('metrics_run_key_step_idx').on('metrics').columns(['run_uuid', 'key', 'step', 'timestamp']).execute();
    await db.schema
      .createTable('latest_metrics')
      .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull().references('runs.run_uuid').onDelete('cascade'))
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .addColumn('step', 'bigint', (c) => c.notNull())
      .addColumn('is_nan', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('latest_metrics_pk', ['run_uuid', 'key'])
      .execute();
    // Search filters/sorts like `metrics.acc > 0.9` use (key, value).
    await db.schema.createIndex('latest_metrics_key_value_idx').on('latest_metrics').columns(['key', 'value']).execute();
    await db.schema
      .createTable('datasets')
      .addColumn('dataset_uuid', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
      .addColumn('name', 'varchar(500)', (c) => c.notNull())
      .addColumn('digest', 'varchar(64)', (c) => c.notNull())
      .addColumn('source_type', 'varchar(36)', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('schema', 'text')
      .addColumn('profile', 'text')
      .addUniqueConstraint('datasets_exp_name_digest_uq', ['experiment_id', 'name', 'digest'])
      .execute();
    await db.schema
      .createTable('inputs')
      .addColumn('input_uuid', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('source_type', 'varchar(36)', (c) => c.notNull())
      .addColumn('source_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('destination_type', 'varchar(36)', (c) => c.notNull())
      .addColumn('destination_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('step', 'bigint')
      .addUniqueConstraint('inputs_uq', ['source_type', 'source_id', 'destination_type', 'destination_id'])
      .execute();
    await db.schema.createIndex('inputs_destination_idx').on('inputs').columns(['destination_type', 'destination_id']).execute();
    await db.schema
      .createTable('input_tags')
      .addColumn('input_uuid', 'varchar(36)', (c) => c.notNull().references('inputs.input_uuid').onDelete('cascade'))
      .addColumn('key', 'varchar(255)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('input_tags_pk', ['input_uuid', 'key'])
      .execute();
    await db.schema
      .createTable('logged_models')
      .addColumn('model_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('experiment_id', 'integer', (c) => c.notNull().references('experiments.experiment_id').onDelete('cascade'))
      .addColumn('name', 'varchar(500)', (c) => c.notNull())
      .addColumn('artifact_location', 'varchar(1000)', (c) => c.notNull())
      .addColumn('creation_timestamp_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_updated_timestamp_ms', 'bigint', (c) => c.notNull())
      .addColumn('status', 'varchar(32)', (c) => c.notNull())
      .addColumn('status_message', 'text')
      .addColumn('lifecycle_stage', 'varchar(32)', (c) => c.notNull())
      .addColumn('model_type', 'varchar(500)')
      .addColumn('source_run_id', 'varchar(32)')
      .execute();
    await db.schema.createIndex('logged_models_experiment_idx').on('logged_models').columns(['experiment_id', 'creation_timestamp_ms']).execute();
    for (const t of ['logged_model_params', 'logged_model_tags'] as const) {
      await db.schema
        .createTable(t)
        .addColumn('model_id', 'varchar(64)', (c) => c.notNull().references('logged_models.model_id').onDelete('cascade'))
        .addColumn('key', 'varchar(255)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${t}_pk`, ['model_id', 'key'])
        .execute();
    }
    await db.schema
      .createTable('logged_model_metrics')
      .addColumn('model_id', 'varchar(64)', (c) => c.notNull().references('logged_models.model_id').onDelete('cascade'))
      .addColumn('metric_name', 'varchar(500)', (c) => c.notNull())
      .addColumn('metric_timestamp_ms', 'bigint', (c) => c.notNull())
      .addColumn('metric_step', 'bigint', (c) => c.notNull())
      .addColumn('metric_value', 'double precision', (c) => c.notNull())
      .addColumn('is_nan', 'integer', (c) => c.notNull())
      .addColumn('run_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('dataset_name', 'varchar(500)')
      .addColumn('dataset_digest', 'varchar(64)')
      .execute();
    await db.schema.createIndex('logged_model_metrics_idx').on('logged_model_metrics').columns(['model_id', 'metric_name']).execute();
    // The Default experiment "0" always exists, as in MLflow.
    const now = Date.now();
    await sql`INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
              VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', ${now}, ${now})`.execute(db);
  },
};
