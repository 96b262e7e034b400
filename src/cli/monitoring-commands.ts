import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { invalidParameter } from '../core/errors.ts';
import { readTable, scanTable, type ColumnKind, type DataTable } from '../data/index.ts';
import {
  DRIFT_METHODS,
  driftReport,
  formatNumber,
  KllSketch,
  renderDriftReportHtml,
  summarizeTable,
  verdictOf,
  type ColumnDrift,
  type DriftMethodName,
  type DriftOptions,
  type DriftReport,
  type TableSummary,
} from '../monitoring/index.ts';
import { toDriftTable } from '../monitoring/drift/data-table.ts';
import { printJson, printTable } from './output.ts';

const METHODS = Object.keys(DRIFT_METHODS) as DriftMethodName[];

interface DriftCommandOptions {
  reference: string;
  current: string;
  json?: boolean;
  html?: string;
  columns?: string;
  categorical?: string;
  numerical?: string;
  threshold?: string[];
  method?: string[];
  numMethod?: string;
  catMethod?: string;
  driftShare?: string;
  failOnDrift?: boolean;
  progress?: boolean;
  sketch?: boolean;
}

/** Rows per column of the stand-in sample that --sketch builds from each side's summary. */
const SKETCH_SAMPLE_ROWS = 10_000;
/**
 * KLL accuracy for --sketch. A Wasserstein distance integrates the CDF error over the whole range,
 * so k = 200's ~1% rank error shows up as ~0.03 of noise on a 0.1 threshold; k = 2000 (~0.14%,
 * some 50 KB per column) brings it under 0.01.
 */
const SKETCH_K = 2000;

const collect = (value: string, previous: string[] = []) => [...previous, value];
const list = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);

function parseMethod(name: string, where: string): DriftMethodName {
  if (!(METHODS as readonly string[]).includes(name)) {
    throw invalidParameter(`${where}: unknown drift method '${name}' (one of ${METHODS.join(', ')})`);
  }
  return name as DriftMethodName;
}

function parseNumber(text: string, where: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw invalidParameter(`${where}: '${text}' is not a number`);
  return v;
}

/** Turns the repeatable `--method` / `--threshold` flags (`ks` or `col=ks`) into driftReport options. */
export function driftOptionsFromFlags(opts: DriftCommandOptions): DriftOptions & { columnTypes?: Record<string, ColumnKind> } {
  let method: DriftMethodName | undefined;
  const perColumnMethod: Record<string, DriftMethodName> = {};
  for (const m of opts.method ?? []) {
    const eq = m.lastIndexOf('=');
    if (eq < 0) method = parseMethod(m, '--method');
    else perColumnMethod[m.slice(0, eq)] = parseMethod(m.slice(eq + 1), `--method ${m}`);
  }
  let threshold: number | undefined;
  const perColumnThreshold: Record<string, number> = {};
  for (const t of opts.threshold ?? []) {
    const eq = t.lastIndexOf('=');
    if (eq < 0) threshold = parseNumber(t, '--threshold');
    else perColumnThreshold[t.slice(0, eq)] = parseNumber(t.slice(eq + 1), `--threshold ${t}`);
  }
  const columnTypes: Record<string, ColumnKind> = {};
  for (const c of list(opts.categorical) ?? []) columnTypes[c] = 'categorical';
  for (const c of list(opts.numerical) ?? []) {
    if (columnTypes[c]) throw invalidParameter(`column '${c}' is given both as --categorical and --numerical`);
    columnTypes[c] = 'numerical';
  }
  let driftShare: number | undefined;
  if (opts.driftShare !== undefined) {
    driftShare = parseNumber(opts.driftShare, '--drift-share');
    if (driftShare < 0 || driftShare > 1) throw invalidParameter(`--drift-share must be in [0, 1], got ${driftShare}`);
  }
  return {
    columns: list(opts.columns),
    method,
    numericalMethod: opts.numMethod ? parseMethod(opts.numMethod, '--num-method') : undefined,
    categoricalMethod: opts.catMethod ? parseMethod(opts.catMethod, '--cat-method') : undefined,
    perColumnMethod: Object.keys(perColumnMethod).length ? perColumnMethod : undefined,
    threshold,
    perColumnThreshold: Object.keys(perColumnThreshold).length ? perColumnThreshold : undefined,
    columnTypes: Object.keys(columnTypes).length ? columnTypes : undefined,
    driftShare,
  };
}

/** A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI logs, --json). */
function progressBar(enabled: boolean) {
  if (!enabled || !process.stderr.isTTY) return { update: (_f: number, _s: string) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{stage} [{bar}] {percentage}% | {duration_formatted}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { stage: 'reading' });
  return {
    update: (fraction: number, stage: string) => bar.update(Math.round(fraction * 100), { stage }),
    stop: () => bar.stop(),
  };
}

async function loadTables(opts: DriftCommandOptions, flags: ReturnType<typeof driftOptionsFromFlags>, progress: ReturnType<typeof progressBar>) {
  const wanted = flags.columns;
  const reference = await readTable(opts.reference, {
    columns: wanted,
    kinds: flags.columnTypes,
    onProgress: (f) => progress.update(f * 0.45, 'reading reference'),
  });
  // The current file is read with the reference's column kinds, so a CSV cannot infer a different
  // type for a column than the Parquet reference has.
  const kinds: Record<string, ColumnKind> = {};
  for (const [name, c] of reference.columns) kinds[name] = c.kind;
  const current = await readTable(opts.current, {
    columns: wanted,
    kinds: { ...kinds, ...flags.columnTypes },
    onProgress: (f) => progress.update(0.45 + f * 0.45, 'reading current'),
  });
  return { reference, current };
}

export { toDriftTable };

export async function runDrift(opts: DriftCommandOptions): Promise<{ report: DriftReport }> {
  const flags = driftOptionsFromFlags(opts);
  const progress = progressBar(opts.progress !== false && !opts.json);
  try {
    if (opts.sketch) return { report: await sketchDrift(opts, flags, progress) };
    const { reference, current } = await loadTables(opts, flags, progress);
    progress.update(0.9, 'testing columns');
    const report = driftReport(toDriftTable(reference), toDriftTable(current), flags);
    progress.update(1, 'done');
    return { report };
  } finally {
    progress.stop();
  }
}

/**
 * --sketch: both files stream through mergeable summaries (KLL quantiles, category counts), so
 * memory is bounded by one chunk whatever the file size; the tests then run on stand-in samples
 * drawn from the summaries. Only distance tests are meaningful on a stand-in (a p-value would
 * reflect the stand-in's size, not the data's), so p-value methods are refused.
 */
async function sketchDrift(opts: DriftCommandOptions, flags: ReturnType<typeof driftOptionsFromFlags>, progress: ReturnType<typeof progressBar>): Promise<DriftReport> {
  const chosen = [flags.method, flags.numericalMethod, flags.categoricalMethod, ...Object.values(flags.perColumnMethod ?? {})];
  for (const m of chosen) {
    if (m && DRIFT_METHODS[m].isPValue) {
      throw invalidParameter(`--sketch runs distance tests only; '${m}' is a p-value test (use wasserstein, jensenshannon, psi, kl_div, hellinger or ed)`);
    }
  }
  const reference = await summarizeTable(
    scanTable(opts.reference, { columns: flags.columns, kinds: flags.columnTypes, onProgress: (f) => progress.update(f * 0.45, 'summarising reference') }),
    { seed: 1, k: SKETCH_K },
  );
  const kinds: Record<string, ColumnKind> = {};
  for (const [name, c] of reference.columns) kinds[name] = c.kind;
  const current = await summarizeTable(
    scanTable(opts.current, { columns: flags.columns, kinds: { ...kinds, ...flags.columnTypes }, onProgress: (f) => progress.update(0.45 + f * 0.45, 'summarising current') }),
    { seed: 2, k: SKETCH_K },
  );
  progress.update(0.9, 'testing columns');
  // no columnTypes beyond the user's: the stand-ins carry their types (floats, few-valued integers, strings)
  const report = driftReport(
    { columns: reference.toStandInColumns(SKETCH_SAMPLE_ROWS) },
    { columns: current.toStandInColumns(SKETCH_SAMPLE_ROWS) },
    flags,
  );
  return withTrueCounts(report, reference, current);
}

/** The report ran on stand-ins: put the real row and missing counts back and say how it was made. */
function withTrueCounts(report: DriftReport, reference: TableSummary, current: TableSummary): DriftReport {
  const counts = (summary: TableSummary, name: string) => {
    const c = summary.columns.get(name);
    if (!c) return { count: 0, missing: 0 };
    return c.kind === 'numerical'
      ? { count: c.moments.count, missing: c.moments.missing + c.moments.infinite }
      : { count: c.counts.total, missing: c.counts.missing };
  };
  const note = `estimated from streaming summaries (quantile rank error <= ${(KllSketch.normalizedRankError(SKETCH_K) * 100).toFixed(2)}%)`;
  const columns: ColumnDrift[] = report.columns.map((c) => {
    const ref = counts(reference, c.column);
    const cur = counts(current, c.column);
    const message = [c.status === 'ok' ? note : undefined, c.message].filter(Boolean).join('; ');
    return { ...c, referenceCount: ref.count, currentCount: cur.count, referenceMissing: ref.missing, currentMissing: cur.missing, ...(message ? { message } : {}) };
  });
  return { ...report, columns, referenceRows: reference.rows, currentRows: current.rows };
}

function printReadable(report: DriftReport): void {
  printTable(
    report.columns.map((c) => ({
      column: c.column,
      type: c.type,
      method: c.methodLabel,
      statistic: formatNumber(c.statistic),
      score: formatNumber(c.score),
      threshold: formatNumber(c.threshold),
      verdict: verdictOf(c).toUpperCase(),
      note: c.message ?? '',
    })),
  );
  const pct = (x: number) => `${formatNumber(x * 100)}%`;
  process.stdout.write(
    `\nDataset drift: ${report.drifted ? 'DETECTED' : 'not detected'} — ${report.nDrifted} of ${report.nColumns} columns drifted ` +
      `(${pct(report.shareDrifted)}; dataset drifts at >= ${pct(report.driftShare)}). ` +
      `Rows: reference ${report.referenceRows}, current ${report.currentRows}.\n`,
  );
}

/**
 * `pharos drift`: compare a current dataset with a reference, column by column.
 * Exit status 0 whether or not drift is found (drift is a finding, not a failure), 1 for invalid
 * input or options, and 2 when --fail-on-drift is given and the dataset drifted (for CI gates).
 */
export function registerMonitoringCommands(program: Command): void {
  program
    .command('drift')
    .description('Compare a current dataset with a reference (CSV, TSV or Parquet) and report drift per column and for the dataset')
    .requiredOption('--reference <file>', 'reference data (e.g. training data): .parquet, .csv or .tsv')
    .requiredOption('--current <file>', 'current data (e.g. last week of inputs): .parquet, .csv or .tsv')
    .option('--json', 'print the full report as JSON')
    .option('--html <file>', 'also write a self-contained HTML report (inline SVG plots, no network) to this file')
    .option('--columns <a,b,...>', 'only these columns')
    .option('--categorical <a,b,...>', 'treat these columns as categorical (e.g. integer codes)')
    .option('--numerical <a,b,...>', 'treat these columns as numerical')
    .option('--method <name|col=name>', `test for every column, or for one column (repeatable): ${METHODS.join(', ')}`, collect)
    .option('--num-method <name>', 'test for numerical columns')
    .option('--cat-method <name>', 'test for categorical columns')
    .option('--threshold <x|col=x>', "threshold for every column, or one column (repeatable); default: each test's own", collect)
    .option('--drift-share <x>', 'the dataset drifts when at least this share of columns drift (default 0.5)')
    .option('--fail-on-drift', 'exit with status 2 when the dataset drifted')
    .option('--sketch', 'stream both files through bounded-memory summaries instead of loading them (files larger than memory; distance tests only)')
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText('after', `
Column types: Parquet columns keep their schema type (numbers, dates and timestamps numerical; strings,
booleans and enums categorical). CSV columns are numerical when every non-missing cell of the first
10,000 rows is a number; empty, NA, NaN, null and None cells are missing. As in Evidently, an integer
column with at most 10 distinct values is compared as categorical; override with --categorical/--numerical.
The current file is read with the reference's column types.

Exit status: 0 when the comparison ran, whether or not drift was found; 1 for invalid input or options;
2 with --fail-on-drift when the dataset drifted.

Example:
  pharos drift --reference train.parquet --current last_week.csv --html drift.html --method age=psi`)
    .action(async (opts: DriftCommandOptions) => {
      const { report } = await runDrift(opts);
      if (opts.html) {
        const html = renderDriftReportHtml(report, { referenceName: basename(opts.reference), currentName: basename(opts.current) });
        await writeFile(opts.html, html).catch((e: Error) => {
          throw invalidParameter(`--html ${opts.html}: cannot write the report: ${e.message}`);
        });
      }
      if (opts.json) printJson(report);
      else {
        printReadable(report);
        if (opts.html) process.stdout.write(`HTML report: ${opts.html}\n`);
      }
      if (opts.failOnDrift && report.drifted) process.exitCode = 2;
    });
}
