import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createServer } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { isPharosError } from '../../core/errors.ts';
import { VERSION } from '../../version.ts';
import type { ServingService } from '../serving-service.ts';
import { oipRoutes } from './oip-routes.ts';
import { scoreMlflow } from './scoring-routes.ts';
import { metricsText, shareMetricsWithCluster } from './cluster-metrics.ts';
import { inferenceFastPath, oipInferTarget, type InferenceRouter } from './fast-path.ts';
import { parseJsonBody } from '../../core/json-body.ts';

/** MLflow scoring server's error shape: `{error_code, message}`; bad input is always a 4xx. */
function scoringErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (isPharosError(err)) return void reply.status(err.status).send({ error_code: err.code, message: err.message });
  const fe = err as FastifyError;
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return void reply.status(fe.statusCode).send({ error_code: 'BAD_REQUEST', message: fe.message });
  req.log.error({ err }, 'unhandled error');
  reply.status(500).send({ error_code: 'INTERNAL_ERROR', message: err.message || 'internal error' });
}

/**
 * The server of a standalone `pharos serve`: one deployment, answered at the root like `mlflow models serve`
 * (POST /invocations, GET /ping, /health, /version) and over Open Inference Protocol v2 (/v2/...), with /metrics.
 */
export async function buildStandaloneServer(serving: ServingService, deployment: string, opts: { logger?: boolean | object; bodyLimit?: number } = {}): Promise<FastifyInstance> {
  const bodyLimit = opts.bodyLimit ?? 64 * 1024 * 1024;
  // The two prediction routes are answered before Fastify (see fast-path.ts); Fastify serves the rest.
  const route: InferenceRouter = (path) => (path === '/invocations' || path === '/invocations/' ? { protocol: 'mlflow', deployment } : oipInferTarget(path, '/v2'));
  let fast: ReturnType<typeof inferenceFastPath> | null = null;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit,
    routerOptions: { ignoreTrailingSlash: true },
    serverFactory: (handler) => createServer((req, res) => fast?.(req, res) || handler(req, res)),
  });
  fast = inferenceFastPath(serving, route, { bodyLimit, onError: (err) => app.log.error({ err }, 'inference error') });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'pharos_' });
  serving.attachMetrics(metrics);
  shareMetricsWithCluster(metrics);
  app.setErrorHandler(scoringErrorHandler);
  await app.register(oipRoutes, { prefix: '/v2', serving });
  app.post('/invocations', async (req) => scoreMlflow(serving, deployment, req));
  const ping = async (_req: FastifyRequest, reply: FastifyReply) => {
    const { model } = serving.model(deployment);
    return reply.status(model ? 200 : 503).send(model ? '\n' : 'not ready\n');
  };
  app.get('/ping', ping);
  app.get('/health', ping);
  app.get('/version', async () => VERSION);
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.contentType);
    return metricsText(metrics);
  });
  return app;
}
