/**
 * A 10-million-row numeric window summarised in bounded memory: rows arrive in 100k-row chunks
 * (as from a Parquet scan or the inference log), each 1M-row slice gets its own TableSummary (an
 * hourly window, say) and the slices are merged into the whole window. Prints JSON: time, peak RSS,
 * retained sketch items, and the worst quantile error against the known distributions.
 *   node --import tsx bench/drift/sketch_10m.ts [rows]
 */
import { performance } from 'node:perf_hooks';
import type { DataTable } from '../../src/data/index.ts';
import { TableSummary } from '../../src/monitoring/index.ts';

const rows = Number(process.argv[2] ?? 10_000_000);
const chunkRows = 100_000;
const sliceRows = 1_000_000;

let state = 12345 >>> 0;
const uniform = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
};

function chunk(n: number): DataTable {
  const u = new Float64Array(n);
  const e = new Float64Array(n);
  const big = new Float64Array(n);
  const withGaps = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    u[i] = uniform();
    e[i] = -Math.log(uniform());
    big[i] = 1e9 + uniform();
    withGaps[i] = uniform() < 0.1 ? NaN : uniform() * 100;
  }
  return {
    rowCount: n,
    columns: new Map([
      ['uniform', { kind: 'numerical', values: u }],
      ['exponential', { kind: 'numerical', values: e }],
      ['offset_1e9', { kind: 'numerical', values: big }],
      ['with_missing', { kind: 'numerical', values: withGaps }],
    ]),
  };
}

const started = performance.now();
const cpuStarted = process.cpuUsage();
const window = new TableSummary({ seed: 1 });
let slice = new TableSummary({ seed: 2 });
for (let done = 0; done < rows; done += chunkRows) {
  slice.update(chunk(Math.min(chunkRows, rows - done)));
  if (slice.rows >= sliceRows || done + chunkRows >= rows) {
    window.merge(slice);
    slice = new TableSummary({ seed: 3 + done });
  }
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

const column = (name: string) => {
  const c = window.columns.get(name)!;
  if (c.kind !== 'numerical') throw new Error('numerical expected');
  return c;
};
// worst |estimated quantile's true CDF − q| over a grid: rank error against the known distribution
let worstRankError = 0;
for (let q = 0.01; q < 1; q += 0.01) {
  worstRankError = Math.max(worstRankError, Math.abs(column('uniform').quantiles.quantile(q) - q));
  worstRankError = Math.max(worstRankError, Math.abs(1 - Math.exp(-column('exponential').quantiles.quantile(q)) - q));
}
const big = column('offset_1e9').moments;
const gaps = column('with_missing').moments;
const json = JSON.stringify(window.toJSON());
process.stdout.write(JSON.stringify({
  rows: window.rows,
  columns: window.columns.size,
  seconds,
  cpuSeconds,
  rowsPerSecond: Math.round((rows * window.columns.size) / cpuSeconds),
  peakRssMB: process.resourceUsage().maxRSS / 1024,
  retainedItemsPerColumn: column('uniform').quantiles.retainedItems,
  serializedSummaryKB: Math.round(json.length / 1024),
  worstRankError,
  rankErrorBound: column('uniform').quantiles.rankErrorBound,
  offsetVariance: big.variance, // uniform(0,1): 1/12 = 0.08333
  missingCounted: gaps.missing,
  missingShare: gaps.missing / rows,
}) + '\n');
