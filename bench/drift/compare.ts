/**
 * Prints the drift benchmark table from the JSON the runners wrote (see run.sh): wall time and peak
 * memory of Pharos and Evidently, their ratio, per-column verdicts side by side with mismatches, and
 * the 10M-row sketch figures.  node --import tsx bench/drift/compare.ts <dir>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '/tmp/pharos-drift-bench';
interface Column { method: string; score: number | null; threshold: number; drifted: boolean }
interface EvidentlyColumn extends Column { score: number }
interface Run<C = Column> { wallSeconds: number; cpuSeconds: number; readSeconds: number; computeSeconds: number; peakRssMB: number; nDrifted: number; columns: Record<string, C> }
const load = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8').trim().split('\n').pop()!);
/** `/usr/bin/time -f '%e %M'` output: process wall seconds and max RSS in KB. */
const processTime = (name: string) => {
  const [wall, kb] = readFileSync(join(dir, name), 'utf8').trim().split('\n').pop()!.split(/\s+/).map(Number);
  return { wall, rssMB: kb / 1024 };
};

const pharos = load<Run>('pharos.json');
const evidently = load<Run<EvidentlyColumn>>('evidently.json');
const pharosProcess = processTime('pharos.time');
const evidentlyProcess = processTime('evidently.time');
const sketch = load<Record<string, number>>('sketch.json');
const sketchProcess = processTime('sketch.time');

const fmt = (v: number, digits = 2) => v.toFixed(digits);
const rows: string[][] = [
  ['measure', 'Pharos', 'Evidently 0.7', 'Evidently / Pharos'],
  ['read Parquet (s)', fmt(pharos.readSeconds), fmt(evidently.readSeconds), fmt(evidently.readSeconds / pharos.readSeconds, 1) + 'x'],
  ['drift computation (s)', fmt(pharos.computeSeconds), fmt(evidently.computeSeconds), fmt(evidently.computeSeconds / pharos.computeSeconds, 1) + 'x'],
  ['read + drift, in process (s)', fmt(pharos.wallSeconds), fmt(evidently.wallSeconds), fmt(evidently.wallSeconds / pharos.wallSeconds, 1) + 'x'],
  ['read + drift, CPU time (s)', fmt(pharos.cpuSeconds), fmt(evidently.cpuSeconds), fmt(evidently.cpuSeconds / pharos.cpuSeconds, 1) + 'x'],
  ['whole process incl. startup (s)', fmt(pharosProcess.wall), fmt(evidentlyProcess.wall), fmt(evidentlyProcess.wall / pharosProcess.wall, 1) + 'x'],
  ['peak RSS (MB)', fmt(pharosProcess.rssMB, 0), fmt(evidentlyProcess.rssMB, 0), fmt(evidentlyProcess.rssMB / pharosProcess.rssMB, 1) + 'x'],
  ['columns drifted', String(pharos.nDrifted), String(evidently.nDrifted), ''],
];
const print = (table: string[][], leftColumns = 1) => {
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const [n, r] of table.entries()) {
    process.stdout.write(r.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n');
    if (n === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  }
};
process.stdout.write('\nDrift: 100,000 rows x 50 columns (40 numerical, 10 categorical), reference vs current Parquet\n\n');
print(rows);

process.stdout.write('\nPer column (score = what is compared with the threshold)\n\n');
const columnRows: string[][] = [['column', 'method (Pharos)', 'Pharos score', 'verdict', 'Evidently score', 'verdict', 'agree']];
let sameTest = 0;
let mismatches = 0;
let maxRelativeScoreDiff = 0;
for (const name of Object.keys(evidently.columns)) {
  const e = evidently.columns[name];
  const p = pharos.columns[name];
  if (!p) {
    columnRows.push([name, '(missing in Pharos)', '', '', fmt(e.score, 5), e.drifted ? 'DRIFT' : 'ok', 'NO']);
    mismatches++;
    continue;
  }
  const same = p.method === e.method;
  if (same) sameTest++;
  const agree = p.drifted === e.drifted;
  if (same && !agree) mismatches++;
  if (same && p.score !== null) maxRelativeScoreDiff = Math.max(maxRelativeScoreDiff, Math.abs(p.score - e.score) / Math.max(1e-300, Math.abs(e.score)));
  columnRows.push([
    name,
    same ? p.method : `${p.method} vs ${e.method}`,
    p.score === null ? '-' : p.score.toPrecision(6),
    p.drifted ? 'DRIFT' : 'ok',
    e.score.toPrecision(6),
    e.drifted ? 'DRIFT' : 'ok',
    agree ? 'yes' : same ? 'MISMATCH' : 'different test',
  ]);
}
print(columnRows, 2);
process.stdout.write(`\n${sameTest} of ${Object.keys(evidently.columns).length} columns use the same test; ` +
  `${mismatches} verdict mismatch(es) among them; max relative score difference ${maxRelativeScoreDiff.toExponential(2)}\n`);

process.stdout.write(`\nSketch: ${sketch.rows.toLocaleString('en-US')}-row numeric window, ${sketch.columns} columns, 1M-row slice summaries merged\n\n`);
print([
  ['measure', 'value'],
  ['wall time (s)', fmt(sketch.seconds)],
  ['CPU time (s)', fmt(sketch.cpuSeconds)],
  ['values / CPU second', sketch.rowsPerSecond.toLocaleString('en-US')],
  ['peak RSS, whole process (MB)', fmt(sketchProcess.rssMB, 0)],
  ['retained items per column', String(sketch.retainedItemsPerColumn)],
  ['serialized summary (KB)', String(sketch.serializedSummaryKB)],
  ['worst quantile rank error', fmt(sketch.worstRankError, 4)],
  ['stated 99% bound (k=200)', fmt(sketch.rankErrorBound, 4)],
]);
if (mismatches > 0) process.exitCode = 1;
