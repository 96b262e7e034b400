import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startPharosServer, type RunningServer } from '../support/server.ts';

/**
 * The ground rule "a crash, a kill -9 or a full disk never corrupts the stores", checked on a real server
 * process with its real SQLite file and artifact folder.
 */

async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, json };
}

async function putArtifact(url: string, path: string, data: Buffer): Promise<number> {
  const r = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${path}`, { method: 'PUT', body: data });
  await r.arrayBuffer();
  return r.status;
}

async function newRun(url: string, name: string): Promise<{ expId: string; runId: string }> {
  const exp = await call(url, 'POST', '/api/2.0/mlflow/experiments/create', { name });
  assert.equal(exp.status, 200, JSON.stringify(exp.json));
  const run = await call(url, 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp.json.experiment_id, start_time: Date.now() });
  assert.equal(run.status, 200, JSON.stringify(run.json));
  return { expId: exp.json.experiment_id, runId: run.json.run.info.run_id };
}

const STEPS = 200;
const batch = (runId: string, i: number) => ({
  run_id: runId,
  metrics: Array.from({ length: STEPS }, (_, step) => ({ key: `m${i}`, value: i + step / 1000, timestamp: 1_700_000_000_000 + step, step })),
});

async function historyLength(url: string, runId: string, key: string): Promise<number> {
  const r = await call(url, 'GET', `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=${key}&max_results=25000`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return (r.json.metrics ?? []).length;
}

function integrityCheck(dbFile: string): string {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
  } finally {
    db.close();
  }
}

describe('crash safety of the embedded stores', () => {
  const servers: RunningServer[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
  });

  it('kill -9 under write load loses no acknowledged write and leaves no half-written batch or artifact', async () => {
    const first = await startPharosServer();
    servers.push(first);
    const { expId, runId } = await newRun(first.url, 'crash');

    const acked = new Set<number>();
    const attempted = new Set<number>();
    const artifacts = new Map<string, string>(); // acknowledged name → sha256
    let next = 0;
    let dead = false;
    const metricWriter = async () => {
      while (!dead) {
        const i = next++;
        attempted.add(i);
        try {
          const r = await call(first.url, 'POST', '/api/2.0/mlflow/runs/log-batch', batch(runId, i));
          if (r.status === 200) acked.add(i);
        } catch {
          return; // the server died under us
        }
      }
    };
    let a = 0;
    const artifactWriter = async () => {
      while (!dead) {
        const name = `blob-${a++}.bin`;
        const data = randomBytes(512 * 1024);
        try {
          const status = await putArtifact(first.url, `${expId}/${runId}/artifacts/${name}`, data);
          if (status === 200) artifacts.set(name, createHash('sha256').update(data).digest('hex'));
        } catch {
          return;
        }
      }
    };
    const writers = [...Array.from({ length: 6 }, metricWriter), artifactWriter(), artifactWriter()];
    // Kill once a fair amount is acknowledged, so the kill lands in the middle of steady writing.
    const deadline = Date.now() + 30_000;
    while ((acked.size < 30 || artifacts.size < 4) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise((r) => first.process.once('exit', r));
    first.process.kill('SIGKILL');
    await exited;
    dead = true;
    await Promise.all(writers);
    assert.ok(acked.size >= 30, `only ${acked.size} batches were acknowledged before the kill`);

    const second = await startPharosServer({ dataDir: first.dataDir });
    servers.push(second);
    // Every acknowledged batch is there whole; every other attempted batch is there whole or not at all.
    for (const i of attempted) {
      const n = await historyLength(second.url, runId, `m${i}`);
      if (acked.has(i)) assert.equal(n, STEPS, `acknowledged batch ${i} has ${n} of ${STEPS} points after the kill`);
      else assert.ok(n === 0 || n === STEPS, `unacknowledged batch ${i} is half there: ${n} of ${STEPS} points`);
    }
    const listed = await call(second.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts?path=${expId}/${runId}/artifacts`);
    assert.equal(listed.status, 200);
    const files: { path: string; file_size?: number }[] = listed.json.files ?? [];
    for (const f of files) {
      assert.doesNotMatch(f.path, /\.tmp-/, 'a temp file is visible after the crash');
      assert.equal(Number(f.file_size), 512 * 1024, `${f.path} is ${f.file_size} bytes: a partial artifact is visible`);
    }
    for (const [name, sha] of artifacts) {
      const r = await fetch(`${second.url}/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/${name}`);
      assert.equal(r.status, 200, `acknowledged artifact ${name} is missing after the kill`);
      assert.equal(createHash('sha256').update(Buffer.from(await r.arrayBuffer())).digest('hex'), sha, `${name} differs`);
    }
    // The store keeps working after the restart, and the file is sound.
    assert.equal((await call(second.url, 'POST', '/api/2.0/mlflow/runs/log-batch', batch(runId, 100_000))).status, 200);
    await second.stop();
    assert.equal(integrityCheck(join(first.dataDir, 'pharos.db')), 'ok');
  });

  it('a full disk answers 507 RESOURCE_EXHAUSTED, keeps serving reads, corrupts nothing, and recovers once space is freed', async (t) => {
    // A small tmpfs is a real full disk (ENOSPC / SQLITE_FULL). Mounting one needs root, which the CI machine has.
    const mountPoint = mkdtempSync(join(tmpdir(), 'pharos-full-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      rmSync(mountPoint, { recursive: true, force: true });
      t.skip('cannot mount a tmpfs here (needs root)');
      return;
    }
    let server: RunningServer | undefined;
    try {
      const filler = join(mountPoint, 'filler.bin');
      writeFileSync(filler, Buffer.alloc(6 * 1024 * 1024, 1));
      const dataDir = join(mountPoint, 'data');
      mkdirSync(dataDir);
      server = await startPharosServer({ dataDir });
      const { expId, runId } = await newRun(server.url, 'full-disk');

      // Fill the disk with metrics until the store refuses.
      let refusal: { status: number; json: any } | undefined;
      let i = 0;
      for (; i < 5000 && !refusal; i++) {
        const r = await call(server.url, 'POST', '/api/2.0/mlflow/runs/log-batch', batch(runId, i));
        if (r.status !== 200) refusal = r;
      }
      assert.ok(refusal, 'the disk never filled up');
      assert.equal(refusal.status, 507, JSON.stringify(refusal.json));
      assert.equal(refusal.json.error_code, 'RESOURCE_EXHAUSTED');
      assert.match(refusal.json.message, /storage is full/);
      const refused = i - 1;
      // Artifacts are refused the same way, and no partial file is left behind.
      const big = randomBytes(3 * 1024 * 1024);
      assert.equal(await putArtifact(server.url, `${expId}/${runId}/artifacts/big.bin`, big), 507);
      const listed = await call(server.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts?path=${expId}/${runId}/artifacts`);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.json.files ?? [], []);

      // Still alive, reads still work, and the refused batch left nothing behind.
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
      assert.equal(await historyLength(server.url, runId, 'm0'), STEPS);
      assert.equal(await historyLength(server.url, runId, `m${refused}`), 0);

      // Free space: the same writes now succeed.
      rmSync(filler);
      const retry = await call(server.url, 'POST', '/api/2.0/mlflow/runs/log-batch', batch(runId, refused));
      assert.equal(retry.status, 200, JSON.stringify(retry.json));
      assert.equal(await historyLength(server.url, runId, `m${refused}`), STEPS);
      assert.equal(await putArtifact(server.url, `${expId}/${runId}/artifacts/big.bin`, big), 200);
      await server.stop();
      server = undefined;
      assert.equal(integrityCheck(join(dataDir, 'pharos.db')), 'ok');
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- server log (tail)\n${server?.stderr().slice(-3000)}`, { cause: e });
    } finally {
      await server?.stop();
      execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});
