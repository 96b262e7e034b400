import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Pharos } from '../../app.ts';
import { rejectNulBytes } from '../validation.ts';
import { invalidParameter } from '../../core/errors.ts';
import type { DatasetInput, ViewType } from '../entities.ts';
import type { MetricInput } from '../tracking-service.ts';
import type { LoggedModelOrderBy } from '../search/index.ts';
import { MlflowParams, WIRE_READY, fieldString, metricsToWire, optionalFieldString, protoJson, toDouble, toInt } from './mlflow-request.ts';

type Handler = (p: MlflowParams, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
const VIEW_TYPE_ORDINALS: Record<number, ViewType> = { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' };

/** A metric as MLflow's API requires it: key, value and timestamp present (step defaults to 0). */
function metricFromWire(o: Record<string, unknown>, path: string): MetricInput {
  for (const field of ['key', 'value', 'timestamp']) {
    if (o[field] === undefined || o[field] === null) {
      throw invalidParameter(`Missing value for required parameter '${path}${field}'. See the API docs for more information about request parameters.`);
    }
  }
  return {
    key: fieldString(`${path}key`, o.key),
    value: toDouble(`${path}value`, o.value),
    timestamp: toInt(`${path}timestamp`, o.timestamp),
    step: o.step === undefined || o.step === null ? 0 : toInt(`${path}step`, o.step),
    model_id: optionalFieldString(`${path}model_id`, o.model_id),
    dataset_name: optionalFieldString(`${path}dataset_name`, o.dataset_name),
    dataset_digest: optionalFieldString(`${path}dataset_digest`, o.dataset_digest),
  };
}

function datasetInputFromWire(o: Record<string, unknown>, i: number): DatasetInput {
  const d = o.dataset as Record<string, unknown> | undefined;
  if (!d || typeof d !== 'object') throw invalidParameter(`Missing value for required parameter 'datasets[${i}].dataset'.`);
  const tags = Array.isArray(o.tags) ? o.tags : [];
  return {
    tags: tags.map((t: any, j: number) => ({ key: fieldString(`datasets[${i}].tags[${j}].key`, t?.key), value: fieldString(`datasets[${i}].tags[${j}].value`, t?.value ?? '') })),
    dataset: {
      name: fieldString(`datasets[${i}].dataset.name`, d.name),
      digest: fieldString(`datasets[${i}].dataset.digest`, d.digest),
      source_type: fieldString(`datasets[${i}].dataset.source_type`, d.source_type),
      source: fieldString(`datasets[${i}].dataset.source`, d.source),
      schema: optionalFieldString(`datasets[${i}].dataset.schema`, d.schema),
      profile: optionalFieldString(`datasets[${i}].dataset.profile`, d.profile),
    },
  };
}

const str = { type: 'string' } as const;
const int64 = { type: 'integer', description: 'a JSON number or a decimal string (proto3 JSON)' } as const;
const keyValueList = { type: 'array', items: { type: 'object', properties: { key: str, value: str } } } as const;
const metric = {
  type: 'object',
  required: ['key', 'value', 'timestamp'],
  properties: { key: str, value: { description: 'a number, or "NaN" / "Infinity" / "-Infinity"' }, timestamp: int64, step: int64, model_id: str, dataset_name: str, dataset_digest: str },
} as const;
const viewType = { type: 'string', enum: ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] } as const;

/**
 * Request shapes for /openapi.json, from MLflow's service.proto. Documentation only: the plugin's validator
 * accepts everything and MlflowParams checks each field, so errors keep MLflow's wording.
 */
const REQUEST_DOCS: Record<string, { body?: object; querystring?: object }> = {
  'POST /experiments/create': { body: { type: 'object', required: ['name'], properties: { name: str, artifact_location: str, tags: keyValueList } } },
  'GET /experiments/get': { querystring: { type: 'object', required: ['experiment_id'], properties: { experiment_id: str } } },
  'GET /experiments/get-by-name': { querystring: { type: 'object', required: ['experiment_name'], properties: { experiment_name: str } } },
  'POST /experiments/search': {
    body: { type: 'object', properties: { filter: str, view_type: viewType, max_results: int64, order_by: { type: 'array', items: str }, page_token: str } },
  },
  'POST /runs/create': {
    body: { type: 'object', properties: { experiment_id: str, user_id: str, run_name: str, start_time: int64, tags: keyValueList } },
  },
  'GET /runs/get': { querystring: { type: 'object', required: ['run_id'], properties: { run_id: str } } },
  'POST /runs/update': {
    body: { type: 'object', required: ['run_id'], properties: { run_id: str, status: { type: 'string', enum: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] }, end_time: int64, run_name: str } },
  },
  'POST /runs/log-metric': { body: { ...metric, required: ['run_id', 'key', 'value', 'timestamp'], properties: { run_id: str, ...metric.properties } } },
  'POST /runs/log-parameter': { body: { type: 'object', required: ['run_id', 'key', 'value'], properties: { run_id: str, key: str, value: str } } },
  'POST /runs/set-tag': { body: { type: 'object', required: ['run_id', 'key', 'value'], properties: { run_id: str, key: str, value: str } } },
  'POST /runs/log-batch': {
    body: {
      type: 'object',
      required: ['run_id'],
      description: 'At most 1000 metrics, 100 params, 100 tags (1000 entities in all); one transaction.',
      properties: { run_id: str, metrics: { type: 'array', items: metric }, params: keyValueList, tags: keyValueList },
    },
  },
  'POST /runs/search': {
    body: {
      type: 'object',
      properties: { experiment_ids: { type: 'array', items: str }, filter: str, run_view_type: viewType, max_results: int64, order_by: { type: 'array', items: str }, page_token: str },
    },
  },
  'GET /metrics/get-history': {
    querystring: { type: 'object', required: ['run_id', 'metric_key'], properties: { run_id: str, metric_key: str, max_results: int64, page_token: str } },
  },
  'GET /artifacts/list': { querystring: { type: 'object', required: ['run_id'], properties: { run_id: str, path: str, page_token: str } } },
  'POST /logged-models': {
    body: { type: 'object', required: ['experiment_id'], properties: { experiment_id: str, name: str, model_type: str, source_run_id: str, params: keyValueList, tags: keyValueList } },
  },
};

/** MLflow REST API (tracking part), mounted under /api/2.0/mlflow and /ajax-api/2.0/mlflow. */
export const mlflowTrackingRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (app, opts) => {
  const tracking = opts.pharos.tracking;
  const hidden = app.prefix.startsWith('/ajax-api');
  // PostgreSQL cannot even compare a string holding a NUL byte: refuse such input before any query (a 400, not a 500).
  app.addHook('preHandler', async (req) => {
    rejectNulBytes(req.params, 'path');
    rejectNulBytes(req.query);
    rejectNulBytes(req.body);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    return payload;
  });

  // Schemas here document; MlflowParams validates (with MLflow's messages).
  app.setValidatorCompiler(() => () => true);
  const route = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, summary: string, handler: Handler) => {
    (app as FastifyInstance).route({
      method,
      url,
      // The /ajax-api copy serves the MLflow web UI; documenting it twice adds nothing.
      schema: { tags: ['mlflow-tracking'], summary, hide: hidden, ...REQUEST_DOCS[`${method} ${url}`] },
      handler: async (req, reply) => {
        const result = await handler(new MlflowParams(req), req, reply);
        return result && typeof result === 'object' && WIRE_READY in result ? result : protoJson(result);
      },
    });
  };

  // ---------------------------------------------------------------- experiments
  route('POST', '/experiments/create', 'Create an experiment', async (p) => {
    const id = await tracking.createExperiment(p.string('name', { required: true }), {
      artifactLocation: p.string('artifact_location') || undefined,
      tags: p.keyValues('tags'),
    });
    return { experiment_id: id };
  });
  route('GET', '/experiments/get', 'Get an experiment', async (p) => ({ experiment: await tracking.getExperiment(p.string('experiment_id', { required: true })) }));
  route('GET', '/experiments/get-by-name', 'Get an experiment by name', async (p) => ({
    experiment: await tracking.getExperimentByName(p.string('experiment_name', { required: true })),
  }));
  route('POST', '/experiments/delete', 'Delete an experiment', async (p) => {
    await tracking.deleteExperiment(p.string('experiment_id', { required: true }));
    return {};
  });
  route('POST', '/experiments/restore', 'Restore a deleted experiment', async (p) => {
    await tracking.restoreExperiment(p.string('experiment_id', { required: true }));
    return {};
  });
  route('POST', '/experiments/update', 'Rename an experiment', async (p) => {
    const id = p.string('experiment_id', { required: true });
    const newName = p.string('new_name');
    if (newName !== undefined) await tracking.renameExperiment(id, newName);
    return {};
  });
  route('POST', '/experiments/set-experiment-tag', 'Set an experiment tag', async (p) => {
    await tracking.setExperimentTag(p.string('experiment_id', { required: true }), p.string('key', { required: true }), p.string('value') ?? '');
    return {};
  });
  route('POST', '/experiments/delete-experiment-tag', 'Delete an experiment tag', async (p) => {
    await tracking.deleteExperimentTag(p.string('experiment_id', { required: true }), p.string('key', { required: true }));
    return {};
  });
  const searchExperiments: Handler = async (p) => {
    const page = await tracking.searchExperiments({
      filter: p.string('filter') || undefined,
      viewType: p.enumValue('view_type', VIEW_TYPES, VIEW_TYPE_ORDINALS),
      maxResults: p.int('max_results'),
      orderBy: p.stringList('order_by'),
      pageToken: p.string('page_token') || undefined,
    });
    return { experiments: page.items, next_page_token: page.nextPageToken };
  };
  route('POST', '/experiments/search', 'Search experiments', searchExperiments);
  route('GET', '/experiments/search', 'Search experiments', searchExperiments);

  // ---------------------------------------------------------------- runs
  const runId = (p: MlflowParams) => p.oneOf(['run_id', 'run_uuid'], { required: true });

  route('POST', '/runs/create', 'Create a run', async (p) => ({
    run: await tracking.createRun({
      experimentId: p.string('experiment_id') || '0',
      userId: p.string('user_id'),
      startTime: p.int('start_time'),
      tags: p.keyValues('tags'),
      runName: p.string('run_name') || undefined,
    }),
  }));
  route('GET', '/runs/get', 'Get a run', async (p) => ({ run: await tracking.getRun(runId(p)) }));
  route('POST', '/runs/update', 'Update a run', async (p) => ({
    run_info: await tracking.updateRun(runId(p), { status: p.enumValue('status', ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const, { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' }), endTime: p.int('end_time'), runName: p.string('run_name') || undefined }),
  }));
  route('POST', '/runs/delete', 'Delete a run', async (p) => {
    await tracking.deleteRun(runId(p));
    return {};
  });
  route('POST', '/runs/restore', 'Restore a deleted run', async (p) => {
    await tracking.restoreRun(runId(p));
    return {};
  });
  route('POST', '/runs/log-metric', 'Log a metric', async (p) => {
    const id = runId(p);
    p.string('key', { required: true });
    p.int('timestamp', { required: true });
    await tracking.logMetric(id, metricFromWire({ key: p.raw('key'), value: p.raw('value'), timestamp: p.raw('timestamp'), step: p.raw('step'), model_id: p.raw('model_id'), dataset_name: p.raw('dataset_name'), dataset_digest: p.raw('dataset_digest') }, ''));
    return {};
  });
  route('POST', '/runs/log-parameter', 'Log a parameter', async (p) => {
    await tracking.logParam(runId(p), p.string('key', { required: true }), p.string('value') ?? '');
    return {};
  });
  route('POST', '/runs/set-tag', 'Set a run tag', async (p) => {
    await tracking.setTag(runId(p), p.string('key', { required: true }), p.string('value') ?? '');
    return {};
  });
  route('POST', '/runs/delete-tag', 'Delete a run tag', async (p) => {
    await tracking.deleteTag(runId(p), p.string('key', { required: true }));
    return {};
  });
  route('POST', '/runs/log-batch', 'Log metrics, params and tags in one request', async (p) => {
    const id = p.string('run_id', { required: true });
    await tracking.logBatch(id, {
      metrics: p.objectList('metrics').map((m, i) => metricFromWire(m, `metrics[${i}].`)),
      params: p.keyValues('params'),
      tags: p.keyValues('tags'),
    });
    return {};
  });
  route('POST', '/runs/log-inputs', 'Log dataset and model inputs', async (p) => {
    await tracking.logInputs(p.string('run_id', { required: true }), {
      datasets: p.objectList('datasets').map(datasetInputFromWire),
      models: p.objectList('models').map((m, i) => ({ model_id: fieldString(`models[${i}].model_id`, m.model_id) })),
    });
    return {};
  });
  route('POST', '/runs/outputs', 'Log model outputs', async (p) => {
    await tracking.logOutputs(
      p.string('run_id', { required: true }),
      p.objectList('models').map((m, i) => ({ model_id: fieldString(`models[${i}].model_id`, m.model_id), step: m.step === undefined || m.step === null ? 0 : toInt(`models[${i}].step`, m.step) })),
    );
    return {};
  });
  route('POST', '/runs/log-model', 'Log a model (MLflow 2 MLmodel metadata; kept as a tag)', async (p) => {
    const modelJson = p.string('model_json', { required: true });
    const run = await tracking.getRun(runId(p));
    const history = run.data.tags.find((t) => t.key === 'mlflow.log-model.history')?.value;
    let list: unknown[] = [];
    try {
      list = history ? JSON.parse(history) : [];
    } catch {
      list = [];
    }
    try {
      list.push(JSON.parse(modelJson));
    } catch {
      throw invalidParameter(`Invalid value for parameter 'model_json' supplied: not valid JSON.`);
    }
    await tracking.setTag(run.info.run_id, 'mlflow.log-model.history', JSON.stringify(list));
    return {};
  });
  const searchRuns: Handler = async (p) => {
    const page = await tracking.searchRuns({
      experimentIds: p.stringList('experiment_ids'),
      filter: p.string('filter') || undefined,
      runViewType: p.enumValue('run_view_type', VIEW_TYPES, VIEW_TYPE_ORDINALS),
      maxResults: p.int('max_results'),
      orderBy: p.stringList('order_by'),
      pageToken: p.string('page_token') || undefined,
    });
    return { runs: page.items, next_page_token: page.nextPageToken };
  };
  route('POST', '/runs/search', 'Search runs', searchRuns);
  route('GET', '/runs/search', 'Search runs', searchRuns);

  // ---------------------------------------------------------------- metrics
  route('GET', '/metrics/get-history', 'Full history of one metric', async (p) => {
    const page = await tracking.getMetricHistory(runId(p), p.string('metric_key', { required: true }), {
      maxResults: p.int('max_results'),
      pageToken: p.string('page_token') || undefined,
    });
    return {
      [WIRE_READY]: true,
      ...(page.items.length ? { metrics: metricsToWire(page.items) } : {}),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  });
  route('GET', '/metrics/get-history-bulk-interval', 'Sampled metric history for several runs', async (p) => ({
    metrics: await tracking.getMetricHistoryBulkInterval(p.stringList('run_ids'), p.string('metric_key', { required: true }), {
      maxResults: p.int('max_results'),
      startStep: p.int('start_step'),
      endStep: p.int('end_step'),
    }),
  }));

  // ---------------------------------------------------------------- artifacts (run-scoped listing)
  route('GET', '/artifacts/list', "List a run's artifacts", async (p) => {
    const res = await tracking.listRunArtifacts(runId(p), p.string('path') || undefined);
    return { root_uri: res.root_uri, files: res.files };
  });

  // ---------------------------------------------------------------- logged models (MLflow 3)
  route('POST', '/logged-models', 'Create a logged model', async (p) => ({
    model: await tracking.createLoggedModel({
      experimentId: p.string('experiment_id', { required: true }),
      name: p.string('name') || undefined,
      modelType: p.string('model_type') || undefined,
      sourceRunId: p.string('source_run_id') || undefined,
      params: p.keyValues('params'),
      tags: p.keyValues('tags'),
    }),
  }));
  route('POST', '/logged-models/search', 'Search logged models', async (p) => {
    const orderBy: LoggedModelOrderBy[] = p.objectList('order_by').map((o, i) => ({
      field_name: fieldString(`order_by[${i}].field_name`, o.field_name),
      ascending: o.ascending === undefined ? undefined : Boolean(o.ascending),
      dataset_name: optionalFieldString(`order_by[${i}].dataset_name`, o.dataset_name),
      dataset_digest: optionalFieldString(`order_by[${i}].dataset_digest`, o.dataset_digest),
    }));
    const page = await tracking.searchLoggedModels({
      experimentIds: p.stringList('experiment_ids'),
      filter: p.string('filter') || undefined,
      maxResults: p.int('max_results'),
      orderBy,
      pageToken: p.string('page_token') || undefined,
    });
    return { models: page.items, next_page_token: page.nextPageToken };
  });
  const modelId = (req: FastifyRequest) => (req.params as { model_id: string }).model_id;
  route('GET', '/logged-models/:model_id', 'Get a logged model', async (_p, req) => ({ model: await tracking.getLoggedModel(modelId(req)) }));
  route('DELETE', '/logged-models/:model_id', 'Delete a logged model', async (_p, req) => {
    await tracking.deleteLoggedModel(modelId(req));
    return {};
  });
  route('PATCH', '/logged-models/:model_id', 'Finalize a logged model (set its status)', async (p, req) => ({
    model: await tracking.finalizeLoggedModel(modelId(req), p.string('status', { required: true })),
  }));
  route('PATCH', '/logged-models/:model_id/tags', 'Set logged model tags', async (p, req) => {
    await tracking.setLoggedModelTags(modelId(req), p.keyValues('tags'));
    return {};
  });
  route('DELETE', '/logged-models/:model_id/tags/:tag_key', 'Delete a logged model tag', async (_p, req) => {
    await tracking.deleteLoggedModelTag(modelId(req), (req.params as { tag_key: string }).tag_key);
    return {};
  });
  route('POST', '/logged-models/:model_id/params', 'Log logged model params', async (p, req) => {
    await tracking.logLoggedModelParams(modelId(req), p.keyValues('params'));
    return {};
  });
};
