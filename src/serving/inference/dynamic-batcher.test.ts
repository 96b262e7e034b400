import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamicBatcher } from './dynamic-batcher.ts';
import type { Tensor } from '../onnx/tensor.ts';

/** A stand-in model: doubles X, and remembers how many rows each run got. */
function doubler(runs: number[], failOn?: number) {
  return async (feeds: Record<string, Tensor>) => {
    const x = feeds.X.data as Float32Array;
    runs.push(feeds.X.shape[0]);
    await new Promise((r) => setTimeout(r, 5));
    if (failOn !== undefined && x.includes(failOn)) throw new Error(`cannot handle ${failOn}`);
    return { Y: { datatype: 'FP32' as const, shape: feeds.X.shape, data: x.map((v) => v * 2) } };
  };
}

const feeds = (...values: number[]) => ({ feeds: { X: { datatype: 'FP32' as const, shape: [values.length, 1], data: Float32Array.from(values) } }, rows: values.length });

test('concurrent requests share one run and each gets its own rows back', async () => {
  const runs: number[] = [];
  const batches: Array<[number, number]> = [];
  const b = new DynamicBatcher(doubler(runs), { maxBatchSize: 64, maxWaitMs: 20, maxConcurrentBatches: 1 }, (rows, requests) => batches.push([rows, requests]));
  const results = await Promise.all([b.submit(feeds(1)), b.submit(feeds(2, 3)), b.submit(feeds(4))]);
  assert.deepEqual(runs, [4]);
  assert.deepEqual(batches, [[4, 3]]);
  assert.deepEqual(results.map((r) => Array.from(r.Y.data as Float32Array)), [[2], [4, 6], [8]]);
  assert.deepEqual(results[1].Y.shape, [2, 1]);
});

test('batches never exceed maxBatchSize rows', async () => {
  const runs: number[] = [];
  const b = new DynamicBatcher(doubler(runs), { maxBatchSize: 3, maxWaitMs: 20, maxConcurrentBatches: 1 });
  await Promise.all([1, 2, 3, 4, 5, 6, 7].map((v) => b.submit(feeds(v))));
  assert.ok(runs.every((n) => n <= 3), `runs ${runs}`);
  assert.equal(runs.reduce((a, c) => a + c, 0), 7);
});

test('requests queue while every runner is busy and leave together', async () => {
  const runs: number[] = [];
  const b = new DynamicBatcher(doubler(runs), { maxBatchSize: 64, maxWaitMs: 0, maxConcurrentBatches: 1 });
  const first = b.submit(feeds(1));
  await new Promise((r) => setImmediate(r));
  const rest = [2, 3, 4].map((v) => b.submit(feeds(v)));
  await Promise.all([first, ...rest]);
  assert.deepEqual(runs, [1, 3]);
});

test('a request the model fails on fails alone; its batch neighbours get answers', async () => {
  const runs: number[] = [];
  const b = new DynamicBatcher(doubler(runs, 13), { maxBatchSize: 64, maxWaitMs: 20, maxConcurrentBatches: 1 });
  const [a, bad, c] = await Promise.allSettled([b.submit(feeds(1)), b.submit(feeds(13)), b.submit(feeds(5))]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(c.status, 'fulfilled');
  assert.equal(bad.status, 'rejected');
  assert.match(String((bad as PromiseRejectedResult).reason), /cannot handle 13/);
  assert.deepEqual(Array.from((c as PromiseFulfilledResult<Record<string, Tensor>>).value.Y.data as Float32Array), [10]);
});

test('requests with different feature widths are not mixed in one run', async () => {
  const runs: number[] = [];
  const b = new DynamicBatcher(doubler(runs), { maxBatchSize: 64, maxWaitMs: 20, maxConcurrentBatches: 1 });
  const wide = { feeds: { X: { datatype: 'FP32' as const, shape: [1, 2], data: Float32Array.of(1, 2) } }, rows: 1 };
  const [r1, r2] = await Promise.all([b.submit(feeds(1)), b.submit(wide)]);
  assert.equal(runs.length, 2);
  assert.deepEqual(Array.from(r2.Y.data as Float32Array), [2, 4]);
  assert.deepEqual(Array.from(r1.Y.data as Float32Array), [2]);
});

test('with maxWaitMs 0 there is no timer: a batch leaves at the end of the event-loop turn with that turn\'s requests', async () => {
  const runs: number[] = [];
  const b = new DynamicBatcher(doubler(runs), { maxBatchSize: 64, maxWaitMs: 0, maxConcurrentBatches: 1 });
  const sameTurn = [b.submit(feeds(1)), b.submit(feeds(2))];
  assert.deepEqual(runs, []);
  // Queued before this callback, the batcher's flush has run by the time it does: no timer involved.
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(runs, [2]);
  // The runner is busy: these wait, then share the next run.
  const rest = [3, 4, 5].map((v) => b.submit(feeds(v)));
  await new Promise((r) => setImmediate(r));
  assert.equal(b.waiting, 3);
  const all = await Promise.all([...sameTurn, ...rest]);
  assert.deepEqual(runs, [2, 3]);
  assert.deepEqual(all.map((r) => Array.from(r.Y.data as Float32Array)), [[2], [4], [6], [8], [10]]);
});

test('maxBatchSize 1 disables batching: each request runs alone, at once', async () => {
  const runs: number[] = [];
  const b = new DynamicBatcher(doubler(runs), { maxBatchSize: 1, maxWaitMs: 0, maxConcurrentBatches: 2 });
  const all = [1, 2, 3].map((v) => b.submit(feeds(v)));
  assert.deepEqual(runs, [1, 1]);
  await Promise.all(all);
  assert.deepEqual(runs, [1, 1, 1]);
});
