import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFeeds, type ModelInterface } from './feeds.ts';
import { parseMlflowScoringBody, parseOipBody } from './request-formats.ts';

const stacked: ModelInterface = { inputs: [{ name: 'X', datatype: 'FP32', shape: [-1, 3] }], columns: null };
const withSignature: ModelInterface = {
  inputs: [{ name: 'X', datatype: 'FP32', shape: [-1, 3] }],
  columns: [
    { name: 'age', type: 'double', required: true },
    { name: 'income', type: 'double', required: true },
    { name: 'visits', type: 'long', required: true },
  ],
};
const perColumn: ModelInterface = {
  inputs: [
    { name: 'a', datatype: 'FP32', shape: [-1, 1] },
    { name: 'city', datatype: 'BYTES', shape: [-1, 1] },
    { name: 'n', datatype: 'INT64', shape: [-1, 1] },
  ],
  columns: null,
};

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.equal((e as { status?: number }).status, 400);
    return (e as Error).message;
  }
  assert.fail('expected a 400');
};

test('dataframe_split columns are stacked into the single tensor in signature order', () => {
  const req = parseMlflowScoringBody({ dataframe_split: { columns: ['visits', 'age', 'income'], data: [[3, 40, 1000.5], [1, 22, 10]] } });
  const { feeds, rows } = buildFeeds(withSignature, req);
  assert.equal(rows, 2);
  assert.deepEqual(feeds.X.shape, [2, 3]);
  assert.deepEqual(Array.from(feeds.X.data as Float32Array), [40, 1000.5, 3, 22, 10, 1]);
});

test('missing, extra and mistyped columns are 400s naming the column and what was expected', () => {
  assert.match(message(() => buildFeeds(withSignature, parseMlflowScoringBody({ dataframe_records: [{ age: 1, income: 2 }] }))), /missing column 'visits'.*age, income, visits/);
  assert.match(message(() => buildFeeds(withSignature, parseMlflowScoringBody({ dataframe_records: [{ age: 1, income: 2, visits: 3, zip: 4 }] }))), /unexpected column 'zip'/);
  assert.match(message(() => buildFeeds(withSignature, parseMlflowScoringBody({ dataframe_records: [{ age: 'old', income: 2, visits: 3 }] }))), /column 'age': expected a number \(double\), got "old"/);
  assert.match(message(() => buildFeeds(withSignature, parseMlflowScoringBody({ dataframe_records: [{ age: 1, income: 2, visits: 2.5 }] }))), /column 'visits': expected an integer \(long\)/);
});

test('without a signature the ONNX metadata rules: feature count and types', () => {
  assert.match(message(() => buildFeeds(stacked, parseMlflowScoringBody({ instances: [[1, 2]] }))), /input 'X': expected shape \[-1, 3\].*got \[1, 2\]/);
  assert.match(message(() => buildFeeds(stacked, parseMlflowScoringBody({ instances: [[1, 2, 'x']] }))), /input 'X': expected a number \(FP32\), got "x"/);
  assert.match(message(() => buildFeeds(stacked, parseMlflowScoringBody({ instances: [[1, 2, 3], [1, 2]] }))), /ragged/);
  const { feeds } = buildFeeds(stacked, parseMlflowScoringBody({ inputs: [[1, 2, 3]] }));
  assert.deepEqual(Array.from(feeds.X.data as Float32Array), [1, 2, 3]);
});

test('one input a column (skl2onnx pipelines): records map to [n, 1] tensors of each type', () => {
  const { feeds, rows } = buildFeeds(perColumn, parseMlflowScoringBody({ dataframe_records: [{ a: 0.5, city: 'Oslo', n: 3 }, { a: null, city: 'Rome', n: 4 }] }));
  assert.equal(rows, 2);
  assert.deepEqual(feeds.city, { datatype: 'BYTES', shape: [2, 1], data: ['Oslo', 'Rome'] });
  assert.deepEqual(Array.from(feeds.n.data as BigInt64Array), [3n, 4n]);
  assert.ok(Number.isNaN((feeds.a.data as Float32Array)[1]), 'null is NaN for a float column, as in pandas');
  assert.match(message(() => buildFeeds(perColumn, parseMlflowScoringBody({ dataframe_records: [{ a: 0.5, city: 7, n: 3 }] }))), /column 'city': expected a string \(BYTES\), got 7/);
  assert.match(message(() => buildFeeds(perColumn, parseMlflowScoringBody({ dataframe_records: [{ a: 0.5, n: 3 }] }))), /missing column 'city'/);
});

test('OIP inputs: names, datatypes and shapes are checked against the model', () => {
  const ok = buildFeeds(stacked, parseOipBody({ inputs: [{ name: 'X', shape: [2, 3], datatype: 'FP64', data: [1, 2, 3, 4, 5, 6] }] }));
  assert.deepEqual(ok.feeds.X.shape, [2, 3]);
  assert.equal(ok.feeds.X.datatype, 'FP32');
  assert.match(message(() => buildFeeds(stacked, parseOipBody({ inputs: [{ name: 'X', shape: [2, 3], datatype: 'BYTES', data: ['a', 'b', 'c', 'd', 'e', 'f'] }] }))), /expected datatype FP32, got BYTES/);
  assert.match(message(() => buildFeeds(stacked, parseOipBody({ inputs: [{ name: 'X', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3] }] }))), /shape \[2, 3\] needs 6 values, got 3/);
  assert.match(message(() => buildFeeds(stacked, parseOipBody({ inputs: [{ name: 'Y', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }))), /unexpected input 'Y'/);
  assert.match(message(() => buildFeeds(perColumn, parseOipBody({ inputs: [{ name: 'a', shape: [1, 1], datatype: 'FP32', data: [1] }] }))), /missing input 'city'/);
  // Per-column OIP inputs for a signature model are read as columns.
  const cols = buildFeeds(withSignature, parseOipBody({ inputs: ['age', 'income', 'visits'].map((name, i) => ({ name, shape: [1], datatype: name === 'visits' ? 'INT64' : 'FP64', data: [i + 1] })) }));
  assert.deepEqual(Array.from(cols.feeds.X.data as Float32Array), [1, 2, 3]);
});

test('malformed bodies are 400s that say what is accepted', () => {
  assert.match(message(() => parseMlflowScoringBody({ data: [] })), /one of dataframe_split, dataframe_records, instances, inputs/);
  assert.match(message(() => parseMlflowScoringBody({ instances: [], inputs: [] })), /exactly one/);
  assert.match(message(() => parseMlflowScoringBody({ dataframe_split: { columns: ['a'], data: [[1, 2]] } })), /row 0 has 2 values; expected 1/);
  assert.match(message(() => parseOipBody({ inputs: [{ name: 'X', shape: [1], data: [1] }] })), /'datatype' must be a string/);
});
