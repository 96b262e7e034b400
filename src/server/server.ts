import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Registry } from 'prom-client';
import type { Pharos } from '../app.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { createMetricsRegistry, httpMetrics } from './metrics.ts';
import { mlflowTrackingRoutes, nativeTrackingRoutes } from '../tracking/index.ts';
import { mlflowRegistryRoutes, nativeRegistryRoutes } from '../registry/index.ts';
import { mlflowArtifactRoutes } from '../artifacts/index.ts';
import { monitoringRoutes } from '../monitoring/index.ts';
import { servingRoutes } from '../serving/index.ts';
import { VERSION } from '../version.ts';
import { auditRoutes } from '../governance/index.ts';
import { parseJsonBody } from '../core/json-body.ts';

export interface ServerOptions {
  logger?: boolean | object;
  metrics?: Registry;
}

declare module 'fastify' {
  interface FastifyInstance {
    metricsRegistry: Registry;
  }
}

/**
 * Assembles the HTTP server from the capabilities' route plugins. Every plugin is a thin layer over
 * the services in `pharos`; nothing here knows the domain.
 */
export async function buildServer(pharos: Pharos, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 64 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false, allowUnionTypes: true } },
    // Malformed URLs (e.g. a bad percent-encoding in an artifact path) fail before routing: answer them in MLflow's shape too.
    frameworkErrors: (err, _req, reply: FastifyReply) => {
      reply.status(400).send({ error_code: 'INVALID_PARAMETER_VALUE', message: err.message });
    },
  });
  const metricsRegistry = opts.metrics ?? createMetricsRegistry();
  app.decorate('metricsRegistry', metricsRegistry);
  const http = httpMetrics(metricsRegistry);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    http.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    http.duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  // Artifact uploads (PUT) and other non-JSON bodies arrive as streams; never buffered whole.
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  // The mlflow client sometimes sends an empty body with a JSON content type (e.g. on GET-like POSTs).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Pharos API', version: VERSION, description: 'Pharos MLOps platform: native API (/api/v1) and MLflow-compatible API (/api/2.0/mlflow)' },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  for (const prefix of ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']) {
    await app.register(mlflowTrackingRoutes, { prefix, pharos });
    await app.register(mlflowRegistryRoutes, { prefix, pharos });
  }
  for (const prefix of ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts']) {
    await app.register(mlflowArtifactRoutes, { prefix, pharos });
  }
  await app.register(nativeTrackingRoutes, { prefix: '/api/v1', pharos });
  await app.register(nativeRegistryRoutes, { prefix: '/api/v1', pharos });
  await app.register(servingRoutes, { serving: pharos.serving });
  await app.register(monitoringRoutes, { prefix: '/api/v1', pharos });
  await app.register(auditRoutes, { prefix: '/api/v1', pharos });

  // What the mlflow client (3.x) asks before large artifact transfers and for telemetry: this server is an SQL store
  // without multipart or presigned artifact transfers, workspaces, trace archival or an AI gateway.
  for (const prefix of ['/api/3.0/mlflow', '/ajax-api/3.0/mlflow']) {
    app.get(`${prefix}/server-info`, { schema: { hide: true } }, async () => ({
      store_type: 'SqlStore',
      workspaces_enabled: false,
      trace_archival_enabled: false,
      multipart_uploads_enabled: false,
      multipart_downloads_enabled: false,
      presigned_upload_run_id_supported: false,
      presigned_upload_model_id_supported: false,
      features_enabled: { gateway: false },
    }));
  }
  app.get('/health', { schema: { hide: true } }, async () => 'OK');
  app.get('/version', { schema: { hide: true } }, async () => VERSION);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', metricsRegistry.contentType);
    return metricsRegistry.metrics();
  });
  return app;
}
