import type { FastifyPluginAsync } from 'fastify';
import type { Pharos } from '../../app.ts';

/** MLflow REST API (model registry part), mounted under /api/2.0/mlflow and /ajax-api/2.0/mlflow. */
export const mlflowRegistryRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (_app, _opts) => {};
