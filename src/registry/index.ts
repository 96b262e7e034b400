export { RegistryService, type RegistryDeps } from './registry-service.ts';
export { mlflowRegistryRoutes } from './http/mlflow-routes.ts';
export { nativeRegistryRoutes } from './http/native-routes.ts';
