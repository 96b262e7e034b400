import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startPharosServer, type RunningServer } from '../../test/support/server.ts';

function pharos(args: string[], url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args, '--url', url], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('pharos labels / monitors / alerts CLI', () => {
  let server: RunningServer;
  const dir = mkdtempSync(join(tmpdir(), 'pharos-labels-cli-'));
  before(async () => {
    server = await startPharosServer();
  });
  after(async () => {
    await server.stop();
  });

  test('labels upload streams a CSV in batches; bad files fail with the line number', async () => {
    const csv = join(dir, 'labels.csv');
    writeFileSync(csv, 'request_id,label\n' + Array.from({ length: 25 }, (_, i) => `req-${i},${i % 2 ? 'yes' : '"no, really"'}`).join('\n') + '\n');
    const ok = await pharos(['labels', 'upload', csv, '--batch-size', '10', '--json'], server.url);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { stored: 25 });

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'request_id,label\nreq-1,1\nreq-2,\n');
    const failed = await pharos(['labels', 'upload', bad], server.url);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /bad\.csv:3: empty label for request req-2/);
    const noHeader = join(dir, 'nohdr.csv');
    writeFileSync(noHeader, 'id,y\na,1\n');
    assert.match((await pharos(['labels', 'upload', noHeader], server.url)).stderr, /columns request_id and label/);
    const absent = await pharos(['labels', 'upload', join(dir, 'absent.csv')], server.url);
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /^error: ENOENT: no such file or directory, open '.*absent\.csv'\n$/);
    const badBatch = await pharos(['labels', 'upload', csv, '--batch-size', 'many'], server.url);
    assert.equal(badBatch.code, 1);
    assert.match(badBatch.stderr, /--batch-size must be an integer from 1 to 100000, got 'many'/);
  });

  test('an unreachable server is named with the reason, not just "fetch failed"', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await pharos(['monitors', 'list'], `http://127.0.0.1:${port}`);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `error: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  test('monitors create / list / run / history and alerts list', async () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ task: 'binary', reference: { type: 'upload' }, window: { type: 'count', size: 100 }, alerts: [] }));
    const created = await pharos(['monitors', 'create', 'cli-watch', '--deployment', 'churn', '--spec', spec, '--json'], server.url);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).monitor.deployment, 'churn');
    const list = await pharos(['monitors', 'list'], server.url);
    assert.match(list.stdout, /^NAME\s+ID\s+DEPLOYMENT/m);
    assert.match(list.stdout, /cli-watch\s+mon-\w+\s+churn\s+true\s+last 100/);

    const refCsv = join(dir, 'reference.csv');
    writeFileSync(refCsv, 'age,city,label,prediction,score\n' + Array.from({ length: 40 }, (_, i) => `${20 + i},${i % 2 ? 'oslo' : 'rome'},${i % 2},${i % 3 ? 1 : 0},${(i % 10) / 10}`).join('\n') + '\n');
    const ref = await pharos(['monitors', 'reference', 'cli-watch', refCsv, '--json'], server.url);
    assert.equal(ref.code, 0, ref.stderr);
    assert.deepEqual(JSON.parse(ref.stdout), { rows: 40 });

    const run = await pharos(['monitors', 'run', 'cli-watch', '--json'], server.url);
    assert.equal(run.code, 0, run.stderr);
    const r = JSON.parse(run.stdout).run;
    assert.equal(r.status, 'ok', r.error);
    assert.equal(r.results.reference.rows, 40);
    assert.equal(r.results.reference.source, 'reference.csv');
    assert.equal(r.results.window.rows, 0, 'nothing served yet');
    const history = await pharos(['monitors', 'history', 'cli-watch', '--json'], server.url);
    assert.deepEqual(JSON.parse(history.stdout).runs.map((h: { id: string; status: string }) => [h.id, h.status]), [[r.id, r.status]]);
    const table = await pharos(['monitors', 'history', 'cli-watch'], server.url);
    assert.match(table.stdout, /^ID\s+STARTED\s+STATUS\s+ROWS/m);
    assert.match(table.stdout, new RegExp(`^${r.id}\\s`, "m"));

    const alerts = await pharos(['alerts', 'list', '--monitor', 'cli-watch', '--json'], server.url);
    assert.deepEqual(JSON.parse(alerts.stdout), { alerts: [] });
    const missing = await pharos(['monitors', 'run', 'nope'], server.url);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /RESOURCE_DOES_NOT_EXIST: monitor "nope" does not exist/);
  });
});
