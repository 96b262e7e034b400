import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeCsv, writeParquet, type DataTable } from '../data/index.ts';
import { driftOptionsFromFlags, runDrift } from './monitoring-commands.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pharos-drift-cli-'));
const reference = join(dir, 'ref.parquet');
const current = join(dir, 'cur.csv');

/** `moved` shifts by 3 SDs in the current data; `steady` keeps its distribution; `code` is a 3-valued integer. */
function table(shift: number, seed: number): DataTable {
  let a = seed;
  const u = () => ((a = (a * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  const n = 2000;
  const moved = new Float64Array(n);
  const steady = new Float64Array(n);
  const code = new Float64Array(n);
  const city: string[] = [];
  for (let i = 0; i < n; i++) {
    moved[i] = u() * 10 + shift;
    steady[i] = u() * 10;
    code[i] = Math.floor(u() * 3);
    city.push(u() < 0.5 ? 'oslo' : 'lima');
  }
  return {
    rowCount: n,
    columns: new Map([
      ['moved', { kind: 'numerical', values: moved }],
      ['steady', { kind: 'numerical', values: steady }],
      ['code', { kind: 'numerical', values: code, integer: true }],
      ['city', { kind: 'categorical', values: city }],
    ]),
  };
}

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'drift', ...args], { cwd: repoRoot, encoding: 'utf8' });

before(async () => {
  await writeParquet(reference, table(0, 1));
  await writeCsv(current, table(8.66, 2)); // ~3 SDs of a uniform(0, 10)
});

test('reads Parquet against CSV, infers integer codes as categorical like Evidently, and finds the moved column', async () => {
  const { report } = await runDrift({ reference, current, progress: false });
  const byName = Object.fromEntries(report.columns.map((c) => [c.column, c]));
  assert.equal(byName.moved.drifted, true);
  assert.equal(byName.steady.drifted, false);
  assert.equal(byName.code.type, 'categorical');
  assert.equal(byName.city.type, 'categorical');
  assert.equal(byName.moved.method, 'wasserstein'); // over 1,000 reference rows: Evidently's large-data choice
  assert.equal(report.nDrifted, 1);
  assert.equal(report.drifted, false);
});

test('--sketch streams both files through summaries and reaches the same verdicts with the real row counts', async () => {
  const exact = (await runDrift({ reference, current, progress: false })).report;
  const sketched = (await runDrift({ reference, current, progress: false, sketch: true })).report;
  assert.equal(sketched.referenceRows, 2000);
  assert.equal(sketched.currentRows, 2000);
  for (const e of exact.columns) {
    const s = sketched.columns.find((c) => c.column === e.column)!;
    assert.equal(s.type, e.type, e.column);
    assert.equal(s.method, e.method, e.column);
    assert.equal(s.drifted, e.drifted, e.column);
    assert.equal(s.referenceCount, e.referenceCount, e.column);
    assert.ok(Math.abs(s.score! - e.score!) < 0.02 + 0.05 * e.score!, `${e.column}: ${s.score} vs ${e.score}`);
    assert.match(s.message ?? '', /estimated from streaming summaries/);
  }
  await assert.rejects(runDrift({ reference, current, progress: false, sketch: true, method: ['moved=ks'] }), /distance tests only; 'ks' is a p-value test/);
});

test('flags map to driftReport options: per-column methods and thresholds, types, columns', async () => {
  const flags = driftOptionsFromFlags({ reference, current, method: ['psi', 'steady=wasserstein'], threshold: ['0.2', 'steady=0.01'], categorical: 'moved', columns: 'moved,steady' });
  assert.deepEqual(flags.perColumnMethod, { steady: 'wasserstein' });
  assert.equal(flags.method, 'psi');
  assert.equal(flags.threshold, 0.2);
  assert.deepEqual(flags.perColumnThreshold, { steady: 0.01 });
  assert.deepEqual(flags.columnTypes, { moved: 'categorical' });
  const { report } = await runDrift({ reference, current, progress: false, method: ['steady=wasserstein'], threshold: ['steady=0.001'], columns: 'moved,steady' });
  assert.deepEqual(report.columns.map((c) => c.column), ['moved', 'steady']);
  const steady = report.columns[1];
  assert.equal(steady.method, 'wasserstein');
  assert.equal(steady.threshold, 0.001);
  assert.equal(steady.drifted, steady.score! >= 0.001);
  assert.throws(() => driftOptionsFromFlags({ reference, current, method: ['x=nope'] }), /unknown drift method 'nope'/);
  assert.throws(() => driftOptionsFromFlags({ reference, current, threshold: ['abc'] }), /'abc' is not a number/);
  assert.throws(() => driftOptionsFromFlags({ reference, current, driftShare: '2' }), /--drift-share must be in \[0, 1\]/);
});

test('the command: table and dataset verdict, --json, --html, exit 0 on drift, 2 with --fail-on-drift', () => {
  const html = join(dir, 'r.html');
  const readable = cli('--reference', reference, '--current', current, '--html', html);
  assert.equal(readable.status, 0, readable.stderr);
  assert.match(readable.stdout, /^COLUMN\s+TYPE\s+METHOD\s+STATISTIC\s+SCORE\s+THRESHOLD\s+VERDICT/m);
  assert.match(readable.stdout, /^moved\s+numerical\s+Wasserstein distance \(normed\).*DRIFT/m);
  assert.match(readable.stdout, /Dataset drift: not detected — 1 of 4 columns drifted/);
  assert.match(readFileSync(html, 'utf8'), /data-column="moved" data-verdict="drift"/);
  assert.equal(readable.stderr, '', 'no progress bar when stderr is not a terminal');

  const json = cli('--reference', reference, '--current', current, '--json', '--drift-share', '0.25', '--fail-on-drift');
  assert.equal(json.status, 2);
  const report = JSON.parse(json.stdout);
  assert.equal(report.drifted, true);
  assert.equal(report.columns.find((c: { column: string }) => c.column === 'moved').drifted, true);
});

test('invalid input is a clear error and exit status 1', () => {
  const missing = cli('--reference', join(dir, 'absent.parquet'), '--current', current);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /absent\.parquet: no such file/);
  const junk = join(dir, 'junk.parquet');
  writeFileSync(junk, 'not parquet');
  const bad = cli('--reference', junk, '--current', current);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /not a valid Parquet file/);
  const method = cli('--reference', reference, '--current', current, '--method', 'moved=bogus');
  assert.equal(method.status, 1);
  assert.match(method.stderr, /unknown drift method 'bogus'/);
  const column = cli('--reference', reference, '--current', current, '--columns', 'moved,nope');
  assert.equal(column.status, 1);
  assert.match(column.stderr, /no readable column 'nope'/);
  const unwritable = cli('--reference', reference, '--current', current, '--html', join(dir, 'no-such-dir', 'r.html'));
  assert.equal(unwritable.status, 1);
  assert.match(unwritable.stderr, /--html .*cannot write the report/);
});
