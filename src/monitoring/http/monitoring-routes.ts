import type { FastifyPluginAsync } from 'fastify';
import type { Pharos } from '../../app.ts';
import type { AlertEvent, Monitor, MonitorRun } from '../monitors/types.ts';
import { MAX_LABELS_PER_CALL } from '../performance/label-store.ts';
import { invalidParameter } from '../../core/errors.ts';
import { renderDriftReportHtml } from '../report/index.ts';

const tags = ['monitoring'];
const errorSchema = { type: 'object', properties: { error_code: { type: 'string' }, message: { type: 'string' } } } as const;
const errors = { 400: errorSchema, 404: errorSchema };
const monitorParam = { type: 'object', required: ['monitor'], properties: { monitor: { type: 'string', minLength: 1, description: 'monitor id or name' } } } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const labelValue = { type: ['string', 'number', 'boolean'] } as const;
/** Epoch-millisecond bounds: a larger integer overflows PostgreSQL's bigint (a 500, not a 400). */
const epochMs = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

function rejectNul(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) throw invalidParameter(`${path}: NUL characters are not allowed`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => rejectNul(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      rejectNul(k, path);
      rejectNul(v, `${path}.${k}`);
    }
  }
}

export const nativeMonitor = (m: Monitor, nextRun?: Date | null) => ({
  id: m.id,
  name: m.name,
  deployment: m.deployment,
  enabled: m.enabled,
  spec: m.spec,
  created_at: m.createdAt,
  updated_at: m.updatedAt,
  ...(nextRun ? { next_run: nextRun.toISOString() } : {}),
});

export const nativeAlert = (a: AlertEvent) => ({
  id: a.id,
  monitor_id: a.monitorId,
  rule: a.ruleName,
  run_id: a.runId,
  fired_at: a.firedAt,
  status: a.status,
  value: a.value,
  message: a.message,
  deliveries: a.deliveries,
  retrain_run_id: a.retrainRunId,
});

export const nativeRun = (r: MonitorRun) => ({
  id: r.id,
  monitor_id: r.monitorId,
  started_at: r.startedAt,
  finished_at: r.finishedAt,
  window_start: r.windowStart,
  window_end: r.windowEnd,
  row_count: r.rowCount,
  status: r.status,
  results: r.results,
  error: r.error,
  ...(r.alerts ? { alerts: r.alerts.map(nativeAlert) } : {}),
});

const monitorBody = {
  type: 'object',
  required: ['name', 'deployment', 'spec'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 256 },
    deployment: { type: 'string', minLength: 1, maxLength: 256 },
    enabled: { type: 'boolean' },
    spec: {
      type: 'object',
      required: ['task', 'reference', 'window'],
      description: 'MonitorSpec: task, reference, window, schedule, checks, alerts (validated in depth by the service)',
      properties: {
        task: { type: 'string', enum: ['binary', 'multiclass', 'regression'] },
        reference: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['training', 'window', 'upload'] } } },
        window: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['count', 'time'] } } },
        schedule: { type: 'string' },
        checks: { type: 'object', additionalProperties: { type: 'boolean' } },
        alerts: { type: 'array', items: { type: 'object', required: ['name', 'metric', 'op', 'threshold'] } },
      },
    },
  },
} as const;

/** Native monitoring API under /api/v1: labels, monitors, runs (history), alerts. */
export const monitoringRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (app, opts) => {
  const monitoring = opts.pharos.monitoring;

  // Scheduled monitors run while a server runs; the CLI and tests that only build a Pharos do not start cron jobs.
  app.addHook('onReady', async () => monitoring.startScheduler());
  app.addHook('onClose', async () => monitoring.stopScheduler());
  // PostgreSQL cannot compare or store text holding NUL: refuse it in names, ids, filters and labels before any
  // query. Reference rows are kept as JSON text, where a NUL is escaped and harmless (and walking 200k rows is waste).
  app.addHook('preHandler', async (req) => {
    rejectNul(req.params, 'params');
    rejectNul(req.query, 'querystring');
    if (!req.routeOptions.url?.endsWith('/reference')) rejectNul(req.body, 'body');
  });

  app.post(
    '/labels',
    {
      schema: {
        tags,
        summary: 'Record late ground-truth labels for logged requests',
        body: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_LABELS_PER_CALL,
          items: { type: 'object', required: ['request_id', 'label'], additionalProperties: false, properties: { request_id: { type: 'string', minLength: 1, maxLength: 256 }, label: labelValue } },
        },
        response: { 200: { type: 'object', properties: { stored: { type: 'integer' } } }, ...errors },
      },
    },
    async (req) => monitoring.recordLabels(req.body),
  );

  app.get<{ Querystring: { deployment?: string } }>(
    '/monitors',
    { schema: { tags, summary: 'List monitors', querystring: { type: 'object', properties: { deployment: { type: 'string' } } } } },
    async (req) => ({ monitors: (await monitoring.listMonitors({ deployment: req.query.deployment })).map((m) => nativeMonitor(m, monitoring.nextScheduledRun(m.id))) }),
  );

  app.post<{ Body: { name: string; deployment: string; spec: unknown; enabled?: boolean } }>(
    '/monitors',
    { schema: { tags, summary: 'Create a monitor', body: monitorBody, response: { ...errors } } },
    async (req, reply) => {
      const m = await monitoring.createMonitor(req.body);
      reply.status(201);
      return { monitor: nativeMonitor(m, monitoring.nextScheduledRun(m.id)) };
    },
  );

  app.get<{ Params: { monitor: string } }>('/monitors/:monitor', { schema: { tags, summary: 'Get a monitor', params: monitorParam, response: { ...errors } } }, async (req) => {
    const m = await monitoring.getMonitor(req.params.monitor);
    return { monitor: nativeMonitor(m, monitoring.nextScheduledRun(m.id)) };
  });

  app.patch<{ Params: { monitor: string }; Body: { name?: string; deployment?: string; spec?: unknown; enabled?: boolean } }>(
    '/monitors/:monitor',
    {
      schema: {
        tags,
        summary: 'Update a monitor (fields given replace the current ones; spec is replaced whole)',
        params: monitorParam,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { name: monitorBody.properties.name, deployment: monitorBody.properties.deployment, enabled: { type: 'boolean' }, spec: monitorBody.properties.spec } },
        response: { ...errors },
      },
    },
    async (req) => ({ monitor: nativeMonitor(await monitoring.updateMonitor(req.params.monitor, req.body)) }),
  );

  app.delete<{ Params: { monitor: string } }>('/monitors/:monitor', { schema: { tags, summary: 'Delete a monitor with its history', params: monitorParam, response: { ...errors } } }, async (req) => {
    await monitoring.deleteMonitor(req.params.monitor);
    return {};
  });

  app.put<{ Params: { monitor: string }; Body: { rows: unknown[]; label_column?: string; source?: string } }>(
    '/monitors/:monitor/reference',
    {
      schema: {
        tags,
        summary: 'Upload the reference data of a monitor (flat rows: features, plus label / prediction / score when known)',
        params: monitorParam,
        body: { type: 'object', required: ['rows'], additionalProperties: false, properties: { rows: { type: 'array', minItems: 1, items: anyObject }, label_column: { type: 'string', minLength: 1 }, source: { type: 'string', maxLength: 512 } } },
        response: { 200: { type: 'object', properties: { rows: { type: 'integer' } } }, ...errors },
      },
    },
    async (req) => monitoring.uploadReference(req.params.monitor, req.body.rows, { labelColumn: req.body.label_column, source: req.body.source }),
  );

  app.post<{ Params: { monitor: string } }>(
    '/monitors/:monitor/runs',
    { schema: { tags, summary: 'Run a monitor now', params: monitorParam, response: { ...errors } } },
    async (req) => ({ run: nativeRun(await monitoring.runMonitor(req.params.monitor)) }),
  );

  app.get<{ Params: { monitor: string }; Querystring: { limit?: number; before?: number; status?: string } }>(
    '/monitors/:monitor/runs',
    {
      schema: {
        tags,
        summary: 'Run history of a monitor, newest first',
        params: monitorParam,
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 }, before: epochMs, status: { type: 'string', enum: ['running', 'ok', 'alerting', 'failed'] } } },
        response: { ...errors },
      },
    },
    async (req) => ({ runs: (await monitoring.history(req.params.monitor, req.query)).map(nativeRun) }),
  );

  app.get<{ Params: { run_id: string } }>(
    '/monitor-runs/:run_id',
    { schema: { tags, summary: 'One monitor run', params: { type: 'object', required: ['run_id'], properties: { run_id: { type: 'string', minLength: 1 } } }, response: { ...errors } } },
    async (req) => ({ run: nativeRun(await monitoring.getRun(req.params.run_id)) }),
  );

  const runParam = { type: 'object', required: ['run_id'], properties: { run_id: { type: 'string', minLength: 1 } } } as const;
  app.get<{ Params: { run_id: string } }>(
    '/monitor-runs/:run_id/drift-report',
    { schema: { tags, summary: "A run's window as a full drift report (method, score, threshold, verdict and both histograms per column)", params: runParam, response: { ...errors } } },
    async (req) => {
      const { monitor, run, report } = await monitoring.runDriftReport(req.params.run_id);
      return { monitor: monitor.name, run_id: run.id, window: { from: run.windowStart, to: run.windowEnd, rows: run.rowCount }, report };
    },
  );
  app.get<{ Params: { run_id: string } }>(
    '/monitor-runs/:run_id/drift-report.html',
    { schema: { tags, summary: "The same report as a self-contained HTML page (inline SVG plots, no network)", params: runParam } },
    async (req, reply) => {
      const { monitor, run, report } = await monitoring.runDriftReport(req.params.run_id);
      const window = `${new Date(run.windowStart!).toISOString()} – ${new Date(run.windowEnd!).toISOString()}, ${run.rowCount} rows`;
      reply.type('text/html; charset=utf-8');
      return renderDriftReportHtml(report, {
        title: `Drift report: monitor ${monitor.name}, run ${run.id}`,
        referenceName: run.results?.reference.source,
        currentName: `deployment ${monitor.deployment}, ${window}`,
        generatedAt: new Date(run.finishedAt),
      });
    },
  );

  app.get<{ Querystring: { monitor?: string; rule?: string; status?: string; since?: number; limit?: number } }>(
    '/alerts',
    {
      schema: {
        tags,
        summary: 'Alert history, newest first',
        querystring: {
          type: 'object',
          properties: {
            monitor: { type: 'string', minLength: 1 },
            rule: { type: 'string', minLength: 1 },
            status: { type: 'string', enum: ['fired', 'suppressed'] },
            since: epochMs,
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
        response: { ...errors },
      },
    },
    async (req) => ({ alerts: (await monitoring.alerts(req.query)).map(nativeAlert) }),
  );
};
