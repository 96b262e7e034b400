import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createPharos, type Pharos } from '../../app.ts';
import { buildServer } from '../../server/server.ts';
import type { InferenceWindowQuery, LoggedInference } from '../monitors/types.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('monitoring HTTP API (/api/v1)', () => {
  let pharos: Pharos;
  let app: FastifyInstance;
  const rows: LoggedInference[] = [];
  before(async () => {
    pharos = await createPharos({ dataDir: mkdtempSync(join(tmpdir(), 'pharos-mon-http-')) });
    pharos.monitoring.configure({
      inferenceLog: { read: async (q: InferenceWindowQuery) => rows.filter((r) => r.deployment === q.deployment && (q.to === undefined || r.timestamp < q.to)).slice(-(q.last ?? rows.length)) },
    });
    app = await buildServer(pharos);
    await app.ready();
  });
  after(async () => {
    await app.close();
    await pharos.close();
  });

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, payload: payload as object });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };

  test('labels: stored, and bad bodies are precise 400s', async () => {
    assert.deepEqual(await call('POST', '/api/v1/labels', [{ request_id: 'r1', label: 1 }, { request_id: 'r2', label: 'spam' }]), { status: 200, body: { stored: 2 } });
    const bad = async (payload: unknown, re: RegExp) => {
      const r = await call('POST', '/api/v1/labels', payload);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
      assert.match(r.body.message, re);
    };
    await bad({ request_id: 'r1', label: 1 }, /body must be array/);
    await bad([], /must NOT have fewer than 1 items/);
    await bad([{ request_id: 'r1' }], /body\/0 must have required property 'label'/);
    await bad([{ request_id: 'r1', label: 1, extra: true }], /must NOT have additional properties/);
    await bad([{ request_id: 'r1', label: { a: 1 } }], /body\/0\/label must be string,number,boolean/);
    // PostgreSQL cannot hold a NUL in text: refused on every engine before any query.
    await bad([{ request_id: 'r\0', label: 1 }], /body\[0\]\.request_id: NUL characters are not allowed/);
    assert.equal(await pharos.monitoring.labels.count(), 2);
  });

  test('monitors: create, list, get, patch, run now, history, alerts, delete', async () => {
    for (let i = 0; i < 50; i++) {
      rows.push({ requestId: `q${i}`, deployment: 'fraud', features: { amount: i, country: i % 2 ? 'FR' : 'DE' }, prediction: { label: i % 3 === 0 ? 1 : 0, score: (i % 10) / 10 }, latencyMs: 10 + i, timestamp: T0 + i });
    }
    const spec = {
      task: 'binary',
      reference: { type: 'upload' },
      window: { type: 'count', size: 20 },
      schedule: '0 * * * *',
      alerts: [{ name: 'slow', metric: 'latency.p99_ms', op: '>', threshold: 40 }],
    };
    const created = await call('POST', '/api/v1/monitors', { name: 'fraud-watch', deployment: 'fraud', spec });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.monitor.id;
    assert.ok(created.body.monitor.next_run, 'a scheduled monitor reports its next run');
    assert.equal((await call('POST', '/api/v1/monitors', { name: 'fraud-watch', deployment: 'fraud', spec })).status, 400);
    const badSpec = await call('POST', '/api/v1/monitors', { name: 'x', deployment: 'fraud', spec: { ...spec, window: { type: 'count', size: -1 } } });
    assert.equal(badSpec.status, 400);
    assert.match(badSpec.body.message, /spec\.window\.size/);
    const missing = await call('POST', '/api/v1/monitors', { name: 'x', spec });
    assert.match(missing.body.message, /must have required property 'deployment'/);

    assert.deepEqual((await call('GET', '/api/v1/monitors?deployment=fraud')).body.monitors.map((m: { name: string }) => m.name), ['fraud-watch']);
    assert.equal((await call('GET', '/api/v1/monitors/fraud-watch')).body.monitor.id, id);
    assert.equal((await call('GET', '/api/v1/monitors/nope')).status, 404);
    assert.match((await call('GET', '/api/v1/monitors/no%00pe')).body.message, /params\.monitor: NUL characters are not allowed/);
    assert.equal((await call('GET', '/api/v1/alerts?rule=%00')).status, 400);
    // Beyond PostgreSQL's bigint.
    assert.equal((await call('GET', '/api/v1/alerts?since=99999999999999999999')).status, 400);

    const failed = await call('POST', `/api/v1/monitors/${id}/runs`);
    assert.equal(failed.body.run.status, 'failed');
    assert.match(failed.body.run.error, /none was uploaded/);
    const ref = await call('PUT', `/api/v1/monitors/${id}/reference`, { rows: rows.slice(0, 30).map((r) => ({ ...r.features, label: Number((r.prediction as { label: number }).label), prediction: (r.prediction as { label: number }).label, score: (r.prediction as { score: number }).score })) });
    assert.deepEqual(ref, { status: 200, body: { rows: 30 } });
    const run = await call('POST', `/api/v1/monitors/fraud-watch/runs`);
    assert.equal(run.status, 200);
    assert.equal(run.body.run.status, 'alerting', JSON.stringify(run.body.run));
    assert.equal(run.body.run.row_count, 20);
    assert.equal(run.body.run.results.latency.p99Ms, 10 + 48 + 0.81);
    assert.equal(run.body.run.alerts[0].rule, 'slow');

    const history = await call('GET', `/api/v1/monitors/${id}/runs?limit=10`);
    assert.deepEqual(history.body.runs.map((r: { status: string }) => r.status), ['alerting', 'failed']);
    assert.equal((await call('GET', `/api/v1/monitors/${id}/runs?status=bogus`)).status, 400);
    assert.equal((await call('GET', `/api/v1/monitor-runs/${run.body.run.id}`)).body.run.results.window.rows, 20);
    // The run's window as a full report, recomputed from the log: the same scores as the run, plus both distributions.
    const report = await call('GET', `/api/v1/monitor-runs/${run.body.run.id}/drift-report`);
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.deepEqual(report.body.window, { from: T0 + 30, to: T0 + 49, rows: 20 });
    const byColumn = new Map(report.body.report.columns.map((c: { column: string }) => [c.column, c]));
    for (const c of run.body.run.results.featureDrift.columns) assert.equal((byColumn.get(c.column) as { score: number }).score, c.score, c.column);
    const amount = byColumn.get('amount') as { histogram: { kind: string; reference: number[]; current: number[] } };
    assert.equal(amount.histogram.kind, 'numerical');
    assert.equal(amount.histogram.reference.reduce((a, b) => a + b, 0), 30);
    assert.equal(amount.histogram.current.reduce((a, b) => a + b, 0), 20);
    const page = await app.inject({ method: 'GET', url: `/api/v1/monitor-runs/${run.body.run.id}/drift-report.html` });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.match(page.body, /monitor fraud-watch/);
    assert.match(page.body, /<svg[^>]*>/);
    const failedReport = await call('GET', `/api/v1/monitor-runs/${failed.body.run.id}/drift-report`);
    assert.equal(failedReport.status, 400);
    assert.match(failedReport.body.message, /failed \(.*none was uploaded.*\): it has no window/);
    assert.equal((await call('GET', '/api/v1/monitor-runs/mr-nope/drift-report')).status, 404);
    const alerts = await call('GET', '/api/v1/alerts?monitor=fraud-watch&status=fired');
    assert.deepEqual(alerts.body.alerts.map((a: { rule: string }) => a.rule), ['slow']);

    const patched = await call('PATCH', `/api/v1/monitors/${id}`, { enabled: false });
    assert.equal(patched.body.monitor.enabled, false);
    assert.equal(patched.body.monitor.next_run, undefined);
    assert.equal((await call('PATCH', `/api/v1/monitors/${id}`, {})).status, 400);
    assert.equal((await call('DELETE', `/api/v1/monitors/${id}`)).status, 200);
    assert.equal((await call('GET', `/api/v1/monitors/${id}`)).status, 404);
    assert.deepEqual((await call('GET', '/api/v1/alerts?monitor=' + id)).status, 404);
  });
});
