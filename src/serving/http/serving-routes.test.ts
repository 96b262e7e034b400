import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createPharos, type Pharos } from '../../app.ts';
import { buildServer } from '../../server/index.ts';
import { zipMapClassifier, sumRegressor } from '../onnx/onnx-test-models.ts';

let pharos: Pharos;
let app: FastifyInstance;
const dir = mkdtempSync(join(tmpdir(), 'pharos-serving-http-'));
const classifier = join(dir, 'classifier.onnx');
const regressor = join(dir, 'regressor.onnx');
writeFileSync(classifier, zipMapClassifier({ classLabels: ['no', 'yes'] }));
writeFileSync(regressor, sumRegressor({ scale: 3 }));

const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
  const r = await app.inject({ method, url, payload: payload as object | undefined });
  return { status: r.statusCode, json: r.headers['content-type']?.toString().includes('json') ? r.json() : r.body };
};

before(async () => {
  pharos = await createPharos({ dataDir: mkdtempSync(join(tmpdir(), 'pharos-serving-http-data-')) });
  app = await buildServer(pharos);
});
after(async () => {
  await app.close();
  await pharos.close();
});

test('deploy through the native API, then score over OIP v2 and the MLflow protocol', async () => {
  const created = await call('POST', '/api/v1/deployments', { name: 'clf', model_uri: classifier });
  assert.equal(created.status, 201);
  assert.equal(created.json.deployment.ready, true);
  const meta = await call('GET', '/v2/models/clf');
  assert.deepEqual(meta.json.outputs, [
    { name: 'label', datatype: 'INT64', shape: [-1] },
    { name: 'output_probability', datatype: 'FP32', shape: [-1, 2] },
  ]);
  assert.deepEqual(meta.json.parameters.class_labels, { output_probability: ['no', 'yes'] });
  const oip = await call('POST', '/v2/models/clf/infer', { id: 'req-1', inputs: [{ name: 'X', shape: [1, 2], datatype: 'FP32', data: [0, 0] }] });
  assert.equal(oip.status, 200);
  assert.equal(oip.json.id, 'req-1');
  assert.deepEqual(oip.json.outputs[0], { name: 'label', datatype: 'INT64', shape: [1], data: [0] });
  assert.deepEqual(oip.json.outputs[1].data, [0.5, 0.5]);
  const inv = await call('POST', '/deployments/clf/invocations', { dataframe_records: [{ a: 0, b: 0 }] });
  assert.deepEqual(inv.json, { predictions: [{ label: 0, output_probability: { no: 0.5, yes: 0.5 } }] });
});

test('errors: OIP answers {error}, the MLflow protocol {error_code, message}; unknown deployments are 404s', async () => {
  const oip = await call('POST', '/v2/models/clf/infer', { inputs: [{ name: 'X', shape: [1, 3], datatype: 'FP32', data: [0, 0, 0] }] });
  assert.equal(oip.status, 400);
  assert.deepEqual(Object.keys(oip.json), ['error']);
  assert.match(oip.json.error, /expected shape \[-1, 2\]/);
  const inv = await call('POST', '/deployments/clf/invocations', { instances: [['a', 'b']] });
  assert.equal(inv.status, 400);
  assert.equal(inv.json.error_code, 'INVALID_PARAMETER_VALUE');
  assert.equal((await call('GET', '/v2/models/nope')).status, 404);
  assert.equal((await call('POST', '/deployments/nope/invocations', { instances: [[1, 2]] })).status, 404);
  assert.equal((await call('POST', '/api/v1/deployments', { name: 'x' })).status, 400);
});

test('a canary through PATCH, promotion, history, metrics and the inference log', async () => {
  await call('POST', '/api/v1/deployments', { name: 'reg', model_uri: regressor, policy: { auto_promote: false } });
  const patched = await call('PATCH', '/api/v1/deployments/reg', { canary_uri: classifier, canary_percent: 0 });
  assert.equal(patched.status, 200);
  assert.equal(patched.json.deployment.candidate.percent, 0);
  assert.equal(patched.json.deployment.policy.auto_promote, false);
  const answer = await call('POST', '/deployments/reg/invocations', { inputs: [[1, 2]] });
  assert.deepEqual(answer.json, { predictions: [9] });
  const rolledBack = await call('POST', '/api/v1/deployments/reg/rollback', { reason: 'wrong model' });
  assert.equal(rolledBack.json.deployment.candidate, null);
  assert.deepEqual(rolledBack.json.deployment.history.map((e: any) => e.action), ['create', 'update', 'rollback']);
  const metrics = await app.inject({ url: '/metrics' });
  assert.match(metrics.body, /pharos_serving_requests_total\{deployment="reg",version="1",role="stable",protocol="mlflow"\} 1/);
  assert.match(metrics.body, /pharos_serving_latency_seconds_count\{deployment="reg",version="1",role="stable"\} 1/);
  const log = await call('GET', '/api/v1/deployments/reg/inference-log?last=10');
  assert.equal(log.json.rows.length, 1);
  assert.deepEqual(log.json.rows[0].features, { X: [1, 2] });
  assert.equal(log.json.rows[0].prediction, 9);
  const audit = await pharos.audit.list({ entityType: 'deployment', entityId: 'reg' });
  assert.equal(audit.at(-1)!.action, 'rollback');
  assert.equal((await call('DELETE', '/api/v1/deployments/reg')).status, 200);
  assert.equal((await call('GET', '/v2/models/reg/ready')).status, 404);
});

test('after a restart the server loads its deployments again and answers', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pharos-serving-restart-'));
  const first = await createPharos({ dataDir });
  await first.serving.createDeployment({ name: 'kept', modelUri: regressor });
  await first.close();
  const second = await createPharos({ dataDir });
  const server = await buildServer(second);
  try {
    let ready = await server.inject({ url: '/v2/models/kept/ready' });
    for (let i = 0; i < 500 && ready.statusCode !== 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await server.inject({ url: '/v2/models/kept/ready' });
    }
    assert.equal(ready.statusCode, 200);
    const inv = await server.inject({ method: 'POST', url: '/deployments/kept/invocations', payload: { inputs: [[1, 1]] } });
    assert.deepEqual(inv.json(), { predictions: [6] });
  } finally {
    await server.close();
    await second.close();
  }
});

test('once labels arrive, a canary whose accuracy falls below stable is rolled back with the reason', async () => {
  const candidate = join(dir, 'classifier-candidate.onnx');
  writeFileSync(candidate, zipMapClassifier({ classLabels: ['no', 'yes'] }));
  const policy = { min_requests: 100_000, min_labelled: 10, max_accuracy_drop: 0.05, max_latency_ratio: 1000, latency_slack_ms: 60_000 };
  assert.equal((await call('POST', '/api/v1/deployments', { name: 'acc', model_uri: classifier, canary_uri: candidate, canary_percent: 50, policy })).status, 201);
  pharos.serving.qualityRefreshMs = 0; // judge on every candidate request, not every 2 s
  const send = (i: number) => call('POST', '/deployments/acc/invocations', { inputs: [[i % 3, (i * 7) % 5]] });
  for (let i = 0; i < 60; i++) assert.equal((await send(i)).status, 200);
  // Late ground truth: stable's answers were right, the canary's wrong.
  const log = await call('GET', '/api/v1/deployments/acc/inference-log?last=1000');
  const rows = log.json.rows as Array<{ request_id: string; role: string; prediction: { label: number } }>;
  assert.ok(rows.filter((r) => r.role === 'canary').length >= 10 && rows.filter((r) => r.role === 'stable').length >= 10, 'both sides served');
  const labels = rows.map((r) => ({ request_id: r.request_id, label: r.role === 'stable' ? r.prediction.label : 1 - r.prediction.label }));
  assert.equal((await call('POST', '/api/v1/labels', labels)).status, 200);
  let d: any;
  for (let i = 60; i < 400; i++) {
    await send(i);
    d = (await call('GET', '/api/v1/deployments/acc')).json.deployment;
    if (!d.candidate) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(d.candidate, null, 'the canary was not rolled back');
  const rollback = d.history.at(-1);
  assert.equal(rollback.action, 'rollback');
  assert.match(rollback.reason, /^automatic: candidate accuracy 0\.00% on \d+ labelled requests is below stable's 100\.00% \(\d+ labelled\) - 5\.00 points$/);
});
