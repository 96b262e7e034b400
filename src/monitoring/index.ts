/**
 * Monitoring: drift statistics and reports, monitors over the inference log, alerts.
 * This file is the public face; each part adds its exports here.
 */
export type {
  ColumnDrift,
  DriftColumnType,
  DriftColumnValues,
  DriftHistogram,
  DriftMethodName,
  DriftOptions,
  DriftReport,
  DriftTable,
  MultipleTestingCorrection,
  TypedDriftColumn,
} from './drift/types.ts';
export { driftReport, inferColumnType, DRIFT_METHODS, defaultMethod, type MethodSpec } from './drift/index.ts';
export * as driftStats from './stats/index.ts';
export * from './sketch/index.ts';
