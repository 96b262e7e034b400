import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipMapClassifier } from '../serving/onnx/onnx-test-models.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

function startServe(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'serve', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((res, rej) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => rej(new Error(`pharos serve did not start: ${err}`)), 60_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) (clearTimeout(timer), res({ child, url: m[1] }));
    });
    child.once('exit', (code) => (clearTimeout(timer), rej(new Error(`pharos serve exited ${code}: ${err}`))));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

const counted = (metrics: string) =>
  [...metrics.matchAll(/^pharos_serving_requests_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);

test('pharos serve --processes 2: every process answers, and one /metrics scrape counts them all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-serve-cluster-'));
  const model = join(dir, 'clf.onnx');
  writeFileSync(model, zipMapClassifier({ classLabels: ['no', 'yes'] }));
  const { child, url } = await startServe([model, '--name', 'clf', '--processes', '2', '--port', '0']);
  try {
    const body = JSON.stringify({ dataframe_split: { columns: ['a', 'b'], data: [[0, 0]] } });
    const n = 60;
    // A connection each, so both processes get about half (the primary deals connections round-robin): a
    // scrape of one process alone would count about n / 2.
    const answers = await Promise.all(
      Array.from({ length: n }, async () => {
        const r = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body });
        return { status: r.status, json: (await r.json()) as { predictions: Array<{ label: number }> } };
      }),
    );
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    assert.equal(answers[0].json.predictions[0].label, 0);
    // Each scrape reaches one process or the other (connection: close): each must see the whole cluster.
    for (let i = 0; i < 6; i++) {
      const text = await fetch(`${url}/metrics`, { headers: { connection: 'close' } }).then((r) => r.text());
      assert.equal(counted(text), n, 'the scrape sums the requests of both processes');
      assert.match(text, /pharos_serving_batch_rows_count\{deployment="clf",version="1"\} \d+/);
    }
  } finally {
    assert.equal(await stop(child), 0);
  }
});

test('pharos serve --processes refuses what is not a process count', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'serve', 'x.onnx', '--processes', 'many'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const code = await new Promise((r) => child.once('exit', r));
  assert.notEqual(code, 0);
  assert.match(err, /--processes must be 'auto' or a whole number from 1, got 'many'/);
});
