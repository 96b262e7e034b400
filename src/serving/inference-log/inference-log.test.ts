import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceLogReader, InferenceLogWriter, type InferenceLogEntry } from './inference-log.ts';

function entry(deployment: string, timestampMs: number, rows: number, requestId = `r${timestampMs}`): InferenceLogEntry {
  return {
    timestampMs,
    requestId,
    deployment,
    modelName: 'churn',
    modelVersion: '7',
    modelUri: 'models:/churn@champion',
    role: 'stable',
    latencyMs: 1.5,
    rows,
    expand: () => ({
      features: Array.from({ length: rows }, (_, i) => ({ age: 30 + i, city: 'Oslo' })),
      predictions: Array.from({ length: rows }, (_, i) => i % 2),
    }),
  };
}

test('rows written in segments are read back by deployment, time window and count', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-ilog-'));
  const w = new InferenceLogWriter(dir, { flushIntervalMs: 60_000 });
  w.record(entry('churn', 1000, 2));
  w.record(entry('churn', 2000, 1));
  w.record(entry('fraud', 1500, 1));
  await w.flush();
  w.record(entry('churn', 3000, 3));
  await w.flush();
  const r = new InferenceLogReader(dir);
  assert.deepEqual(await r.deployments(), ['churn', 'fraud']);
  assert.equal((await r.segments({ deployment: 'churn' })).length, 2);
  const all = await r.read({ deployment: 'churn' });
  assert.equal(all.length, 6);
  assert.deepEqual(all[0], {
    timestampMs: 1000, requestId: 'r1000', rowIndex: 0, deployment: 'churn', modelName: 'churn', modelVersion: '7',
    modelUri: 'models:/churn@champion', role: 'stable', latencyMs: 1.5, features: { age: 30, city: 'Oslo' }, prediction: 0,
  });
  assert.deepEqual((await r.read({ deployment: 'churn', fromMs: 1500, toMs: 3000 })).map((x) => x.timestampMs), [2000]);
  // The time window skips segments by their names: the second segment alone holds 3000.
  assert.equal((await r.segments({ deployment: 'churn', fromMs: 2500 })).length, 1);
  assert.deepEqual((await r.read({ deployment: 'churn', last: 4 })).map((x) => `${x.timestampMs}/${x.rowIndex}`), ['2000/0', '3000/0', '3000/1', '3000/2']);
  assert.equal((await r.read({})).length, 7);
  assert.equal(await r.count({ deployment: 'fraud' }), 1);
  let batches = 0;
  for await (const rows of r.scan({ deployment: 'churn' })) batches += rows.length > 0 ? 1 : 0;
  assert.equal(batches, 2);
});

test('a full queue drops and counts instead of growing or throwing; sampling skips requests', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-ilog-'));
  const w = new InferenceLogWriter(dir, { queueCapacityRows: 5, flushRows: 1000, flushIntervalMs: 60_000 });
  for (let i = 0; i < 4; i++) w.record(entry('churn', 1000 + i, 2));
  assert.equal(w.stats().queuedRows, 4);
  assert.equal(w.dropped, 4);
  await w.flush();
  assert.equal(w.written, 4);
  const sampled = new InferenceLogWriter(dir, { sampleRate: 0 });
  sampled.record(entry('churn', 5000, 1));
  assert.equal(sampled.sampledOut, 1);
  await sampled.flush();
  assert.equal(await new InferenceLogReader(dir).count({ deployment: 'churn' }), 4);
});

test('an entry whose rows cannot be built is dropped, not thrown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-ilog-'));
  const w = new InferenceLogWriter(dir);
  w.record({ ...entry('churn', 1, 1), expand: () => { throw new Error('boom'); } });
  w.record(entry('churn', 2, 1));
  await w.flush();
  assert.equal(w.dropped, 1);
  assert.equal(await new InferenceLogReader(dir).count(), 1);
});
