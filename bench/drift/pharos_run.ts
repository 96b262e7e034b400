/**
 * Pharos side of the drift benchmark: read both Parquet files and run driftReport, as `pharos drift`
 * does. Prints JSON: in-process wall time of the work, peak RSS, per-column method/score/verdict.
 *   node --import tsx bench/drift/pharos_run.ts <dir with reference.parquet, current.parquet>
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readTable } from '../../src/data/index.ts';
import { driftReport, toDriftTable } from '../../src/monitoring/drift/index.ts';

const dir = process.argv[2] ?? '/tmp/pharos-drift-bench';
const started = performance.now();
const cpuStarted = process.cpuUsage();
const reference = await readTable(join(dir, 'reference.parquet'));
const current = await readTable(join(dir, 'current.parquet'));
const read = performance.now();
const report = driftReport(toDriftTable(reference), toDriftTable(current));
const done = performance.now();
const cpu = process.cpuUsage(cpuStarted);
process.stdout.write(JSON.stringify({
  tool: 'pharos',
  readSeconds: (read - started) / 1000,
  computeSeconds: (done - read) / 1000,
  wallSeconds: (done - started) / 1000,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
  drifted: report.drifted,
  nDrifted: report.nDrifted,
  columns: Object.fromEntries(report.columns.map((c) => [c.column, { method: c.methodLabel, score: c.score, threshold: c.threshold, drifted: c.drifted }])),
}) + '\n');
