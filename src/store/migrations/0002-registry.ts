import type { PharosMigration } from './migration.ts';

export const registryMigration: PharosMigration = {
  name: '0002-registry',
  async up(db) {
    await db.schema
      .createTable('registered_models')
      .addColumn('name', 'varchar(256)', (c) => c.primaryKey())
      .addColumn('creation_time', 'bigint', (c) => c.notNull())
      .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
      .addColumn('description', 'text')
      .execute();
    await db.schema
      .createTable('registered_model_tags')
      .addColumn('name', 'varchar(256)', (c) => c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'))
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('registered_model_tags_pk', ['name', 'key'])
      .execute();
    await db.schema
      .createTable('model_versions')
      .addColumn('name', 'varchar(256)', (c) => c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('creation_time', 'bigint', (c) => c.notNull())
      .addColumn('last_updated_time', 'bigint', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('user_id', 'varchar(256)')
      .addColumn('current_stage', 'varchar(20)', (c) => c.notNull())
      .addColumn('source', 'varchar(1000)', (c) => c.notNull())
      .addColumn('storage_location', 'varchar(1000)')
      .addColumn('run_id', 'varchar(32)')
      .addColumn('run_link', 'varchar(500)')
      .addColumn('model_id', 'varchar(64)')
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('status_message', 'varchar(500)')
      .addPrimaryKeyConstraint('model_versions_pk', ['name', 'version'])
      .execute();
    await db.schema.createIndex('model_versions_run_idx').on('model_versions').column('run_id').execute();
    await db.schema
      .createTable('model_version_tags')
      .addColumn('name', 'varchar(256)', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('key', 'varchar(250)', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('model_version_tags_pk', ['name', 'version', 'key'])
      .addForeignKeyConstraint('model_version_tags_fk', ['name', 'version'], 'model_versions', ['name', 'version'], (c) =>
        c.onDelete('cascade').onUpdate('cascade'),
      )
      .execute();
    await db.schema
      .createTable('registered_model_aliases')
      .addColumn('name', 'varchar(256)', (c) => c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'))
      .addColumn('alias', 'varchar(256)', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('registered_model_aliases_pk', ['name', 'alias'])
      .execute();
  },
};
