export { TrackingService, type TrackingDeps } from './tracking-service.ts';
export { mlflowTrackingRoutes } from './http/mlflow-routes.ts';
export { nativeTrackingRoutes } from './http/native-routes.ts';
