export { driftReport } from './drift-report.ts';
export { inferColumnType, prepareColumn, INTEGER_CARDINALITY_LIMIT } from './columns.ts';
export { DRIFT_METHODS, defaultMethod, type MethodSpec } from './methods.ts';
export * from './types.ts';
