import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { parquetFileInfo, readParquetChunks, readTable, writeParquet, type DataTable } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'pharos-pq-'));

function* generated(chunks: number, rows: number): Generator<DataTable> {
  for (let c = 0; c < chunks; c++) {
    const x = new Float64Array(rows);
    const s: Array<string | null> = [];
    for (let i = 0; i < rows; i++) {
      const n = c * rows + i;
      x[i] = n % 97 === 0 ? NaN : n * 0.5;
      s.push(n % 50 === 0 ? null : `k${n % 7}`);
    }
    yield { rowCount: rows, columns: new Map([['x', { kind: 'numerical', values: x }], ['s', { kind: 'categorical', values: s }]]) };
  }
}

test('writeParquet streams chunks into row groups that readParquetChunks returns one at a time', async () => {
  const path = join(dir, 'gen.parquet');
  await writeParquet(path, generated(5, 3000), { rowGroupRows: 4000 });
  const info = await parquetFileInfo(path);
  assert.equal(info.rowCount, 15_000);
  assert.deepEqual(info.columns, [{ name: 'x', kind: 'numerical' }, { name: 's', kind: 'categorical' }]);
  let rows = 0;
  let nans = 0;
  let sum = 0;
  const nulls = { s: 0 };
  for await (const chunk of readParquetChunks(path)) {
    assert.ok(chunk.rowCount <= 4000);
    for (const v of chunk.columns.get('x')!.values as Float64Array) Number.isNaN(v) ? nans++ : (sum += v);
    for (const v of chunk.columns.get('s')!.values) if (v === null) nulls.s++;
    rows += chunk.rowCount;
  }
  assert.equal(rows, 15_000);
  let expectedSum = 0;
  let expectedNans = 0;
  for (let n = 0; n < 15_000; n++) n % 97 === 0 ? expectedNans++ : (expectedSum += n * 0.5);
  assert.equal(nans, expectedNans);
  assert.equal(sum, expectedSum);
  assert.equal(nulls.s, 15_000 / 50);
});

test('reads integer, boolean, timestamp and string columns written by another writer', async () => {
  const path = join(dir, 'types.parquet');
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: 'i32', data: [1, 2, null], type: 'INT32' },
      { name: 'i64', data: [10n, 20n, 30n], type: 'INT64' },
      { name: 'flag', data: [true, false, true], type: 'BOOLEAN' },
      { name: 'when', data: [new Date(1000), new Date(2000), new Date(3000)], type: 'TIMESTAMP' },
      { name: 'name', data: ['a', null, 'c'], type: 'STRING' },
    ],
  });
  const t = await readTable(path);
  assert.deepEqual([...t.columns.entries()].map(([n, c]) => `${n}:${c.kind}`), ['i32:numerical', 'i64:numerical', 'flag:categorical', 'when:numerical', 'name:categorical']);
  assert.deepEqual([...t.columns.get('i32')!.values as Float64Array].map(String), ['1', '2', 'NaN']);
  assert.deepEqual([...t.columns.get('i64')!.values as Float64Array], [10, 20, 30]);
  // pandas reads INT64 without nulls as int64, INT32 with a null as float64, timestamps as datetimes
  const integerHint = (name: string) => { const c = t.columns.get(name)!; return c.kind === 'numerical' && c.integer === true; };
  assert.deepEqual(['i32', 'i64', 'when'].map(integerHint), [false, true, false]);
  assert.deepEqual(t.columns.get('flag')!.values, ['true', 'false', 'true']);
  assert.deepEqual([...t.columns.get('when')!.values as Float64Array], [1000, 2000, 3000]);
  assert.deepEqual(t.columns.get('name')!.values, ['a', null, 'c']);
  const picked = await readTable(path, { columns: ['name', 'i64'], kinds: { i64: 'categorical' } });
  assert.deepEqual([...picked.columns.keys()], ['name', 'i64']);
  assert.deepEqual(picked.columns.get('i64')!.values, ['10', '20', '30']);
  await assert.rejects(readTable(path, { kinds: { name: 'numerical' } }), /column 'name': 'a' is not a number/);
});

test('rejects a missing file, a non-Parquet file and an unknown column with clear errors', async () => {
  await assert.rejects(readTable(join(dir, 'nope.parquet')), /nope.parquet: no such file/);
  const junk = join(dir, 'junk.parquet');
  writeFileSync(junk, 'this is not parquet at all');
  await assert.rejects(readTable(junk), /not a valid Parquet file/);
  const path = join(dir, 'gen2.parquet');
  await writeParquet(path, generated(1, 10));
  await assert.rejects(readTable(path, { columns: ['x', 'q'] }), /no readable column 'q'/);
});
