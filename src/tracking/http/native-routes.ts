import type { FastifyPluginAsync } from 'fastify';
import type { Pharos } from '../../app.ts';
import { rejectNulBytes } from '../validation.ts';
import type { KeyValue, ViewType } from '../entities.ts';
import { toDouble } from './mlflow-request.ts';
import { errorSchema, experimentSchema, metricPointSchema, nativeExperiment, nativeMetricPoint, nativeRun, runSchema } from './native-json.ts';

const errors = { 400: errorSchema, 404: errorSchema };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } } as const;
const empty = { type: 'object', properties: {} } as const;
const viewType = { type: 'string', enum: ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] } as const;
const pageQuery = {
  max_results: { type: 'integer', minimum: 1, maximum: 50000 },
  page_token: { type: 'string' },
} as const;
const metricInput = {
  type: 'object',
  required: ['key', 'value'],
  properties: {
    key: { type: 'string' },
    // Left untyped for the validator (a number or a special string); the route parses it strictly.
    value: { description: 'a number, or "NaN" / "Infinity" / "-Infinity"' },
    timestamp: { type: 'integer', minimum: 0, description: 'epoch ms; default now' },
    step: { type: 'integer', default: 0 },
    model_id: { type: 'string' },
  },
} as const;

const toKeyValues = (m: Record<string, string> | undefined): KeyValue[] => Object.entries(m ?? {}).map(([key, value]) => ({ key, value }));

interface MetricBody {
  key: string;
  value: number | string;
  timestamp?: number;
  step?: number;
  model_id?: string;
}

/** Pharos native API (tracking part), mounted under /api/v1. A thin REST layer over the same TrackingService as the MLflow routes. */
export const nativeTrackingRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (app, opts) => {
  const tracking = opts.pharos.tracking;
  // PostgreSQL cannot even compare a string holding a NUL byte: refuse such input before any query (a 400, not a 500).
  app.addHook('preHandler', async (req) => {
    rejectNulBytes(req.params, 'path');
    rejectNulBytes(req.query);
    rejectNulBytes(req.body);
  });
  const tags = ['tracking'];

  app.get<{ Querystring: { filter?: string; view_type?: ViewType; order_by?: string[]; max_results?: number; page_token?: string } }>(
    '/experiments',
    {
      schema: {
        tags,
        summary: 'List or search experiments',
        querystring: {
          type: 'object',
          properties: { filter: { type: 'string', description: "MLflow filter syntax, e.g. name LIKE 'iris%'" }, view_type: viewType, order_by: { type: 'array', items: { type: 'string' } }, ...pageQuery },
        },
        response: { 200: { type: 'object', properties: { experiments: { type: 'array', items: experimentSchema }, next_page_token: { type: 'string' } } }, ...errors },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await tracking.searchExperiments({ filter: q.filter, viewType: q.view_type, orderBy: q.order_by, maxResults: q.max_results, pageToken: q.page_token });
      return { experiments: page.items.map(nativeExperiment), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    },
  );

  app.post<{ Body: { name: string; artifact_location?: string; tags?: Record<string, string> } }>(
    '/experiments',
    {
      schema: {
        tags,
        summary: 'Create an experiment',
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, artifact_location: { type: 'string' }, tags: stringMap } },
        response: { 201: experimentSchema, ...errors },
      },
    },
    async (req, reply) => {
      const id = await tracking.createExperiment(req.body.name, { artifactLocation: req.body.artifact_location, tags: toKeyValues(req.body.tags) });
      reply.status(201);
      return nativeExperiment(await tracking.getExperiment(id));
    },
  );

  app.get<{ Params: { name: string } }>(
    '/experiments/by-name/:name',
    {
      schema: {
        tags,
        summary: 'Get an experiment by its exact name',
        params: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
        response: { 200: experimentSchema, ...errors },
      },
    },
    async (req) => nativeExperiment(await tracking.getExperimentByName(req.params.name)),
  );

  app.get<{ Params: { id: string } }>(
    '/experiments/:id',
    { schema: { tags, summary: 'Get an experiment by id', params: idParam, response: { 200: experimentSchema, ...errors } } },
    async (req) => nativeExperiment(await tracking.getExperiment(req.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: { name?: string; tags?: Record<string, string> } }>(
    '/experiments/:id',
    {
      schema: {
        tags,
        summary: 'Rename an experiment and/or set tags',
        params: idParam,
        body: { type: 'object', properties: { name: { type: 'string', minLength: 1 }, tags: stringMap } },
        response: { 200: experimentSchema, ...errors },
      },
    },
    async (req) => {
      if (req.body.name) await tracking.renameExperiment(req.params.id, req.body.name);
      for (const t of toKeyValues(req.body.tags)) await tracking.setExperimentTag(req.params.id, t.key, t.value);
      return nativeExperiment(await tracking.getExperiment(req.params.id));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/experiments/:id',
    { schema: { tags, summary: 'Delete an experiment (and mark its runs deleted)', params: idParam, response: { 200: empty, ...errors } } },
    async (req) => {
      await tracking.deleteExperiment(req.params.id);
      return {};
    },
  );

  app.post<{ Params: { id: string } }>(
    '/experiments/:id/restore',
    { schema: { tags, summary: 'Restore a deleted experiment', params: idParam, response: { 200: experimentSchema, ...errors } } },
    async (req) => {
      await tracking.restoreExperiment(req.params.id);
      return nativeExperiment(await tracking.getExperiment(req.params.id));
    },
  );

  app.post<{ Body: { experiment_id?: string; run_name?: string; user_id?: string; start_time?: number; tags?: Record<string, string> } }>(
    '/runs',
    {
      schema: {
        tags,
        summary: 'Create a run',
        body: {
          type: 'object',
          properties: { experiment_id: { type: 'string', default: '0' }, run_name: { type: 'string' }, user_id: { type: 'string' }, start_time: { type: 'integer', minimum: 0 }, tags: stringMap },
        },
        response: { 201: runSchema, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body ?? {};
      const run = await tracking.createRun({ experimentId: b.experiment_id, runName: b.run_name, userId: b.user_id, startTime: b.start_time, tags: toKeyValues(b.tags) });
      reply.status(201);
      return nativeRun(run);
    },
  );

  app.post<{ Body: { experiment_ids: string[]; filter?: string; run_view_type?: ViewType; order_by?: string[]; max_results?: number; page_token?: string } }>(
    '/runs/search',
    {
      schema: {
        tags,
        summary: 'Search runs (MLflow filter and order_by syntax)',
        body: {
          type: 'object',
          required: ['experiment_ids'],
          properties: {
            experiment_ids: { type: 'array', items: { type: 'string' }, minItems: 1 },
            filter: { type: 'string', description: "e.g. metrics.acc > 0.9 and params.model = 'rf'" },
            run_view_type: viewType,
            order_by: { type: 'array', items: { type: 'string' } },
            ...pageQuery,
          },
        },
        response: { 200: { type: 'object', properties: { runs: { type: 'array', items: runSchema }, next_page_token: { type: 'string' } } }, ...errors },
      },
    },
    async (req) => {
      const b = req.body;
      const page = await tracking.searchRuns({ experimentIds: b.experiment_ids, filter: b.filter, runViewType: b.run_view_type, orderBy: b.order_by, maxResults: b.max_results, pageToken: b.page_token });
      return { runs: page.items.map(nativeRun), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/runs/:id',
    { schema: { tags, summary: 'Get a run with its latest metrics, params, tags and inputs', params: idParam, response: { 200: runSchema, ...errors } } },
    async (req) => nativeRun(await tracking.getRun(req.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: { status?: string; end_time?: number; run_name?: string } }>(
    '/runs/:id',
    {
      schema: {
        tags,
        summary: 'Update a run (status, end time, name)',
        params: idParam,
        body: {
          type: 'object',
          properties: { status: { type: 'string', enum: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] }, end_time: { type: 'integer', minimum: 0 }, run_name: { type: 'string', minLength: 1 } },
        },
        response: { 200: runSchema, ...errors },
      },
    },
    async (req) => {
      await tracking.updateRun(req.params.id, { status: req.body.status, endTime: req.body.end_time, runName: req.body.run_name });
      return nativeRun(await tracking.getRun(req.params.id));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/runs/:id',
    { schema: { tags, summary: 'Delete a run (restorable)', params: idParam, response: { 200: empty, ...errors } } },
    async (req) => {
      await tracking.deleteRun(req.params.id);
      return {};
    },
  );

  app.post<{ Params: { id: string } }>(
    '/runs/:id/restore',
    { schema: { tags, summary: 'Restore a deleted run', params: idParam, response: { 200: runSchema, ...errors } } },
    async (req) => {
      await tracking.restoreRun(req.params.id);
      return nativeRun(await tracking.getRun(req.params.id));
    },
  );

  app.post<{ Params: { id: string }; Body: { metrics?: MetricBody[]; params?: Record<string, string>; tags?: Record<string, string> } }>(
    '/runs/:id/log',
    {
      schema: {
        tags,
        summary: 'Log metrics, params and tags in one transaction (limits: 1000 metrics, 100 params, 100 tags)',
        params: idParam,
        body: { type: 'object', properties: { metrics: { type: 'array', items: metricInput }, params: stringMap, tags: stringMap } },
        response: { 200: empty, ...errors },
      },
    },
    async (req) => {
      const now = Date.now();
      await tracking.logBatch(req.params.id, {
        metrics: (req.body.metrics ?? []).map((m, i) => ({
          key: m.key,
          value: toDouble(`metrics[${i}].value`, m.value),
          timestamp: m.timestamp ?? now,
          step: m.step ?? 0,
          model_id: m.model_id,
        })),
        params: toKeyValues(req.body.params),
        tags: toKeyValues(req.body.tags),
      });
      return {};
    },
  );

  app.get<{ Params: { id: string; key: string }; Querystring: { max_results?: number; page_token?: string } }>(
    '/runs/:id/metrics/:key/history',
    {
      schema: {
        tags,
        summary: "A metric's full history, oldest first, optionally paged",
        params: { type: 'object', required: ['id', 'key'], properties: { id: { type: 'string' }, key: { type: 'string' } } },
        querystring: { type: 'object', properties: pageQuery },
        response: { 200: { type: 'object', properties: { key: { type: 'string' }, points: { type: 'array', items: metricPointSchema }, next_page_token: { type: 'string' } } }, ...errors },
      },
    },
    async (req) => {
      const page = await tracking.getMetricHistory(req.params.id, req.params.key, { maxResults: req.query.max_results, pageToken: req.query.page_token });
      return { key: req.params.key, points: page.items.map(nativeMetricPoint), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { path?: string } }>(
    '/runs/:id/artifacts',
    {
      schema: {
        tags,
        summary: "List a run's artifacts under a directory",
        params: idParam,
        querystring: { type: 'object', properties: { path: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              root_uri: { type: 'string' },
              files: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, is_dir: { type: 'boolean' }, file_size: { type: 'integer' } } } },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => tracking.listRunArtifacts(req.params.id, req.query.path),
  );
};
