import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { createPharos, type Pharos } from '../app.ts';
import { buildServer } from '../server/index.ts';
import { PharosClient, TrackingClientError } from './index.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** The native /api/v1 tracking API through the TypeScript client, and the CLI on top of it, against an in-process server. */
describe('TrackingClient + native tracking API + CLI', () => {
  let pharos: Pharos;
  let app: FastifyInstance;
  let client: PharosClient;
  let url: string;

  before(async () => {
    pharos = await createPharos({ dataDir: mkdtempSync(join(tmpdir(), 'pharos-client-')) });
    app = await buildServer(pharos);
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    client = new PharosClient(url);
  });
  after(async () => {
    await app?.close();
    await pharos?.close();
  });

  it('creates experiments and runs, logs a batch, reads history and searches', async () => {
    const exp = await client.tracking.createExperiment('native-exp', { tags: { team: 'core' } });
    assert.equal(exp.artifact_location, `mlflow-artifacts:/${exp.experiment_id}`);
    assert.deepEqual(exp.tags, { team: 'core' });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const r = await client.tracking.createRun({ experimentId: exp.experiment_id, runName: `r${i}` });
      await client.tracking.log(r.run_id, {
        metrics: [
          { key: 'acc', value: 0.5 + i / 10, step: 0, timestamp: 1000 },
          { key: 'acc', value: 0.6 + i / 10, step: 1, timestamp: 2000 },
          { key: 'odd', value: NaN, step: 0 },
        ],
        params: { depth: String(i) },
        tags: { kind: i % 2 ? 'odd' : 'even' },
      });
      runs.push(r);
    }
    const got = await client.tracking.getRun(runs[2].run_id);
    assert.equal(got.metrics.acc, 0.8);
    assert.equal(got.metrics.odd, null, 'NaN is null in the native API');
    assert.deepEqual(got.params, { depth: '2' });
    const history = await client.tracking.metricHistory(runs[2].run_id, 'acc', { maxResults: 1 });
    assert.deepEqual(history.items.map((p) => [p.step, p.value]), [[0, 0.7]]);
    const rest = await client.tracking.metricHistory(runs[2].run_id, 'acc', { maxResults: 1, pageToken: history.nextPageToken });
    assert.deepEqual(rest.items.map((p) => [p.step, p.value]), [[1, 0.8]]);
    const found = await client.tracking.searchRuns({ experimentIds: [exp.experiment_id], filter: "tags.kind = 'even'", orderBy: ['metrics.acc DESC'] });
    assert.deepEqual(found.items.map((r) => r.run_name), ['r2', 'r0']);
    const finished = await client.tracking.updateRun(runs[0].run_id, { status: 'FINISHED', endTime: Date.now() });
    assert.equal(finished.status, 'FINISHED');
    await client.tracking.deleteRun(runs[1].run_id);
    const active = await client.tracking.searchRuns({ experimentIds: [exp.experiment_id] });
    assert.equal(active.items.length, 2);
    assert.equal((await client.tracking.restoreRun(runs[1].run_id)).lifecycle_stage, 'active');
  });

  it('uploads, lists and downloads run artifacts through the proxied artifact API', async () => {
    const r = await client.tracking.createRun({ runName: 'with-artifacts' });
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 256);
    await client.tracking.uploadArtifact(r.run_id, 'model/model.onnx', bytes);
    await client.tracking.uploadArtifact(r.run_id, 'notes name.txt', 'héllo');
    assert.deepEqual(Buffer.from(await client.tracking.downloadArtifact(r.run_id, 'model/model.onnx')), Buffer.from(bytes));
    assert.equal((await client.tracking.downloadArtifact(r.run_id, 'notes name.txt')).toString('utf8'), 'héllo');
    const listed = await client.tracking.listArtifacts(r.run_id);
    assert.deepEqual(listed.files.map((f) => [f.path, f.is_dir]), [['model', true], ['notes name.txt', false]]);
    await assert.rejects(client.tracking.downloadArtifact(r.run_id, 'missing.bin'), (e: unknown) => e instanceof TrackingClientError && e.status === 404);
  });

  it('surfaces server errors with their MLflow error codes', async () => {
    await assert.rejects(client.tracking.getRun('0123456789abcdef0123456789abcdef'), (e: unknown) => {
      assert.ok(e instanceof TrackingClientError);
      assert.equal(e.status, 404);
      assert.equal(e.code, 'RESOURCE_DOES_NOT_EXIST');
      return true;
    });
    await assert.rejects(client.tracking.createExperiment('native-exp'), (e: unknown) => e instanceof TrackingClientError && e.code === 'RESOURCE_ALREADY_EXISTS');
    const r = await client.tracking.createRun();
    await assert.rejects(
      client.tracking.log(r.run_id, { params: { p: 'x'.repeat(6001) } }),
      (e: unknown) => e instanceof TrackingClientError && e.status === 400 && /6000/.test(e.message),
    );
  });

  it('documents the native tracking routes in /openapi.json', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const path of ['/api/v1/experiments', '/api/v1/experiments/{id}', '/api/v1/runs', '/api/v1/runs/search', '/api/v1/runs/{id}', '/api/v1/runs/{id}/metrics/{key}/history']) {
      assert.ok(doc.paths[path], `${path} missing from /openapi.json`);
    }
    assert.ok(doc.paths['/api/v1/runs/search'].post);
    assert.ok(doc.paths['/api/2.0/mlflow/runs/log-batch']);
    assert.equal(doc.paths['/ajax-api/2.0/mlflow/runs/log-batch'], undefined);
  });

  it('drives the CLI: experiments list/create/delete, runs list/search/get with --json and tables', async () => {
    const cli = async (...args: string[]) => (await run(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args, '--url', url], { cwd: repoRoot })).stdout;
    assert.match(await cli('experiments', 'create', 'cli-exp', '--tag', 'owner=ana'), /created experiment \d+ 'cli-exp'/);
    const listed = JSON.parse(await cli('experiments', 'list', '--json'));
    assert.ok(listed.experiments.some((e: { name: string }) => e.name === 'cli-exp'));
    const table = await cli('runs', 'list', '-e', 'native-exp');
    assert.match(table.split('\n')[0], /^RUN_ID\s+NAME\s+STATUS/);
    assert.equal(table.trim().split('\n').length, 4, 'a header and three runs');
    const searched = JSON.parse(await cli('runs', 'search', '-e', 'native-exp', '--filter', 'metrics.acc > 0.65', '--order-by', 'metrics.acc ASC', '--max-results', '1', '--json'));
    assert.deepEqual(searched.runs.map((r: { run_name: string }) => r.run_name), ['r1']);
    assert.ok(searched.next_page_token);
    const shown = await cli('runs', 'get', searched.runs[0].run_id);
    assert.match(shown, /params\nKEY\s+VALUE\ndepth\s+1/);
    const quoted = await client.tracking.createExperiment("it's 42");
    assert.equal((await client.tracking.findExperiment("it's 42")).experiment_id, quoted.experiment_id);
    assert.equal((await client.tracking.findExperiment(quoted.experiment_id)).name, "it's 42");
    assert.match(await cli('experiments', 'delete', 'cli-exp'), /deleted experiment \d+ 'cli-exp'/);
    const after = JSON.parse(await cli('experiments', 'list', '--json'));
    assert.ok(!after.experiments.some((e: { name: string }) => e.name === 'cli-exp'));
  });
});
