import type { PharosMigration } from './migration.ts';
import { trackingMigration } from './0001-tracking.ts';
import { registryMigration } from './0002-registry.ts';
import { auditMigration } from './0003-audit.ts';
import { registryVersionCounterMigration } from './0007-registry-version-counter.ts';
import { monitoringMigration } from './0005-monitoring.ts';
import { servingMigration } from './0004-serving.ts';
import { searchIndexesMigration } from './0006-search-indexes.ts';
import { metricHistoryIndexMigration } from './0008-metric-history-index.ts';

/** In order. Append only: a released migration never changes. */
export const migrations: PharosMigration[] = [trackingMigration, registryMigration, auditMigration, registryVersionCounterMigration, monitoringMigration, servingMigration, searchIndexesMigration, metricHistoryIndexMigration];

export type { PharosMigration, DialectName } from './migration.ts';
