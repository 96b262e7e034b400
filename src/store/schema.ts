import type { TrackingTables } from './tables/tracking.ts';
import type { RegistryTables } from './tables/registry.ts';
import type { AuditTables } from './tables/audit.ts';
import type { MonitoringTables } from './tables/monitoring.ts';
import type { ServingTables } from './tables/serving.ts';

/**
 * The whole database as one TypeScript type: every query in every service is checked against it.
 * Each capability keeps its tables in `tables/<capability>.ts` and its migrations in `migrations/`.
 */
export interface Database extends TrackingTables, RegistryTables, AuditTables, MonitoringTables, ServingTables {}

export type * from './tables/tracking.ts';
export type * from './tables/registry.ts';
export type * from './tables/audit.ts';
export type * from './tables/monitoring.ts';
export type * from './tables/serving.ts';
