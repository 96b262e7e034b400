import type { FastifyPluginAsync } from 'fastify';
import type { Pharos } from '../../app.ts';

/** MLflow REST API (tracking part), mounted under /api/2.0/mlflow and /ajax-api/2.0/mlflow. */
export const mlflowTrackingRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (_app, _opts) => {};
