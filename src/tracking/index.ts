export { TrackingService, type TrackingDeps, type MetricInput, type LogBatchInput, type CreateRunInput, type CreateLoggedModelInput } from './tracking-service.ts';
export type * from './entities.ts';
export { RUN_STATUSES, LOGGED_MODEL_STATUSES } from './entities.ts';
export { LIMITS } from './validation.ts';
export { mlflowTrackingRoutes } from './http/mlflow-routes.ts';
export { nativeTrackingRoutes } from './http/native-routes.ts';
export type { NativeExperiment, NativeMetricPoint, NativeRun } from './http/native-json.ts';
