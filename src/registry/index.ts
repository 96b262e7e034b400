export {
  RegistryService,
  type RegistryDeps,
  type RegisteredModel,
  type ModelVersion,
  type ResolvedModelUri,
  type CreateModelVersionInput,
  type Stage,
  STAGES,
  canonicalStage,
} from './registry-service.ts';
export { parseModelsUri, parseRunsUri, type ParsedModelUri } from './model-uri.ts';
export type { NativeModelVersion, NativeRegisteredModel } from './http/native-json.ts';
export { mlflowRegistryRoutes } from './http/mlflow-routes.ts';
export { nativeRegistryRoutes } from './http/native-routes.ts';

import type { RegistryService, ResolvedModelUri } from './registry-service.ts';

/**
 * For serving: a resolver bound to one registry. `models:/name/3`, `models:/name@alias`, `models:/name/Production`,
 * `models:/name/latest`, `models:/m-<id>`, `runs:/<run>/<path>` and `mlflow-artifacts:/...` all become a path
 * inside the artifact store (same as `pharos.registry.resolveModelUri(uri)`).
 */
export function modelUriResolver(registry: RegistryService): (uri: string) => Promise<ResolvedModelUri> {
  return (uri) => registry.resolveModelUri(uri);
}
