import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startPharosServer, type RunningServer } from '../support/server.ts';
import { trackingBackends } from './tracking-backends.ts';

/**
 * Raw HTTP error cases on the MLflow tracking and artifact APIs: every bad input is a 4xx with MLflow's
 * `{error_code, message}`, never a 5xx (the mlflow client retries 5xx for minutes).
 */
for (const backend of await trackingBackends()) describe(`tracking HTTP errors (${backend.name})`, () => {
  let server: RunningServer;
  let runId: string;
  let expId: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  };

  /** Sends the path exactly as written (fetch would normalise `..` away before sending). */
  const rawCall = (method: string, path: string, body?: string) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const u = new URL(server.url);
      const req = request({ host: u.hostname, port: u.port, method, path }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let json: any = text;
          try {
            json = JSON.parse(text);
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.on('error', reject);
      req.end(body);
    });

  const expectError = (r: { status: number; json: any }, status: number, code: string, message?: RegExp) => {
    assert.equal(r.status, status, JSON.stringify(r.json));
    assert.equal(r.json.error_code, code);
    assert.equal(typeof r.json.message, 'string');
    if (message) assert.match(r.json.message, message);
  };

  before(async () => {
    server = await startPharosServer({ args: await backend.args() });
    expId = (await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'errors' })).json.experiment_id;
    runId = (await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: expId, start_time: Date.now() })).json.run.info.run_id;
  });
  after(async () => {
    await server?.stop();
  });

  it('unknown ids are 404 RESOURCE_DOES_NOT_EXIST', async () => {
    expectError(await call('GET', '/api/2.0/mlflow/runs/get?run_id=0123456789abcdef0123456789abcdef'), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await call('GET', '/api/2.0/mlflow/experiments/get?experiment_id=424242'), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await call('GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=nope'), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await call('GET', '/api/2.0/mlflow/logged-models/m-00000000000000000000000000000000'), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await call('POST', '/api/2.0/mlflow/runs/delete', { run_id: 'ffffffffffffffffffffffffffffffff' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await call('GET', `/api/2.0/mlflow/metrics/get-history?run_id=ffffffffffffffffffffffffffffffff&metric_key=x`), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('missing and mistyped parameters are 400 INVALID_PARAMETER_VALUE', async () => {
    expectError(await call('GET', '/api/2.0/mlflow/runs/get'), 400, 'INVALID_PARAMETER_VALUE', /run_id/);
    expectError(await call('GET', '/api/2.0/mlflow/experiments/get?experiment_id=abc'), 400, 'INVALID_PARAMETER_VALUE', /Experiment ID/);
    expectError(await call('POST', '/api/2.0/mlflow/experiments/create', {}), 400, 'INVALID_PARAMETER_VALUE', /name/);
    expectError(await call('POST', '/api/2.0/mlflow/experiments/create', { name: 42 }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(
      await call('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: runId, key: 'm', value: 'not-a-number', timestamp: 1 }),
      400,
      'INVALID_PARAMETER_VALUE',
      /valid double/,
    );
    expectError(await call('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: 'yesterday' }), 400, 'INVALID_PARAMETER_VALUE', /integer/);
    expectError(await call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [expId], max_results: 'many' }), 400, 'INVALID_PARAMETER_VALUE', /max_results/);
    expectError(await call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [expId], max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE', /max_results/);
    expectError(await call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics: 'lots' }), 400, 'INVALID_PARAMETER_VALUE', /metrics/);
    expectError(await call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics: [{ key: 'm', value: 1 }] }), 400, 'INVALID_PARAMETER_VALUE', /metrics\[0\]\.timestamp/);
    expectError(await call('POST', '/api/2.0/mlflow/runs/update', { run_id: runId, status: 'DANCING' }), 400, 'INVALID_PARAMETER_VALUE', /status/);
    expectError(await call('POST', '/api/2.0/mlflow/runs/create', '{"experiment_id": '), 400, 'BAD_REQUEST');
  });

  it('NaN and infinities are accepted the way the Python client sends them', async () => {
    const r = await call('POST', '/api/2.0/mlflow/runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'n', value: 'NaN', timestamp: 5, step: 0 },
        { key: 'i', value: 'Infinity', timestamp: '5', step: '1' },
        { key: 'j', value: '-Infinity', timestamp: 5 },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const run = (await call('GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).json.run;
    const byKey = Object.fromEntries(run.data.metrics.map((m: any) => [m.key, m.value]));
    assert.equal(byKey.n, 'NaN');
    assert.equal(byKey.i, Number.MAX_VALUE);
    assert.equal(byKey.j, -Number.MAX_VALUE);
  });

  it('malformed filters and order_by are 400', async () => {
    for (const filter of ['metrics.acc >>> 1', "params.x = 'unterminated", 'nonsense', 'metrics.acc > ']) {
      expectError(await call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [expId], filter }), 400, 'INVALID_PARAMETER_VALUE');
    }
    expectError(await call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [expId], order_by: ['metrics.acc SIDEWAYS'] }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await call('POST', '/api/2.0/mlflow/experiments/search', { filter: 'name ~~ 1' }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [expId], page_token: '%%%not-a-token' }), 400, 'INVALID_PARAMETER_VALUE');
  });

  it('over-long values and oversized batches are 400 with a clear message, never truncated', async () => {
    expectError(
      await call('POST', '/api/2.0/mlflow/runs/log-parameter', { run_id: runId, key: 'long', value: 'x'.repeat(6001) }),
      400,
      'INVALID_PARAMETER_VALUE',
      /6001 characters.*6000/,
    );
    expectError(await call('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: runId, key: 't', value: 'x'.repeat(8001) }), 400, 'INVALID_PARAMETER_VALUE', /8000/);
    expectError(await call('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: runId, key: 'k'.repeat(251), value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /250/);
    expectError(await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'e'.repeat(501) }), 400, 'INVALID_PARAMETER_VALUE', /500/);
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    expectError(await call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    expectError(await call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, params }), 400, 'INVALID_PARAMETER_VALUE', /at most 100 params/);
    const stored = (await call('GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).json.run.data;
    assert.equal((stored.params ?? []).some((p: any) => p.key === 'long'), false, 'a rejected value is not stored truncated');
  });

  it('bad keys, param re-logging with a new value, and logging to deleted runs are 400', async () => {
    expectError(await call('POST', '/api/2.0/mlflow/runs/log-parameter', { run_id: runId, key: '../escape', value: '1' }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await call('POST', '/api/2.0/mlflow/runs/log-parameter', { run_id: runId, key: 'semi;colon', value: '1' }), 400, 'INVALID_PARAMETER_VALUE', /Names may only contain/);
    assert.equal((await call('POST', '/api/2.0/mlflow/runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' })).status, 200);
    assert.equal((await call('POST', '/api/2.0/mlflow/runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' })).status, 200);
    expectError(await call('POST', '/api/2.0/mlflow/runs/log-parameter', { run_id: runId, key: 'lr', value: '0.2' }), 400, 'INVALID_PARAMETER_VALUE', /Changing param values is not allowed/);
    const other = (await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: expId })).json.run.info.run_id;
    assert.equal((await call('POST', '/api/2.0/mlflow/runs/delete', { run_id: other })).status, 200);
    expectError(await call('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: other, key: 'm', value: 1, timestamp: 1 }), 400, 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
    expectError(await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'errors' }), 400, 'RESOURCE_ALREADY_EXISTS');
  });

  it('artifact paths with .., encoded dots, absolute paths and bad encodings are 400', async () => {
    const base = '/api/2.0/mlflow-artifacts/artifacts';
    assert.equal((await call('PUT', `${base}/${expId}/${runId}/artifacts/ok.txt`, 'fine')).status, 200);
    const cases: Array<[string, string]> = [
      ['GET', `${base}/../../etc/passwd`],
      ['GET', `${base}/${expId}/..%2f..%2f..%2fetc/passwd`],
      ['GET', `${base}/%2e%2e/%2e%2e/etc/passwd`],
      ['GET', `${base}/%2E%2E%2Fsecret`],
      ['PUT', `${base}/%2e%2e/evil.txt`],
      ['PUT', `${base}/%2Fetc%2Fevil`],
      ['DELETE', `${base}/%2e%2e`],
      ['GET', `${base}/bad%zzencoding`],
      ['GET', `${base}?path=../..`],
      ['GET', `${base}?path=%2Fetc`],
      ['GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=../../x`],
    ];
    for (const [method, path] of cases) {
      const r = await rawCall(method, path, method === 'PUT' ? 'x' : undefined);
      assert.equal(r.status, 400, `${method} ${path} → ${r.status} ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error_code, 'INVALID_PARAMETER_VALUE', `${method} ${path}`);
    }
    // Filesystem refusals caused by the request are 400s too, and do not reveal the server's folders.
    for (const [method, path] of [
      ['PUT', `${base}/${expId}/${runId}/artifacts/ok.txt/child`],
      ['PUT', `${base}/${expId}/${runId}/artifacts`],
      ['PUT', `${base}/${expId}/${'n'.repeat(300)}`],
      ['GET', `${base}/${expId}/${runId}/artifacts/ok.txt/child`],
    ]) {
      const r = await rawCall(method, path, method === 'PUT' ? 'x' : undefined);
      assert.equal(r.status, 400, `${method} ${path} → ${r.status} ${JSON.stringify(r.json)}`);
      assert.doesNotMatch(r.json.message, /\/tmp\//);
    }
    const missing = await call('GET', `${base}/${expId}/${runId}/artifacts/missing.txt`);
    expectError(missing, 404, 'RESOURCE_DOES_NOT_EXIST');
    const ok = await call('GET', `${base}/${expId}/${runId}/artifacts/ok.txt`);
    assert.equal(ok.status, 200);
    assert.equal(ok.json, 'fine');
    assert.equal(ok.headers.get('x-content-type-options'), 'nosniff');
    assert.match(ok.headers.get('content-disposition') ?? '', /attachment; filename="ok.txt"/);
  });

  it('NUL bytes and out-of-range ids are 400 on every engine', async () => {
    expectError(await call('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: runId, key: 'k', value: 'a\u0000b' }), 400, 'INVALID_PARAMETER_VALUE', /NUL/);
    expectError(await call('GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=a%00b'), 400, 'INVALID_PARAMETER_VALUE', /NUL/);
    expectError(await call('GET', '/api/2.0/mlflow/logged-models/m-%00'), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await call('GET', '/api/2.0/mlflow/experiments/get?experiment_id=99999999999'), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: expId, run_name: 'n'.repeat(300) }), 400, 'INVALID_PARAMETER_VALUE', /250/);
    expectError(await call('GET', '/api/v1/experiments?filter=name%20%3D%20%27a%00%27'), 400, 'INVALID_PARAMETER_VALUE');
  });

  it('artifact listing is relative to the listed directory; DELETE removes; run-scoped listing agrees', async () => {
    const base = '/api/2.0/mlflow-artifacts/artifacts';
    const root = `${expId}/${runId}/artifacts`;
    for (const [path, body] of [['a/one.txt', '1'], ['a/b/two.txt', '22'], ['top.txt', 'top']]) {
      assert.equal((await call('PUT', `${base}/${root}/${path}`, body)).status, 200);
    }
    const listed = await call('GET', `${base}?path=${encodeURIComponent(`${root}/a`)}`);
    assert.deepEqual(listed.json, { files: [{ path: 'b', is_dir: true }, { path: 'one.txt', is_dir: false, file_size: 1 }] });
    assert.deepEqual((await call('GET', `${base}?path=${encodeURIComponent(`${root}/top.txt`)}`)).json, {}, 'a file lists as {} like MLflow');
    const runScoped = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=a`);
    assert.equal(runScoped.json.root_uri, `mlflow-artifacts:/${root}`);
    assert.deepEqual(runScoped.json.files, [{ path: 'a/b', is_dir: true }, { path: 'a/one.txt', is_dir: false, file_size: 1 }]);
    assert.equal((await call('DELETE', `${base}/${root}/a`)).status, 200);
    expectError(await call('GET', `${base}/${root}/a/one.txt`), 404, 'RESOURCE_DOES_NOT_EXIST');
    assert.deepEqual((await call('GET', `${base}?path=${encodeURIComponent(`${root}/a`)}`)).json, {});
  });

  it('no combination of wrongly typed fields makes any tracking endpoint answer 5xx', async () => {
    const model = (await call('POST', '/api/2.0/mlflow/logged-models', { experiment_id: expId, name: 'fuzz' })).json.model.info.model_id;
    const endpoints: Array<[string, string, string[]]> = [
      ['POST', '/api/2.0/mlflow/experiments/create', ['name', 'artifact_location', 'tags']],
      ['GET', '/api/2.0/mlflow/experiments/get', ['experiment_id']],
      ['GET', '/api/2.0/mlflow/experiments/get-by-name', ['experiment_name']],
      ['POST', '/api/2.0/mlflow/experiments/update', ['experiment_id', 'new_name']],
      ['POST', '/api/2.0/mlflow/experiments/set-experiment-tag', ['experiment_id', 'key', 'value']],
      ['POST', '/api/2.0/mlflow/experiments/search', ['filter', 'max_results', 'order_by', 'page_token', 'view_type']],
      ['POST', '/api/2.0/mlflow/runs/create', ['experiment_id', 'start_time', 'tags', 'run_name', 'user_id']],
      ['GET', '/api/2.0/mlflow/runs/get', ['run_id']],
      ['POST', '/api/2.0/mlflow/runs/update', ['run_id', 'status', 'end_time', 'run_name']],
      ['POST', '/api/2.0/mlflow/runs/log-metric', ['run_id', 'key', 'value', 'timestamp', 'step', 'model_id']],
      ['POST', '/api/2.0/mlflow/runs/log-parameter', ['run_id', 'key', 'value']],
      ['POST', '/api/2.0/mlflow/runs/set-tag', ['run_id', 'key', 'value']],
      ['POST', '/api/2.0/mlflow/runs/delete-tag', ['run_id', 'key']],
      ['POST', '/api/2.0/mlflow/runs/log-batch', ['run_id', 'metrics', 'params', 'tags']],
      ['POST', '/api/2.0/mlflow/runs/log-inputs', ['run_id', 'datasets', 'models']],
      ['POST', '/api/2.0/mlflow/runs/outputs', ['run_id', 'models']],
      ['POST', '/api/2.0/mlflow/runs/search', ['experiment_ids', 'filter', 'max_results', 'order_by', 'page_token', 'run_view_type']],
      ['GET', '/api/2.0/mlflow/metrics/get-history', ['run_id', 'metric_key', 'max_results', 'page_token']],
      ['GET', '/api/2.0/mlflow/metrics/get-history-bulk-interval', ['run_ids', 'metric_key', 'max_results', 'start_step', 'end_step']],
      ['GET', '/api/2.0/mlflow/artifacts/list', ['run_id', 'path']],
      ['POST', '/api/2.0/mlflow/logged-models', ['experiment_id', 'name', 'source_run_id', 'params', 'tags']],
      ['POST', '/api/2.0/mlflow/logged-models/search', ['experiment_ids', 'filter', 'order_by', 'max_results', 'page_token']],
      ['PATCH', `/api/2.0/mlflow/logged-models/${model}`, ['status']],
      ['PATCH', `/api/2.0/mlflow/logged-models/${model}/tags`, ['tags']],
      ['POST', `/api/2.0/mlflow/logged-models/${model}/params`, ['params']],
      ['POST', '/api/v1/runs/search', ['experiment_ids', 'filter', 'max_results', 'order_by']],
      ['POST', `/api/v1/runs/${runId}/log`, ['metrics', 'params', 'tags']],
    ];
    const valid: Record<string, unknown> = { run_id: runId, experiment_id: expId, key: 'k', value: 'v', timestamp: 1, metric_key: 'm', experiment_ids: [expId] };
    const bad: unknown[] = [null, 7, -1, 1.5, 1e300, '99999999999999999999', 'x', '', 'NaN', '\u00e9\u00e9', [], [1], [{}], [{ key: 1, value: [] }], {}, { a: 1 }, true, 'a'.repeat(10_000)];
    const failures: string[] = [];
    for (const [method, path, fields] of endpoints) {
      for (const field of fields) {
        for (const v of bad) {
          let r: { status: number; json: any };
          if (method === 'GET') {
            const q = new URLSearchParams();
            for (const [k, val] of Object.entries({ ...valid, [field]: v })) {
              for (const item of Array.isArray(val) ? val : [val]) q.append(k, typeof item === 'object' ? JSON.stringify(item) : String(item));
            }
            r = await call('GET', `${path}?${q}`);
          } else {
            r = await call(method, path, { ...valid, [field]: v });
          }
          if (r.status >= 500) failures.push(`${method} ${path} ${field}=${JSON.stringify(v).slice(0, 40)} → ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it('unknown endpoints are 404 ENDPOINT_NOT_FOUND', async () => {
    expectError(await call('GET', '/api/2.0/mlflow/runs/teleport'), 404, 'ENDPOINT_NOT_FOUND');
  });
});
