import type { PharosMigration } from './migration.ts';

/**
 * Version numbers are never reused after a delete (MLflow keeps deleted versions as hidden rows for that;
 * we delete the row and keep the highest number handed out on the model instead, so no reader has to
 * filter out hidden rows).
 */
export const registryVersionCounterMigration: PharosMigration = {
  name: '0007-registry-version-counter',
  async up(db) {
    await db.schema
      .alterTable('registered_models')
      .addColumn('last_version', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('model_versions_model_id_idx').on('model_versions').column('model_id').execute();
  },
};
