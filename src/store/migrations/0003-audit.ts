import { serialType, type PharosMigration } from './migration.ts';

export const auditMigration: PharosMigration = {
  name: '0003-audit',
  async up(db, dialect) {
    await db.schema
      .createTable('audit_events')
      .addColumn('seq', serialType(dialect), (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('timestamp', 'bigint', (c) => c.notNull())
      .addColumn('entity_type', 'varchar(64)', (c) => c.notNull())
      .addColumn('entity_id', 'varchar(512)', (c) => c.notNull())
      .addColumn('action', 'varchar(64)', (c) => c.notNull())
      .addColumn('actor', 'varchar(256)')
      .addColumn('details', 'text')
      .execute();
    await db.schema.createIndex('audit_events_entity_idx').on('audit_events').columns(['entity_type', 'entity_id', 'seq']).execute();
  },
};
