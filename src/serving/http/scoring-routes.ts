import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { invalidParameter } from '../../core/errors.ts';
import type { ServingService } from '../serving-service.ts';
import { parseMlflowScoringBody } from '../inference/request-formats.ts';
import { mlflowPredictions } from '../inference/responses.ts';

/**
 * The MLflow scoring protocol (`mlflow models serve`): POST invocations with dataframe_split,
 * dataframe_records, instances or inputs, answered `{"predictions": ...}`. Mounted once a deployment
 * (`/deployments/{name}/invocations`) on the Pharos server, and at the root by a standalone `pharos serve`.
 * Errors keep MLflow's `{error_code, message}` shape (the server's handler).
 */
export async function scoreMlflow(serving: ServingService, name: string, req: FastifyRequest) {
  const ct = String(req.headers['content-type'] ?? 'application/json');
  if (!ct.includes('json')) throw invalidParameter(`Content type '${ct}' is not supported: send application/json (dataframe_split, dataframe_records, instances or inputs)`);
  const parsed = parseMlflowScoringBody(req.body);
  const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
  const result = await serving.predict(name, parsed, { requestId, protocol: 'mlflow' });
  return { predictions: mlflowPredictions(result.outputs, result.model.onnx.zipMaps, result.rows) };
}

export const deploymentScoringRoutes: FastifyPluginAsync<{ serving: ServingService }> = async (app, opts) => {
  const serving = opts.serving;
  const schema = { tags: ['serving'], hide: true };
  app.post<{ Params: { name: string } }>('/deployments/:name/invocations', { schema }, async (req) => scoreMlflow(serving, req.params.name, req));
  app.get<{ Params: { name: string } }>('/deployments/:name/ping', { schema }, async (req, reply) => {
    const { model } = serving.model(req.params.name);
    return reply.status(model ? 200 : 503).send(model ? '\n' : 'not ready\n');
  });
};
