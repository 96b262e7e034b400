import type { FastifyPluginAsync } from 'fastify';
import { invalidParameter } from '../../core/errors.ts';
import type { ServingService, DeploymentView } from '../serving-service.ts';
import type { InferenceLogReader } from '../inference-log/inference-log.ts';

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** User data (feature names, event details) passes through as it is. */
const OPAQUE = new Set(['features', 'prediction', 'details']);

function mapKeys(v: unknown, f: (k: string) => string): unknown {
  if (Array.isArray(v)) return v.map((x) => mapKeys(x, f));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [f(k), OPAQUE.has(k) ? x : mapKeys(x, f)]));
  return v;
}

/** The native API speaks snake_case like the rest of /api/v1. */
export const nativeDeployment = (d: DeploymentView) => mapKeys(d, snake);

interface DeploymentBody {
  name?: string;
  model_uri?: string;
  canary_uri?: string | null;
  canary_percent?: number;
  shadow_uri?: string | null;
  policy?: Record<string, unknown>;
  batching?: Record<string, unknown>;
}

const str = (v: unknown, field: string) => {
  if (v === undefined || v === null) return v as undefined | null;
  if (typeof v !== 'string' || v === '') throw invalidParameter(`'${field}' must be a non-empty string`);
  return v;
};
const obj = (v: unknown, field: string) => {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidParameter(`'${field}' must be an object`);
  return mapKeys(v, camel) as any;
};
const num = (v: unknown, field: string) => {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw invalidParameter(`'${field}' must be a number`);
  return n;
};

/** Pharos native API for deployments, mounted under /api/v1. */
export const nativeDeploymentRoutes: FastifyPluginAsync<{ serving: ServingService; logReader: InferenceLogReader | null }> = async (app, opts) => {
  const serving = opts.serving;
  const schema = { tags: ['deployments'] };
  const actor = (h: Record<string, unknown>) => (typeof h['x-pharos-user'] === 'string' ? (h['x-pharos-user'] as string) : undefined);

  app.post<{ Body: DeploymentBody }>('/deployments', { schema: { ...schema, summary: 'Deploy a model (optionally with a canary or shadow candidate)' } }, async (req, reply) => {
    const b = (req.body ?? {}) as DeploymentBody;
    const d = await serving.createDeployment(
      {
        name: str(b.name, 'name') as string,
        modelUri: str(b.model_uri, 'model_uri') as string,
        canaryUri: str(b.canary_uri, 'canary_uri'),
        canaryPercent: num(b.canary_percent, 'canary_percent'),
        shadowUri: str(b.shadow_uri, 'shadow_uri'),
        policy: obj(b.policy, 'policy'),
        batching: obj(b.batching, 'batching'),
      },
      actor(req.headers),
    );
    return reply.status(201).send({ deployment: nativeDeployment(d) });
  });

  app.get('/deployments', { schema: { ...schema, summary: 'List deployments' } }, async () => ({ deployments: (await serving.listDeployments()).map(nativeDeployment) }));

  app.get<{ Params: { name: string } }>('/deployments/:name', { schema: { ...schema, summary: 'A deployment with its routing history' } }, async (req) => ({
    deployment: nativeDeployment(await serving.getDeployment(req.params.name)),
  }));

  app.patch<{ Params: { name: string }; Body: DeploymentBody }>('/deployments/:name', { schema: { ...schema, summary: 'Change the model, canary, shadow, percent, policy or batching' } }, async (req) => {
    const b = (req.body ?? {}) as DeploymentBody;
    const d = await serving.updateDeployment(
      req.params.name,
      {
        modelUri: str(b.model_uri, 'model_uri') ?? undefined,
        canaryUri: str(b.canary_uri, 'canary_uri'),
        canaryPercent: num(b.canary_percent, 'canary_percent'),
        shadowUri: str(b.shadow_uri, 'shadow_uri'),
        policy: obj(b.policy, 'policy'),
        batching: obj(b.batching, 'batching'),
      },
      actor(req.headers),
    );
    return { deployment: nativeDeployment(d) };
  });

  app.post<{ Params: { name: string }; Body: { reason?: string } }>('/deployments/:name/promote', { schema: { ...schema, summary: 'Make the candidate stable' } }, async (req) => ({
    deployment: nativeDeployment(await serving.promote(req.params.name, (req.body as { reason?: string } | undefined)?.reason || undefined, actor(req.headers))),
  }));

  app.post<{ Params: { name: string }; Body: { reason?: string } }>('/deployments/:name/rollback', { schema: { ...schema, summary: 'Remove the candidate' } }, async (req) => ({
    deployment: nativeDeployment(await serving.rollback(req.params.name, (req.body as { reason?: string } | undefined)?.reason || undefined, actor(req.headers))),
  }));

  app.post<{ Params: { name: string } }>('/deployments/:name/refresh', { schema: { ...schema, summary: 'Re-resolve model URIs now (pick up a moved alias)' } }, async (req) => {
    await serving.refresh();
    return { deployment: nativeDeployment(await serving.getDeployment(req.params.name)) };
  });

  app.delete<{ Params: { name: string } }>('/deployments/:name', { schema: { ...schema, summary: 'Delete a deployment' } }, async (req) => {
    await serving.deleteDeployment(req.params.name, actor(req.headers));
    return {};
  });

  app.get<{ Params: { name: string }; Querystring: { last?: string; from_ms?: string; to_ms?: string } }>(
    '/deployments/:name/inference-log',
    { schema: { ...schema, summary: 'Recent rows of the inference log (flushes queued rows first)' } },
    async (req) => {
      serving.getDeployment(req.params.name, 0);
      if (!opts.logReader || !serving.inferenceLog) throw invalidParameter('the inference log is disabled on this server');
      await serving.inferenceLog.flush();
      const last = Math.min(num(req.query.last, 'last') ?? 100, 10_000);
      const rows = await opts.logReader.read({ deployment: req.params.name, last, fromMs: num(req.query.from_ms, 'from_ms'), toMs: num(req.query.to_ms, 'to_ms') });
      return { rows: mapKeys(rows, snake), stats: mapKeys(serving.inferenceLog.stats(), snake) };
    },
  );
};
