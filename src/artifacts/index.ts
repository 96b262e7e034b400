export type { ArtifactStore, ArtifactInfo } from './artifact-store.ts';
export { LocalArtifactStore } from './local/local-artifact-store.ts';
export { safeRelativePath, joinArtifactPath } from './safe-path.ts';

/**
 * `mlflow-artifacts:/1/abc/artifacts/x` (or `mlflow-artifacts://host/1/...`) → `1/abc/artifacts/x`,
 * the path inside the server's artifact store. Returns null for other schemes.
 */
export function proxiedArtifactPath(uri: string): string | null {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri);
  return m ? m[1] : null;
}
export { mlflowArtifactRoutes } from './http/mlflow-artifact-routes.ts';
