import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KllSketch } from './kll-sketch.ts';
import { seededRandom } from './random.ts';

/** Max |estimated rank − true rank| / n over a grid of query points (values known exactly). */
function maxRankError(sketch: KllSketch, sorted: Float64Array): number {
  const n = sorted.length;
  let worst = 0;
  for (let q = 1; q < 1000; q++) {
    const x = sorted[Math.floor((q / 1000) * n)];
    // true rank: fraction of values <= x (binary search for the last index with value <= x)
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    worst = Math.max(worst, Math.abs(sketch.rank(x) - lo / n));
  }
  return worst;
}

function data(n: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const values = new Float64Array(n);
  // a skewed mixture, so the sketch is not tested only on a friendly uniform
  for (let i = 0; i < n; i++) values[i] = random() < 0.7 ? -Math.log(1 - random()) * 3 : 50 + random() * 10;
  return values;
}

test('rank error on 10^6 values stays within the stated 99% bound, with memory O(k log n)', () => {
  const values = data(1_000_000, 1);
  const sketch = new KllSketch({ k: 200, seed: 7 });
  sketch.updateAll(values);
  const sorted = Float64Array.from(values).sort();
  const error = maxRankError(sketch, sorted);
  assert.ok(sketch.rankErrorBound > 0.013 && sketch.rankErrorBound < 0.014, `bound ${sketch.rankErrorBound}`);
  assert.ok(error <= sketch.rankErrorBound, `max rank error ${error} > bound ${sketch.rankErrorBound}`);
  assert.equal(sketch.count, 1_000_000);
  assert.equal(sketch.min, sorted[0]);
  assert.equal(sketch.max, sorted[sorted.length - 1]);
  assert.ok(sketch.retainedItems < 2000, `retained ${sketch.retainedItems}`);
  // quantile and rank are consistent inverses within the bound
  const median = sketch.quantile(0.5);
  assert.ok(Math.abs(sketch.rank(median) - 0.5) <= sketch.rankErrorBound);
  // a stand-in sample is sorted and each of its values sits at its nominal rank within the bound
  const sample = sketch.quantileSample(1000);
  assert.equal(sample.length, 1000);
  for (let i = 0; i < 1000; i += 37) {
    assert.ok(i === 0 || sample[i] >= sample[i - 1]);
    const trueRank = sorted.findIndex((v) => v > sample[i]) / sorted.length;
    assert.ok(Math.abs(trueRank - (i + 0.5) / 1000) <= sketch.rankErrorBound + 1e-3, `sample ${i}`);
  }
});

test('a merge of 20 part-sketches is as accurate as one sketch of the whole stream', () => {
  const values = data(1_000_000, 2);
  const merged = new KllSketch({ k: 200, seed: 1 });
  for (let p = 0; p < 20; p++) {
    const part = new KllSketch({ k: 200, seed: 100 + p });
    part.updateAll(values.subarray(p * 50_000, (p + 1) * 50_000));
    merged.merge(part);
  }
  assert.equal(merged.count, 1_000_000);
  const error = maxRankError(merged, Float64Array.from(values).sort());
  assert.ok(error <= merged.rankErrorBound, `merged max rank error ${error} > bound ${merged.rankErrorBound}`);
});

test('small streams are exact; NaN and infinities are ignored; histogram and JSON round-trip', () => {
  const sketch = new KllSketch({ k: 200 });
  sketch.updateAll([5, 1, NaN, 3, Infinity, 2, 4, -Infinity]);
  assert.equal(sketch.count, 5);
  assert.equal(sketch.quantile(0.5), 3);
  assert.equal(sketch.rank(2), 0.4);
  assert.deepEqual(sketch.histogram([1, 3, 5]), [2, 3]); // [1,3) holds 1,2; [3,5] holds 3,4,5
  const back = KllSketch.fromJSON(JSON.parse(JSON.stringify(sketch)));
  assert.equal(back.quantile(0.5), 3);
  assert.equal(back.count, 5);
  const empty = KllSketch.fromJSON(JSON.parse(JSON.stringify(new KllSketch())));
  assert.ok(Number.isNaN(empty.quantile(0.5)));
  assert.throws(() => new KllSketch({ k: 3 }), /k must be an integer/);
  assert.throws(() => sketch.merge(new KllSketch({ k: 100 })), /different k/);
});

test('histogram of a large stream matches exact bin counts within the rank bound', () => {
  const values = data(300_000, 3);
  const sketch = new KllSketch({ seed: 3 });
  sketch.updateAll(values);
  const edges = [0, 1, 2, 5, 10, 30, 50, 55, 60];
  const exact = new Array(edges.length - 1).fill(0);
  for (const v of values) {
    for (let b = edges.length - 2; b >= 0; b--) {
      if (v >= edges[b] && (v < edges[b + 1] || (b === edges.length - 2 && v <= edges[b + 1]))) {
        exact[b]++;
        break;
      }
    }
  }
  const estimated = sketch.histogram(edges);
  estimated.forEach((e, b) => {
    // a bin is a difference of two ranks, so its error is at most twice the rank error
    assert.ok(Math.abs(e - exact[b]) <= 2 * sketch.rankErrorBound * values.length, `bin ${b}: ${e} vs ${exact[b]}`);
  });
});
