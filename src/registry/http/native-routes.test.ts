import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startPharosServer, repoRoot, type RunningServer } from '../../../test/support/server.ts';
import { RegistryClient, RegistryClientError } from '../../client/index.ts';

function cli(url: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args, '--url', url], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('native registry API, TS client and CLI', () => {
  let server: RunningServer;
  let client: RegistryClient;
  before(async () => {
    server = await startPharosServer();
    client = new RegistryClient(server.url);
  });
  after(async () => server?.stop());

  it('manages models, versions, stages and aliases through the client', async () => {
    const m = await client.createModel('fraud', { description: 'card fraud', tags: { team: 'risk' } });
    assert.equal(m.name, 'fraud');
    assert.deepEqual(m.tags, { team: 'risk' });
    for (let i = 0; i < 3; i++) {
      const v = await client.createVersion('fraud', { source: `s3://models/fraud/${i}`, tags: { i: String(i) } });
      assert.equal(v.version, i + 1);
      assert.equal(v.status, 'READY');
      assert.equal(v.storage_location, `s3://models/fraud/${i}`);
    }
    await client.transitionStage('fraud', 1, 'production');
    const promoted = await client.transitionStage('fraud', 2, 'Production', true);
    assert.equal(promoted.current_stage, 'Production');
    assert.equal((await client.getVersion('fraud', 1)).current_stage, 'Archived');
    const aliased = await client.setAlias('fraud', 'champion', 2);
    assert.deepEqual(aliased.aliases, ['champion']);
    assert.equal((await client.getVersionByAlias('fraud', 'champion')).version, 2);
    // An external (s3) version is the client's to fetch: the server cannot hand serving a path for it.
    await assert.rejects(client.resolveModelUri('models:/fraud@champion'), (e: unknown) => e instanceof RegistryClientError && e.code === 'INVALID_PARAMETER_VALUE' && /s3:\/\/models\/fraud\/1/.test(e.message));

    const got = await client.getModel('fraud');
    assert.deepEqual(got.aliases, { champion: 2 });
    assert.deepEqual(got.latest_versions.map((v) => [v.version, v.current_stage]), [
      [1, 'Archived'],
      [2, 'Production'],
      [3, 'None'],
    ]);
    assert.deepEqual((await client.listVersions('fraud')).map((v) => v.version), [3, 2, 1]);

    const renamed = await client.updateModel('fraud', { newName: 'fraud-v2', description: 'renamed' });
    assert.equal(renamed.name, 'fraud-v2');
    assert.equal(renamed.description, 'renamed');
    assert.deepEqual(renamed.aliases, { champion: 2 });
    await client.deleteVersion('fraud-v2', 2);
    assert.deepEqual((await client.getModel('fraud-v2')).aliases, {});
  });

  it('pages through models and reports errors with MLflow codes', async () => {
    for (const n of ['p-a', 'p-b', 'p-c']) await client.createModel(n);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.listModels({ maxResults: 2, pageToken: token });
      assert.ok(page.models.length <= 2);
      seen.push(...page.models.map((m) => m.name));
      token = page.next_page_token;
    } while (token);
    assert.deepEqual(seen.filter((n) => n.startsWith('p-')), ['p-a', 'p-b', 'p-c']);

    const err = async (p: Promise<unknown>, status: number, code: string) =>
      assert.rejects(p, (e: unknown) => e instanceof RegistryClientError && e.status === status && e.code === code);
    await err(client.getModel('ghost'), 404, 'RESOURCE_DOES_NOT_EXIST');
    await err(client.createModel('p-a'), 400, 'RESOURCE_ALREADY_EXISTS');
    await err(client.transitionStage('p-a', 1, 'Production'), 404, 'RESOURCE_DOES_NOT_EXIST');
    await err(client.getVersion('p-a', 0), 400, 'INVALID_PARAMETER_VALUE');
    await err(client.setAlias('p-a', 'x', 0), 400, 'INVALID_PARAMETER_VALUE');
    await err(client.listModels({ maxResults: 5000 }), 400, 'INVALID_PARAMETER_VALUE');
    const raw = await fetch(`${server.url}/api/v1/models`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"nam": "x"}' });
    assert.equal(raw.status, 400);
    assert.equal(((await raw.json()) as any).error_code, 'INVALID_PARAMETER_VALUE');
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc: any = await (await fetch(`${server.url}/openapi.json`)).json();
    for (const path of ['/api/v1/models', '/api/v1/models/{name}/versions', '/api/v1/models/{name}/aliases/{alias}', '/api/v1/models/{name}/versions/{version}/stage']) {
      assert.ok(doc.paths[path], `${path} in openapi.json`);
    }
  });

  it('drives the registry from the CLI, as tables and as JSON', async () => {
    await client.createModel('cli-model');
    await client.createVersion('cli-model', { source: 's3://b/cli/1' });
    await client.createVersion('cli-model', { source: 's3://b/cli/2' });
    const alias = await cli(server.url, ['models', 'set-alias', 'cli-model', 'prod', '2', '--json']);
    assert.equal(alias.code, 0, alias.stderr);
    assert.deepEqual(JSON.parse(alias.stdout).aliases, ['prod']);
    const tr = await cli(server.url, ['models', 'transition', 'cli-model', '1', 'staging', '--json']);
    assert.equal(tr.code, 0, tr.stderr);
    assert.equal(JSON.parse(tr.stdout).current_stage, 'Staging');
    const versions = await cli(server.url, ['models', 'versions', 'cli-model']);
    assert.equal(versions.code, 0, versions.stderr);
    const lines = versions.stdout.trim().split('\n');
    assert.match(lines[0], /^VERSION\s+STAGE\s+ALIASES/);
    assert.match(lines[1], /^2\s+None\s+prod/);
    assert.match(lines[2], /^1\s+Staging/);
    const list = await cli(server.url, ['models', 'list', '--json']);
    assert.ok(JSON.parse(list.stdout).models.some((m: any) => m.name === 'cli-model'));
    const get = await cli(server.url, ['models', 'get', 'cli-model']);
    assert.match(get.stdout, /aliases\s+prod=2/);
    const missing = await cli(server.url, ['models', 'get', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /not found/);
  });
});
