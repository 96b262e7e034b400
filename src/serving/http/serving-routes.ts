import type { FastifyPluginAsync } from 'fastify';
import type { ServingService } from '../serving-service.ts';
import { InferenceLogReader } from '../inference-log/inference-log.ts';
import { oipRoutes } from './oip-routes.ts';
import { deploymentScoringRoutes } from './scoring-routes.ts';
import { nativeDeploymentRoutes } from './deployment-routes.ts';

/**
 * Everything serving adds to the Pharos server: OIP v2 (/v2/...), MLflow scoring a deployment
 * (/deployments/{name}/invocations), the native deployments API (/api/v1/deployments) and its metrics.
 */
export const servingRoutes: FastifyPluginAsync<{ serving: ServingService }> = async (app, opts) => {
  const serving = opts.serving;
  if (app.metricsRegistry) serving.attachMetrics(app.metricsRegistry);
  // A server serves: its persisted deployments load now, and aliases are polled.
  serving.activate();
  const logReader = serving.inferenceLog ? new InferenceLogReader(serving.inferenceLog.dir) : null;
  await app.register(oipRoutes, { prefix: '/v2', serving });
  await app.register(deploymentScoringRoutes, { serving });
  await app.register(nativeDeploymentRoutes, { prefix: '/api/v1', serving, logReader });
};
