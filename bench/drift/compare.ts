/**
 * Prints the drift benchmark table from what run.sh wrote: per tool, the median over REPEAT runs of
 * the whole process (exec to exit), the in-process read + drift time, each part, CPU and peak
 * memory, with the Evidently / Pharos ratios and issue 4's targets; then every column side by side,
 * checking that both tools chose the same test, that the scores agree within 1e-9 and that the
 * verdicts agree (exit status 1 otherwise); then the 10M-row sketch figures.
 *   node --import tsx bench/drift/compare.ts <dir> [repeat]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '/tmp/pharos-drift-bench';
const repeat = Number(process.argv[3] ?? 1);
const SCORE_TOLERANCE = 1e-9;
const SPEED_TARGET = 20;
const SKETCH_MEMORY_TARGET_MB = 500;

interface Column { method: string; score: number | null; threshold: number; drifted: boolean }
interface RunJson { wallSeconds: number; cpuSeconds: number; readSeconds: number; computeSeconds: number; peakRssMB: number; nDrifted: number; columns: Record<string, Column> }
interface ProcessTime { wall: number; rssMB: number; cpu: number }
interface Run { json: RunJson; process: ProcessTime }

const lastLine = (path: string) => readFileSync(path, 'utf8').trim().split('\n').pop()!;
/** `/usr/bin/time -f '%e %M %U %S'`: wall seconds, max RSS in KB, user and system CPU seconds. */
const processTime = (path: string): ProcessTime => {
  const [wall, kb, user, sys] = lastLine(path).split(/\s+/).map(Number);
  return { wall, rssMB: kb / 1024, cpu: user + sys };
};
function runs(tool: string): Run[] {
  const out: Run[] = [];
  for (let i = 1; i <= repeat; i++) {
    const json = join(dir, `${tool}-${i}.json`);
    if (!existsSync(json)) throw new Error(`${json} is missing: run bench/drift/run.sh`);
    out.push({ json: JSON.parse(lastLine(json)), process: processTime(join(dir, `${tool}-${i}.time`)) });
  }
  return out;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const pharos = runs('pharos');
const evidently = runs('evidently');
const fmt = (v: number, digits = 2) => v.toFixed(digits);
const ratio = (e: number, p: number) => fmt(e / p, 1) + 'x';
const print = (table: string[][], leftColumns = 1) => {
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const [n, r] of table.entries()) {
    process.stdout.write(r.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n');
    if (n === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  }
};

const m = (rs: Run[], f: (r: Run) => number) => median(rs.map(f));
const measures: Array<[string, (r: Run) => number, number]> = [
  ['whole process, exec to exit (s)', (r) => r.process.wall, 2],
  ['  in process: read + drift (s)', (r) => r.json.wallSeconds, 2],
  ['    read both Parquet files (s)', (r) => r.json.readSeconds, 2],
  ['    drift computation only (s)', (r) => r.json.computeSeconds, 2],
  ['  start-up, imports, output (s)', (r) => r.process.wall - r.json.wallSeconds, 2],
  ['whole process CPU, user+sys (s)', (r) => r.process.cpu, 2],
  ['peak RSS, whole process (MB)', (r) => r.process.rssMB, 0],
];
process.stdout.write(`\nDrift: 100,000 rows x 50 columns (40 numerical, 10 categorical), reference vs current Parquet; median of ${repeat} run(s) per tool\n\n`);
const summary: string[][] = [['measure', 'Pharos', 'Evidently 0.7', 'Evidently / Pharos']];
for (const [label, f, digits] of measures) {
  const p = m(pharos, f);
  const e = m(evidently, f);
  summary.push([label, fmt(p, digits), fmt(e, digits), ratio(e, p)]);
}
summary.push(['columns drifted', String(pharos[0].json.nDrifted), String(evidently[0].json.nDrifted), '']);
print(summary);
const each = (rs: Run[]) => rs.map((r) => fmt(r.process.wall)).join(', ');
process.stdout.write(`\nwhole-process seconds per run: Pharos ${each(pharos)}; Evidently ${each(evidently)}\n`);
const wholeRatio = m(evidently, (r) => r.process.wall) / m(pharos, (r) => r.process.wall);
const inProcessRatio = m(evidently, (r) => r.json.wallSeconds) / m(pharos, (r) => r.json.wallSeconds);
const computeRatio = m(evidently, (r) => r.json.computeSeconds) / m(pharos, (r) => r.json.computeSeconds);
const worstWholeRatio = Math.min(...evidently.map((r) => r.process.wall)) / Math.max(...pharos.map((r) => r.process.wall));
process.stdout.write(
  `speed target (>= ${SPEED_TARGET}x faster than Evidently): whole process ${fmt(wholeRatio, 1)}x (worst pairing ${fmt(worstWholeRatio, 1)}x), ` +
    `read + drift ${fmt(inProcessRatio, 1)}x, drift computation ${fmt(computeRatio, 1)}x -> ` +
    `${wholeRatio >= SPEED_TARGET ? 'MET' : 'NOT MET'} end to end\n`,
);

// Per column, from the first run of each (every run computes the same report)
process.stdout.write(`\nPer column (score = what is compared with the threshold; |diff| = |Pharos - Evidently|)\n\n`);
const p1 = pharos[0].json.columns;
const e1 = evidently[0].json.columns;
const names = [...new Set([...Object.keys(e1), ...Object.keys(p1)])];
const columnRows: string[][] = [['column', 'test', 'Pharos score', 'verdict', 'Evidently score', 'verdict', '|diff|', 'agree']];
let sameTest = 0;
let scoresWithin = 0;
let verdictsAgree = 0;
let maxAbs = 0;
let maxRel = 0;
for (const name of names) {
  const p = p1[name];
  const e = e1[name];
  if (!p || !e) {
    columnRows.push([name, p ? p.method : e.method, p ? String(p.score) : '(missing)', p ? (p.drifted ? 'DRIFT' : 'ok') : '', e ? String(e.score) : '(missing)', e ? (e.drifted ? 'DRIFT' : 'ok') : '', '', 'NO']);
    continue;
  }
  const same = p.method === e.method;
  const diff = p.score === null ? Infinity : Math.abs(p.score - e.score!);
  const within = diff <= SCORE_TOLERANCE;
  const agree = p.drifted === e.drifted;
  sameTest += same ? 1 : 0;
  scoresWithin += within ? 1 : 0;
  verdictsAgree += agree ? 1 : 0;
  maxAbs = Math.max(maxAbs, diff);
  maxRel = Math.max(maxRel, diff / Math.max(1e-300, Math.abs(e.score!)));
  columnRows.push([
    name,
    same ? p.method : `${p.method} vs ${e.method}`,
    p.score === null ? '-' : p.score.toPrecision(12),
    p.drifted ? 'DRIFT' : 'ok',
    e.score!.toPrecision(12),
    e.drifted ? 'DRIFT' : 'ok',
    diff.toExponential(1),
    same && within && agree ? 'yes' : 'NO',
  ]);
}
print(columnRows, 2);
const n = names.length;
const allGood = sameTest === n && scoresWithin === n && verdictsAgree === n && pharos[0].json.nDrifted === evidently[0].json.nDrifted;
process.stdout.write(
  `\n${n} columns: same test on ${sameTest}/${n}; scores within ${SCORE_TOLERANCE} on ${scoresWithin}/${n} ` +
    `(max |diff| ${maxAbs.toExponential(2)}, max relative ${maxRel.toExponential(2)}); verdicts agree on ${verdictsAgree}/${n}; ` +
    `columns drifted ${pharos[0].json.nDrifted} vs ${evidently[0].json.nDrifted} -> ${allGood ? 'IDENTICAL within 1e-9' : 'MISMATCH'}\n`,
);

const sketch = JSON.parse(lastLine(join(dir, 'sketch.json'))) as Record<string, number>;
const sketchProcess = processTime(join(dir, 'sketch.time'));
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
process.stdout.write(
  `memory target (10M-row window under ${SKETCH_MEMORY_TARGET_MB} MB): ${fmt(sketchProcess.rssMB, 0)} MB -> ` +
    `${sketch.rows >= 10_000_000 && sketchProcess.rssMB < SKETCH_MEMORY_TARGET_MB ? 'MET' : 'NOT MET'}\n`,
);
if (!allGood) process.exitCode = 1;
