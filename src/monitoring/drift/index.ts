export { driftReport } from './drift-report.ts';
export { inferColumnType, prepareColumn, INTEGER_CARDINALITY_LIMIT } from './columns.ts';
export { DRIFT_METHODS, defaultMethod, type MethodSpec } from './methods.ts';
export * from './types.ts';
export { sketchDriftReport, sketchColumnDrift, allRanksError, exactNumericSide, sketchNumericSide, exactCategoricalSide, countsCategoricalSide, type DistributionSide, type NumericSide, type CategoricalSide, type SketchColumnDrift, type SketchDriftReport } from './sketch-drift.ts';
export { toDriftTable } from './data-table.ts';
