/**
 * The registry's MLflow REST surface under bad input: every mistake is a precise 4xx with MLflow's
 * `{error_code, message}` body (the mlflow client retries 5xx for minutes, so a 5xx here is a hang there).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPharosServer, type RunningServer } from '../support/server.ts';

/** SQLite always; PostgreSQL too when PHAROS_TEST_PG_URI is set (it is stricter: NUL bytes, column widths, int32). */
const backends: Array<{ name: string; args: () => Promise<string[]> }> = [{ name: 'sqlite', args: async () => [] }];
if (process.env.PHAROS_TEST_PG_URI) {
  backends.push({
    name: 'postgres',
    args: async () => {
      const admin = process.env.PHAROS_TEST_PG_URI!;
      const db = `t_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${db}`);
      } finally {
        await client.end();
      }
      const u = new URL(admin);
      u.pathname = `/${db}`;
      return ['--backend-store-uri', u.toString()];
    },
  });
}

let server: RunningServer;

async function call(method: string, path: string, body?: unknown, query?: Record<string, string | string[]>) {
  const url = new URL(`${server.url}/api/2.0/mlflow${path}`);
  for (const [k, v] of Object.entries(query ?? {})) for (const item of [v].flat()) url.searchParams.append(k, item);
  const res = await fetch(url, {
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
  return { status: res.status, body: json };
}

async function expectError(p: ReturnType<typeof call>, status: number, code: string, message?: RegExp) {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error_code, code, JSON.stringify(r.body));
  if (message) assert.match(r.body.message, message);
}

for (const backend of backends) describe(`registry HTTP errors (MLflow API, ${backend.name})`, () => {
  before(async () => {
    server = await startPharosServer({ args: await backend.args() });
    const r = await call('POST', '/registered-models/create', { name: 'm', tags: [{ key: 't', value: 'v' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const v = await call('POST', '/model-versions/create', { name: 'm', source: 's3://bucket/path/model' });
    assert.equal(v.status, 200, JSON.stringify(v.body));
    assert.equal(v.body.model_version.version, '1');
    assert.equal(v.body.model_version.status, 'READY');
  });
  after(async () => server?.stop());

  it('answers missing and mistyped parameters with INVALID_PARAMETER_VALUE', async () => {
    await expectError(call('POST', '/registered-models/create', {}), 400, 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'name'/);
    await expectError(call('POST', '/registered-models/create', { name: 5 }), 400, 'INVALID_PARAMETER_VALUE');
    await expectError(call('POST', '/registered-models/create', { name: ['a'] }), 400, 'INVALID_PARAMETER_VALUE', /Hint/);
    await expectError(call('POST', '/registered-models/create', { name: 'x', tags: 'nope' }), 400, 'INVALID_PARAMETER_VALUE');
    await expectError(call('POST', '/registered-models/create', { name: 'x', tags: [{ value: 'no key' }] }), 400, 'INVALID_PARAMETER_VALUE');
    await expectError(call('POST', '/registered-models/create', { name: 'a:b' }), 400, 'INVALID_PARAMETER_VALUE', /cannot contain/);
    await expectError(call('GET', '/registered-models/get'), 400, 'INVALID_PARAMETER_VALUE', /'name'/);
    await expectError(call('GET', '/model-versions/get', undefined, { name: 'm', version: 'one' }), 400, 'INVALID_PARAMETER_VALUE', /must be an integer/);
    await expectError(call('POST', '/model-versions/create', { name: 'm' }), 400, 'INVALID_PARAMETER_VALUE', /'source'/);
    await expectError(call('POST', '/model-versions/transition-stage', { name: 'm', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /'stage'/);
    await expectError(
      call('POST', '/model-versions/transition-stage', { name: 'm', version: '1', stage: 'Production', archive_existing_versions: 'maybe' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    await expectError(call('GET', '/registered-models/search', undefined, { max_results: 'lots' }), 400, 'INVALID_PARAMETER_VALUE');
    await expectError(call('GET', '/registered-models/search', undefined, { max_results: '1001' }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000/);
    await expectError(call('GET', '/model-versions/search', undefined, { max_results: '200001' }), 400, 'INVALID_PARAMETER_VALUE');
  });

  it('answers malformed bodies with 400, never 5xx', async () => {
    const r = await call('POST', '/registered-models/create', '{"name": ');
    assert.equal(r.status, 400);
    assert.ok(r.body.error_code);
    const arr = await call('POST', '/registered-models/create', '[1,2]');
    assert.equal(arr.status, 400, JSON.stringify(arr.body));
  });

  it('answers unknown models, versions and aliases with MLflow codes', async () => {
    await expectError(call('GET', '/registered-models/get', undefined, { name: 'ghost' }), 404, 'RESOURCE_DOES_NOT_EXIST', /Registered Model with name=ghost not found/);
    await expectError(call('GET', '/model-versions/get', undefined, { name: 'm', version: '9' }), 404, 'RESOURCE_DOES_NOT_EXIST', /version=9/);
    await expectError(call('DELETE', '/registered-models/delete', { name: 'ghost' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    await expectError(call('DELETE', '/model-versions/delete', { name: 'm', version: '9' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    await expectError(call('POST', '/model-versions/create', { name: 'ghost', source: 's3://b/m' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    await expectError(call('GET', '/model-versions/get-download-uri', undefined, { name: 'm', version: '9' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    await expectError(call('GET', '/registered-models/alias', undefined, { name: 'm', alias: 'nobody' }), 400, 'INVALID_PARAMETER_VALUE', /alias nobody not found/);
    await expectError(call('POST', '/registered-models/get-latest-versions', { name: 'ghost' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    await expectError(call('POST', '/registered-models/set-tag', { name: 'ghost', key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    await expectError(call('POST', '/model-versions/set-tag', { name: 'm', version: '9', key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('refuses duplicates, bad stages, reserved aliases and unsafe sources', async () => {
    await expectError(call('POST', '/registered-models/create', { name: 'm' }), 400, 'RESOURCE_ALREADY_EXISTS', /already exists/);
    await call('POST', '/registered-models/create', { name: 'other' });
    await expectError(call('POST', '/registered-models/rename', { name: 'm', new_name: 'other' }), 400, 'RESOURCE_ALREADY_EXISTS');
    await expectError(call('POST', '/registered-models/rename', { name: 'm' }), 400, 'INVALID_PARAMETER_VALUE', /new_name/);
    await expectError(call('POST', '/model-versions/transition-stage', { name: 'm', version: '1', stage: 'Live' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage/);
    await expectError(
      call('POST', '/model-versions/transition-stage', { name: 'm', version: '1', stage: 'None', archive_existing_versions: true }),
      400,
      'INVALID_PARAMETER_VALUE',
      /not an Active stage/,
    );
    await expectError(call('POST', '/registered-models/alias', { name: 'm', alias: 'Latest', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /reserved/);
    await expectError(call('POST', '/registered-models/alias', { name: 'm', alias: 'v1', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /reserved/);
    await expectError(call('POST', '/registered-models/alias', { name: 'm', alias: 'a.b', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid alias name/);
    await expectError(call('POST', '/registered-models/alias', { name: 'm', alias: 'champ', version: '7' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    await expectError(call('POST', '/model-versions/create', { name: 'm', source: '/etc/passwd' }), 400, 'INVALID_PARAMETER_VALUE', /local path/);
    await expectError(call('POST', '/model-versions/create', { name: 'm', source: 'file:///etc' }), 400, 'INVALID_PARAMETER_VALUE');
    await expectError(call('POST', '/model-versions/create', { name: 'm', source: 's3://b/x/%2e%2e/%2e%2e/y' }), 400, 'INVALID_PARAMETER_VALUE', /relative path/);
    await expectError(call('POST', '/model-versions/create', { name: 'm', source: 'mlflow-artifacts:/1/abc/artifacts/model' }), 400, 'INVALID_PARAMETER_VALUE', /run_id/);
    await expectError(call('POST', '/model-versions/create', { name: 'm', source: 'runs:/abc/model', run_id: 'abc' }), 400, 'INVALID_PARAMETER_VALUE', /run_id/);
    await expectError(call('POST', '/model-versions/create', { name: 'm', source: 'models:/m-doesnotexist' }), 400, 'INVALID_PARAMETER_VALUE', /model_id/);
    await expectError(call('POST', '/model-versions/create', { name: 'm', source: 'models:/a/b/c' }), 400, 'INVALID_PARAMETER_VALUE');
    await expectError(call('POST', '/registered-models/create', { name: 'bad\u0000name' }), 400, 'INVALID_PARAMETER_VALUE', /NUL/);
    await expectError(call('POST', '/model-versions/create', { name: 'm', source: 's3://b/' + 'x'.repeat(2000) }), 400, 'INVALID_PARAMETER_VALUE', /maximum length/);
    await expectError(call('POST', '/model-versions/create', { name: 'm', source: 's3://b/m', run_id: 'x'.repeat(40) }), 400, 'INVALID_PARAMETER_VALUE', /run ID/);
    await expectError(call('GET', '/model-versions/get', undefined, { name: 'm', version: '99999999999' }), 400, 'INVALID_PARAMETER_VALUE', /out of range/);
    await expectError(call('PATCH', '/model-versions/update', { name: 'm', version: '1', description: 'a\u0000' }), 400, 'INVALID_PARAMETER_VALUE', /NUL/);
    await expectError(call('POST', '/registered-models/create', { name: 'n'.repeat(300) }), 400, 'INVALID_PARAMETER_VALUE', /maximum length/);
    const tooLong = 'x'.repeat(251);
    await expectError(call('POST', '/model-versions/set-tag', { name: 'm', version: '1', key: tooLong, value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /maximum length/);
  });

  it('answers the same on the ajax prefix and GET with query parameters', async () => {
    const r = await fetch(`${server.url}/ajax-api/2.0/mlflow/registered-models/get?name=m`);
    assert.equal(r.status, 200);
    const body: any = await r.json();
    assert.equal(body.registered_model.name, 'm');
    assert.deepEqual(body.registered_model.tags, [{ key: 't', value: 'v' }]);
    const latest = await call('GET', '/registered-models/get-latest-versions', undefined, { name: 'm', stages: ['None', 'staging'] });
    assert.equal(latest.status, 200);
    assert.deepEqual(latest.body.model_versions.map((v: any) => v.version), ['1']);
    const missing = await fetch(`${server.url}/api/2.0/mlflow/registered-models/nonsense`);
    assert.equal(missing.status, 404);
  });

  it('never answers 5xx whatever type each parameter has', async () => {
    const endpoints: Array<[string, string, string[]]> = [
      ['POST', '/registered-models/create', ['name', 'tags', 'description']],
      ['POST', '/registered-models/rename', ['name', 'new_name']],
      ['PATCH', '/registered-models/update', ['name', 'description']],
      ['GET', '/registered-models/get', ['name']],
      ['GET', '/registered-models/search', ['filter', 'max_results', 'order_by', 'page_token']],
      ['POST', '/registered-models/get-latest-versions', ['name', 'stages']],
      ['POST', '/registered-models/set-tag', ['name', 'key', 'value']],
      ['DELETE', '/registered-models/delete-tag', ['name', 'key']],
      ['POST', '/registered-models/alias', ['name', 'alias', 'version']],
      ['GET', '/registered-models/alias', ['name', 'alias']],
      ['DELETE', '/registered-models/alias', ['name', 'alias']],
      ['POST', '/model-versions/create', ['name', 'source', 'run_id', 'model_id', 'tags', 'run_link', 'description']],
      ['GET', '/model-versions/get', ['name', 'version']],
      ['PATCH', '/model-versions/update', ['name', 'version', 'description']],
      ['GET', '/model-versions/search', ['filter', 'max_results', 'order_by', 'page_token']],
      ['GET', '/model-versions/get-download-uri', ['name', 'version']],
      ['POST', '/model-versions/transition-stage', ['name', 'version', 'stage', 'archive_existing_versions']],
      ['POST', '/model-versions/set-tag', ['name', 'version', 'key', 'value']],
      ['DELETE', '/model-versions/delete-tag', ['name', 'version', 'key']],
      ['DELETE', '/model-versions/delete', ['name', 'version']],
    ];
    const odd: unknown[] = [null, 0, -1, 1.5, true, [], ['a'], {}, { key: 1 }, [{ key: 'k', value: 2 }], '', '%00', '../x', 'x'.repeat(5000), '\u0000', 'models:/m@'];
    const valid: Record<string, unknown> = { name: 'm', version: '1', key: 'k', value: 'v', alias: 'a1', source: 's3://b/m', stage: 'Staging', new_name: 'm2' };
    for (const [method, path, params] of endpoints) {
      for (const param of params) {
        for (const value of odd) {
          const body: Record<string, unknown> = {};
          for (const p of params) if (valid[p] !== undefined) body[p] = valid[p];
          body[param] = value;
          const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
          const r =
            method === 'GET'
              ? await call(method, path, undefined, Object.fromEntries(Object.entries(body).map(([k, v]) => [k, Array.isArray(v) ? v.map(asText) : asText(v)])))
              : await call(method, path, body);
          assert.ok(r.status < 500, `${method} ${path} ${param}=${JSON.stringify(value)?.slice(0, 40)} -> ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
          if (r.status >= 400) assert.ok(r.body.error_code && r.body.message, JSON.stringify(r.body));
        }
      }
    }
  });
});
