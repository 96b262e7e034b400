import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTable, writeParquet } from '../../src/data/index.ts';
import { runPython } from '../support/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'pharos-pandas-'));

test('Parquet written by pandas/pyarrow reads with the right kinds, values and missing values', async () => {
  const path = join(dir, 'from-pandas.parquet');
  await runPython(`
import pandas as pd, numpy as np, json
df = pd.DataFrame({
  'f': [0.5, np.nan, 2.25, -1.0],
  'i': pd.array([1, None, 3, 4], dtype='Int64'),
  'c': pd.Categorical(['x', 'y', None, 'x']),
  's': ['a', 'b', 'c', None],
  'b': [True, False, True, True],
}, index=[10, 11, 12, 13])
df.to_parquet(${JSON.stringify(path)})
print(json.dumps({'ok': True}))
`);
  const t = await readTable(path);
  assert.deepEqual([...t.columns.entries()].map(([n, c]) => `${n}:${c.kind}`), ['f:numerical', 'i:numerical', 'c:categorical', 's:categorical', 'b:categorical']);
  assert.deepEqual([...t.columns.get('f')!.values as Float64Array].map(String), ['0.5', 'NaN', '2.25', '-1']);
  assert.deepEqual([...t.columns.get('i')!.values as Float64Array].map(String), ['1', 'NaN', '3', '4']);
  assert.deepEqual(t.columns.get('c')!.values, ['x', 'y', null, 'x']);
  assert.deepEqual(t.columns.get('s')!.values, ['a', 'b', 'c', null]);
});

test('Parquet written by Pharos reads in pandas with the same values', async () => {
  const path = join(dir, 'from-pharos.parquet');
  await writeParquet(path, {
    rowCount: 3,
    columns: new Map([
      ['num', { kind: 'numerical', values: Float64Array.from([1.5, NaN, 3]) }],
      ['cat', { kind: 'categorical', values: ['a', null, 'b'] }],
    ]),
  });
  const seen = await runPython(`
import pandas as pd, pyarrow.parquet as pq, json
df = pd.read_parquet(${JSON.stringify(path)})
schema = pq.read_schema(${JSON.stringify(path)})
print(json.dumps({'dtypes': [str(df['num'].dtype), str(schema.field('cat').type)], 'num': [None if pd.isna(v) else v for v in df['num']], 'cat': [None if pd.isna(v) else v for v in df['cat']]}))
`);
  assert.deepEqual(seen, { dtypes: ['float64', 'string'], num: [1.5, null, 3], cat: ['a', null, 'b'] });
});
