import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvChunks, readTable, writeCsv, type DataTable } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'pharos-csv-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('infers numerical and categorical columns, reads missing tokens and quoted fields', async () => {
  const path = file('mixed.csv', 'age,city,score,note\n31,"Paris, FR",1.5,\n,Oslo,NaN,"say ""hi"""\n42,NA,-2e3,x\n');
  const table = await readTable(path);
  assert.equal(table.rowCount, 3);
  const age = table.columns.get('age')!;
  assert.equal(age.kind, 'numerical');
  assert.deepEqual([...age.values as Float64Array].map((v) => (Number.isNaN(v) ? 'nan' : v)), [31, 'nan', 42]);
  const city = table.columns.get('city')!;
  assert.equal(city.kind, 'categorical');
  assert.deepEqual(city.values, ['Paris, FR', 'Oslo', null]);
  assert.deepEqual([...table.columns.get('score')!.values as Float64Array].map(String), ['1.5', 'NaN', '-2000']);
  assert.deepEqual(table.columns.get('note')!.values, [null, 'say "hi"', 'x']);
});

test('marks columns of integer literals without missing cells as integer (pandas int64)', async () => {
  const t = await readTable(file('ints.csv', 'a,b,c\n1,1,1.0\n-2,,2\n30,3,3\n'));
  assert.deepEqual([...t.columns.values()].map((c) => c.kind === 'numerical' && c.integer === true), [true, false, false]);
});

test('streams in bounded chunks and keeps the inferred kinds across chunks', async () => {
  const lines = ['x,y'];
  for (let i = 0; i < 25_000; i++) lines.push(`${i},${i % 3 === 0 ? 'a' : 'b'}`);
  const path = file('big.csv', lines.join('\n') + '\n');
  const sizes: number[] = [];
  let sum = 0;
  for await (const chunk of readCsvChunks(path, { chunkRows: 4096, inferenceRows: 1000 })) {
    sizes.push(chunk.rowCount);
    for (const v of chunk.columns.get('x')!.values as Float64Array) sum += v;
  }
  assert.equal(sizes.reduce((a, b) => a + b, 0), 25_000);
  assert.ok(Math.max(...sizes) <= 4096, `chunks bounded: ${sizes}`);
  assert.equal(sum, (24_999 * 25_000) / 2);
});

test('a non-number after inference is a clear error naming line and column; kinds override fixes it', async () => {
  const lines = ['id,v'];
  for (let i = 0; i < 50; i++) lines.push(`${i},1`);
  lines.push('A7,1');
  const path = file('late-text.csv', lines.join('\n') + '\n');
  await assert.rejects(readTable(path, { inferenceRows: 10, chunkRows: 10 }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
    assert.match(e.message, /line 52, column 'id': 'A7' is not a number/);
    return true;
  });
  const table = await readTable(path, { inferenceRows: 10, chunkRows: 10, kinds: { id: 'categorical' } });
  assert.equal(table.columns.get('id')!.values[50], 'A7');
});

test('selects columns, and rejects unknown columns, ragged rows, missing files and empty files', async () => {
  const path = file('sel.csv', 'a,b,c\n1,x,2\n3,y,4\n');
  const t = await readTable(path, { columns: ['c', 'b'] });
  assert.deepEqual([...t.columns.keys()], ['c', 'b']);
  await assert.rejects(readTable(path, { columns: ['zz'] }), /no column 'zz' \(columns: a, b, c\)/);
  await assert.rejects(readTable(file('ragged.csv', 'a,b\n1,2\n3\n')), /not a valid CSV file/);
  await assert.rejects(readTable(join(dir, 'absent.csv')), /no such file/);
  await assert.rejects(readTable(file('empty.csv', '')), /empty CSV file/);
  await assert.rejects(readTable(file('dup.csv', 'a,a\n1,2\n')), /duplicate column name 'a'/);
  await assert.rejects(readTable(file('x.json', '{}')), /unknown table format '.json'/);
});

test('writeCsv round-trips through readTable, including quotes, commas and missing values', async () => {
  const table: DataTable = {
    rowCount: 3,
    columns: new Map([
      ['n', { kind: 'numerical', values: Float64Array.from([0.1, NaN, -1e-300]) }],
      ['s', { kind: 'categorical', values: ['a,b', null, 'line\nbreak "q"'] }],
    ]),
  };
  const path = join(dir, 'round.csv');
  await writeCsv(path, table);
  const back = await readTable(path);
  assert.deepEqual([...back.columns.get('n')!.values as Float64Array].map(String), ['0.1', 'NaN', '-1e-300']);
  assert.deepEqual(back.columns.get('s')!.values, ['a,b', null, 'line\nbreak "q"']);
});
