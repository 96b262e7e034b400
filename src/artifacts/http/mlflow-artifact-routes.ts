import type { FastifyPluginAsync } from 'fastify';
import type { Pharos } from '../../app.ts';

/** MLflow proxied artifact API: /api/2.0/mlflow-artifacts/artifacts[/path] (PUT upload, GET download/list, DELETE). */
export const mlflowArtifactRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (_app, _opts) => {};
