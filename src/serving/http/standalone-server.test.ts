import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ServingService } from '../serving-service.ts';
import { RegistryModelResolver } from '../model/model-resolver.ts';
import { zipMapClassifier } from '../onnx/onnx-test-models.ts';
import { buildStandaloneServer } from './standalone-server.ts';

// A standalone `pharos serve` answers its prediction routes on node:http before Fastify (fast-path.ts). Fastify's
// inject() never goes through the HTTP server, so it still reaches the Fastify routes: every request below is sent
// both ways and must get the same status and body.

const dir = mkdtempSync(join(tmpdir(), 'pharos-standalone-'));
const modelPath = join(dir, 'clf.onnx');
writeFileSync(modelPath, zipMapClassifier({ classLabels: ['no', 'yes'] }));
const BODY_LIMIT = 4096;

let serving: ServingService;
let app: FastifyInstance;
let url: string;

before(async () => {
  serving = new ServingService({ store: null, audit: null, resolver: new RegistryModelResolver(null, null), inferenceLogDir: null, options: { workers: 0 } });
  await serving.start();
  serving.activate();
  const view = await serving.serveEphemeral({ name: 'clf', modelUri: modelPath });
  assert.equal(view.ready, true, view.reason ?? '');
  app = await buildStandaloneServer(serving, 'clf', { bodyLimit: BODY_LIMIT });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await app.close();
  await serving.close();
});

interface Req {
  path: string;
  body: string;
  headers?: Record<string, string>;
}

async function overHttp(r: Req) {
  const res = await fetch(url + r.path, { method: 'POST', headers: { 'content-type': 'application/json', ...r.headers }, body: r.body });
  return { status: res.status, type: res.headers.get('content-type'), json: (await res.json()) as any };
}

async function throughFastify(r: Req) {
  const res = await app.inject({ method: 'POST', url: r.path, headers: { 'content-type': 'application/json', ...r.headers }, payload: r.body });
  return { status: res.statusCode, type: String(res.headers['content-type']), json: res.json() as any };
}

const json = (v: unknown) => JSON.stringify(v);
const cases: Array<[string, Req, number]> = [
  ['dataframe_split', { path: '/invocations', body: json({ dataframe_split: { columns: ['a', 'b'], data: [[0, 0], [1, 2]] } }) }, 200],
  ['dataframe_records, trailing slash, query string', { path: '/invocations/?x=1', body: json({ dataframe_records: [{ a: 3, b: -1 }] }) }, 200],
  ['instances', { path: '/invocations', body: json({ instances: [[0.5, 0.25]] }) }, 200],
  ['malformed JSON', { path: '/invocations', body: '{"dataframe_split": ' }, 400],
  ['empty body', { path: '/invocations', body: '' }, 400],
  ['no known key', { path: '/invocations', body: json({ rows: [[1, 2]] }) }, 400],
  ['wrong width', { path: '/invocations', body: json({ instances: [[1, 2, 3]] }) }, 400],
  ['OIP infer with id', { path: '/v2/models/clf/infer', body: json({ id: 'r-1', inputs: [{ name: 'X', shape: [2, 2], datatype: 'FP32', data: [0, 0, 1, 1] }] }) }, 200],
  ['OIP infer, id from x-request-id', { path: '/v2/models/clf/infer/', body: json({ inputs: [{ name: 'X', shape: [1, 2], datatype: 'FP32', data: [2, 0] }] }), headers: { 'x-request-id': 'hdr-7' } }, 200],
  ['OIP infer of a version', { path: '/v2/models/clf/versions/1/infer', body: json({ id: 'r-2', inputs: [{ name: 'X', shape: [1, 2], datatype: 'FP32', data: [0, 3] }] }) }, 200],
  ['OIP unknown version', { path: '/v2/models/clf/versions/9/infer', body: json({ id: 'r-3', inputs: [{ name: 'X', shape: [1, 2], datatype: 'FP32', data: [0, 3] }] }) }, 404],
  ['OIP unknown model', { path: '/v2/models/nope/infer', body: json({ id: 'r-4', inputs: [{ name: 'X', shape: [1, 2], datatype: 'FP32', data: [0, 3] }] }) }, 404],
  ['OIP wrong shape', { path: '/v2/models/clf/infer', body: json({ id: 'r-5', inputs: [{ name: 'X', shape: [1, 3], datatype: 'FP32', data: [0, 3, 1] }] }) }, 400],
  ['OIP malformed JSON', { path: '/v2/models/clf/infer', body: '[' }, 400],
];

for (const [name, req, status] of cases) {
  test(`fast path and Fastify answer alike: ${name}`, async () => {
    const fast = await overHttp(req);
    const slow = await throughFastify(req);
    assert.equal(fast.status, status, json(fast.json));
    assert.equal(slow.status, status, json(slow.json));
    assert.deepEqual(fast.json, slow.json);
    assert.match(fast.type ?? '', /^application\/json/);
    if (status >= 400) assert.deepEqual(Object.keys(fast.json).sort(), req.path.startsWith('/v2') ? ['error'] : ['error_code', 'message']);
  });
}

test('the fast path answers real predictions: ZipMap probabilities as {label: p}, OIP tensors', async () => {
  const inv = await overHttp(cases[0][1]);
  assert.equal(inv.json.predictions.length, 2);
  assert.deepEqual(Object.keys(inv.json.predictions[0]), ['label', 'output_probability']);
  const p = inv.json.predictions[1].output_probability;
  assert.ok(Math.abs(p.no + p.yes - 1) < 1e-6);
  const oip = await overHttp(cases[8][1]);
  assert.equal(oip.json.id, 'hdr-7');
  assert.equal(oip.json.model_name, 'clf');
  assert.deepEqual(oip.json.outputs.map((o: { name: string; shape: number[] }) => [o.name, o.shape]), [['label', [1]], ['output_probability', [1, 2]]]);
});

test('a body over the limit is a 413 in the protocol shape, on both paths', async () => {
  const big = json({ instances: Array.from({ length: 400 }, () => [0.123456789, 0.987654321]) });
  assert.ok(big.length > BODY_LIMIT);
  for (const [path, keys] of [['/invocations', ['error_code', 'message']], ['/v2/models/clf/infer', ['error']]] as const) {
    const fast = await overHttp({ path, body: big });
    const slow = await throughFastify({ path, body: big });
    assert.equal(fast.status, 413);
    assert.equal(slow.status, 413);
    assert.deepEqual(Object.keys(fast.json).sort(), keys);
    assert.deepEqual(Object.keys(slow.json).sort(), keys);
    // The one answer that tells the paths apart (so this file knows the fast path is in front): its code is precise.
    if (path === '/invocations') assert.deepEqual([fast.json.error_code, slow.json.error_code], ['RESOURCE_LIMIT_EXCEEDED', 'BAD_REQUEST']);
  }
  // The server is fine afterwards.
  assert.equal((await overHttp(cases[2][1])).status, 200);
});

test('requests the fast path leaves to Fastify: CSV, GET routes, unknown paths', async () => {
  const csv = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b\n0,0\n1,2\n' });
  assert.equal(csv.status, 200);
  assert.equal(((await csv.json()) as { predictions: unknown[] }).predictions.length, 2);
  assert.equal((await fetch(`${url}/ping`)).status, 200);
  assert.equal((await fetch(`${url}/v2/models/clf/ready`)).status, 200);
  const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
  assert.match(metrics, /pharos_serving_requests_total\{deployment="clf",version="1",role="stable",protocol="mlflow"\} \d+/);
  assert.equal((await fetch(`${url}/v2/models/clf/nothing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 404);
});
