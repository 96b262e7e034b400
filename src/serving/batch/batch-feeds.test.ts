import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PharosError } from '../../core/errors.ts';
import type { DataTable } from '../../data/index.ts';
import type { TensorSpec } from '../index.ts';
import { batchFeeds, planInputs, plannedColumns } from './batch-feeds.ts';

const X: TensorSpec = { name: 'X', datatype: 'FP32', shape: [-1, 3] };
const table = (cols: Record<string, number[] | Array<string | null>>): DataTable => ({
  rowCount: Object.values(cols)[0].length,
  columns: new Map(Object.entries(cols).map(([n, v]) => [n, typeof v[0] === 'number' ? { kind: 'numerical', values: Float64Array.from(v as number[]) } : { kind: 'categorical', values: v as Array<string | null> }])),
});

test('stacked input: signature order wins over file order, rows sliced exactly', () => {
  const plan = planInputs([X], [{ name: 'c', type: 'double', required: true }, { name: 'a', type: 'double', required: true }, { name: 'b', type: 'double', required: true }], ['id', 'a', 'b', 'c'], undefined);
  assert.deepEqual(plan, { kind: 'stacked', input: X, columns: ['c', 'a', 'b'] });
  const chunk = table({ id: [0, 1, 2], a: [1, 2, 3], b: [10, 20, 30], c: [100, 200, 300] });
  const feeds = batchFeeds(plan, chunk, 1, 3, 0);
  assert.deepEqual(feeds.X.shape, [2, 3]);
  assert.deepEqual([...(feeds.X.data as Float32Array)], [200, 2, 20, 300, 3, 30]);
});

test('stacked input without signature: all columns when the width fits, else --columns is required', () => {
  assert.deepEqual(planInputs([X], null, ['a', 'b', 'c'], undefined), { kind: 'stacked', input: X, columns: ['a', 'b', 'c'] });
  assert.throws(() => planInputs([X], null, ['id', 'a', 'b', 'c'], undefined), /--columns/);
  assert.deepEqual(planInputs([X], null, ['id', 'a', 'b', 'c'], ['b', 'c', 'a']), { kind: 'stacked', input: X, columns: ['b', 'c', 'a'] });
  assert.throws(() => planInputs([X], null, ['a', 'b'], ['a', 'b']), /takes 3 features/);
});

test('one input a column: matched by name, strings stay strings, integers must be integers', () => {
  const inputs: TensorSpec[] = [
    { name: 'age', datatype: 'INT64', shape: [-1, 1] },
    { name: 'city', datatype: 'BYTES', shape: [-1, 1] },
  ];
  const plan = planInputs(inputs, null, ['city', 'age', 'extra'], undefined);
  assert.equal(plan.kind, 'per-column');
  assert.deepEqual(plannedColumns(plan).kinds, { age: 'numerical', city: 'categorical' });
  const feeds = batchFeeds(plan, table({ age: [30, 41], city: ['Oslo', 'Lima'] }), 0, 2, 0);
  assert.deepEqual(feeds.age.shape, [2, 1]);
  assert.deepEqual([...(feeds.age.data as BigInt64Array)], [30n, 41n]);
  assert.deepEqual(feeds.city.data, ['Oslo', 'Lima']);
  assert.throws(() => batchFeeds(plan, table({ age: [30, 41.5], city: ['a', 'b'] }), 0, 2, 1000), (e: unknown) => e instanceof PharosError && /row 1001: 41.5 is not an integer/.test(e.message));
  assert.throws(() => batchFeeds(plan, table({ age: [30, 41], city: ['a', null] }), 0, 2, 0), /missing value for a string input/);
  assert.throws(() => planInputs(inputs, null, ['age'], undefined), /no column 'city'/);
});

test('missing numbers reach float inputs as NaN (as pandas gives them to sklearn)', () => {
  const plan = planInputs([X], null, ['a', 'b', 'c'], undefined);
  const feeds = batchFeeds(plan, table({ a: [NaN], b: [1], c: [2] }), 0, 1, 0);
  assert.ok(Number.isNaN((feeds.X.data as Float32Array)[0]));
});
