/**
 * Monitor windows larger than memory: the inference log is read segment by segment and, inside a
 * segment, Parquet row group by row group, into mergeable per-column summaries (KLL sketch + moments
 * for numbers, exact capped counts for categories, missing counts), and the checks run on the summary.
 * Memory is one row group plus O(columns × k), whatever the window holds.
 *
 * Cache. A segment file never changes once written (serving renames it into place whole), so the
 * summary of a segment that lies wholly inside a window is a pure function of (file, plan) and is kept
 * beside the log: `<log dir>/.summaries/<deployment>/<segment file>.<plan key>.json`. Beside the log
 * rather than in the store because it is derived bulk data about those files: it needs no migration,
 * every replica that mounts the log shares it, deleting the log deletes it, and reading it is as cheap
 * as reading the segment's metadata. The plan key covers everything the summary depends on (watched
 * features and their kinds, task and prediction fields, k, category cap), so monitors with different
 * plans do not collide. Segments cut by a window edge are filtered by timestamp and never cached. A
 * month of traffic is then read once; later runs merge the cached summaries and read only new segments.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { DataColumn, DataTable } from '../../data/index.ts';
import { CategoryCounts, type CategoryCountsState } from '../sketch/category-counts.ts';
import { TableSummary, type TableSummaryState } from '../sketch/table-summary.ts';
import {
  DISTINCT_PROBE, allRanksError, countsCategoricalSide, exactCategoricalSide, exactNumericSide, sketchDriftReport, sketchNumericSide,
  type DistributionSide, type SketchDriftReport,
} from '../drift/sketch-drift.ts';
import type { DriftOptions, DriftTable, TypedDriftColumn } from '../drift/types.ts';
import { dataQualityMetrics, inferFeatureKinds, watchedFeatures, featureTable, predictionTable, type FeatureKind } from './checks.ts';
import { normalizePrediction } from './observations.ts';
import type { ColumnQuality, InferenceWindowQuery, MonitorRunResults, MonitorSpec, ObservedRow, RequestCounters } from './types.ts';

/** Windows with more rows than this are summarised instead of loaded (RunnerDeps.sketchAboveRows overrides). */
export const DEFAULT_SKETCH_ABOVE_ROWS = 1_000_000;
/**
 * KLL k for monitor windows: all-ranks error 2.446/1000^0.9433 ≈ 0.36% (99%); about 3k = 3,000 retained
 * numbers (24 KB) per numerical column in memory, ~60 KB per column in a cached segment summary.
 */
export const DEFAULT_MONITOR_SKETCH_K = 1000;
const SUMMARY_FORMAT = 1;

/** The parts of serving's `InferenceLogReader` the summariser needs (structural, so serving stays free to grow it). */
export interface SegmentedInferenceLog {
  readonly dir: string;
  segments(window: { deployment?: string; fromMs?: number; toMs?: number }): Promise<Array<{ deployment: string; path: string; firstMs: number; lastMs: number }>>;
}

export function isSegmentedLog(x: unknown): x is SegmentedInferenceLog {
  return typeof x === 'object' && x !== null && typeof (x as SegmentedInferenceLog).segments === 'function' && typeof (x as SegmentedInferenceLog).dir === 'string';
}

/** What a summary holds, fixed per monitor run: the watched features with their kinds, and how to read predictions. */
export interface SummaryPlan {
  features: Array<[string, FeatureKind]>;
  spec: Pick<MonitorSpec, 'task' | 'predictionFields' | 'positiveLabel'>;
  k: number;
  maxCategories: number;
}

const LATENCY = 'latency_ms';
const SCORE = 'prediction.score';
const VALUE = 'prediction.value';
const LABEL = 'prediction.label';

export interface WindowSummaryState {
  format: number;
  rows: number;
  firstTs: number | null;
  lastTs: number | null;
  withPrediction: number;
  withScore: number;
  features: TableSummaryState;
  outputs: TableSummaryState;
  probes: Record<string, CategoryCountsState>;
}

/** A mergeable summary of a window of logged rows (shadow rows excluded by the reader). */
export class WindowSummary {
  rows = 0;
  firstTs = Infinity;
  lastTs = -Infinity;
  /** Rows with a readable prediction, and rows whose prediction carries a score. */
  withPrediction = 0;
  withScore = 0;
  readonly features: TableSummary;
  readonly outputs: TableSummary;
  /** Exact counts of the first DISTINCT_PROBE values of each numerical column ('f:'/'o:' + name). */
  readonly probes = new Map<string, CategoryCounts>();
  /** How the summary was built (not persisted). */
  segmentsRead = 0;
  segmentsCached = 0;

  /** `seed` drives the KLL coin flips; segments get different seeds so their compactions are independent. */
  constructor(readonly plan: SummaryPlan, seed = 0x5eed) {
    const options = { k: plan.k, maxCategories: plan.maxCategories, seed };
    this.features = new TableSummary(options);
    this.outputs = new TableSummary(options);
  }

  private probe(key: string, values: Float64Array): void {
    let p = this.probes.get(key);
    if (!p) this.probes.set(key, (p = new CategoryCounts({ maxCategories: DISTINCT_PROBE })));
    // once a column has shown more values than the probe holds it stays "many-valued" after any merge
    if (p.overflowed) return;
    for (let i = 0; i < values.length && !p.overflowed; i++) if (Number.isFinite(values[i])) p.update(String(values[i]));
  }

  /** Adds logged rows (raw inference-log shape: features object, raw prediction, latency, timestamp). */
  add(rows: ReadonlyArray<{ timestamp: number; latencyMs: number; features: Record<string, unknown>; prediction: unknown }>): this {
    const n = rows.length;
    if (n === 0) return this;
    const featureColumns = new Map<string, DataColumn>();
    for (const [name, kind] of this.plan.features) {
      if (kind === 'numerical') {
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const v = rows[i].features[name];
          values[i] = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        }
        featureColumns.set(name, { kind, values });
        this.probe(`f:${name}`, values);
      } else {
        const values = new Array<string | null>(n);
        for (let i = 0; i < n; i++) {
          const v = rows[i].features[name];
          values[i] = v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v)) ? null : String(v);
        }
        featureColumns.set(name, { kind, values });
      }
    }
    const latency = new Float64Array(n);
    const score = new Float64Array(n);
    const value = new Float64Array(n);
    const label = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      if (r.timestamp < this.firstTs) this.firstTs = r.timestamp;
      if (r.timestamp > this.lastTs) this.lastTs = r.timestamp;
      latency[i] = typeof r.latencyMs === 'number' ? r.latencyMs : NaN;
      const p = normalizePrediction(r.prediction, this.plan.spec);
      if (p) this.withPrediction++;
      if (p?.score !== undefined) this.withScore++;
      score[i] = p?.score ?? NaN;
      value[i] = p?.value ?? NaN;
      label[i] = p?.label === undefined ? null : String(p.label);
    }
    this.features.update({ rowCount: n, columns: featureColumns } satisfies DataTable);
    const outputs = new Map<string, DataColumn>([
      [LATENCY, { kind: 'numerical', values: latency }],
      [SCORE, { kind: 'numerical', values: score }],
      [VALUE, { kind: 'numerical', values: value }],
      [LABEL, { kind: 'categorical', values: label }],
    ]);
    this.outputs.update({ rowCount: n, columns: outputs });
    this.probe(`o:${SCORE}`, score);
    this.probe(`o:${VALUE}`, value);
    this.rows += n;
    return this;
  }

  merge(other: WindowSummary): this {
    this.rows += other.rows;
    this.firstTs = Math.min(this.firstTs, other.firstTs);
    this.lastTs = Math.max(this.lastTs, other.lastTs);
    this.withPrediction += other.withPrediction;
    this.withScore += other.withScore;
    this.features.merge(other.features);
    this.outputs.merge(other.outputs);
    for (const [key, p] of other.probes) {
      const mine = this.probes.get(key);
      if (mine) mine.merge(p);
      else this.probes.set(key, CategoryCounts.fromJSON(p.toJSON()));
    }
    this.segmentsRead += other.segmentsRead;
    this.segmentsCached += other.segmentsCached;
    return this;
  }

  /** The distribution of a feature (or an output column: latency_ms, prediction.score|value|label). */
  side(name: string, output = false): DistributionSide | undefined {
    const column = (output ? this.outputs : this.features).columns.get(name);
    if (!column) return undefined;
    if (column.kind === 'categorical') return countsCategoricalSide(column.counts);
    return sketchNumericSide(column.quantiles, column.moments, this.probes.get(`${output ? 'o' : 'f'}:${name}`) ?? null);
  }

  toJSON(): WindowSummaryState {
    return {
      format: SUMMARY_FORMAT, rows: this.rows, firstTs: this.rows ? this.firstTs : null, lastTs: this.rows ? this.lastTs : null,
      withPrediction: this.withPrediction, withScore: this.withScore, features: this.features.toJSON(), outputs: this.outputs.toJSON(),
      probes: Object.fromEntries([...this.probes].map(([k, p]) => [k, p.toJSON()])),
    };
  }

  static fromJSON(state: WindowSummaryState, plan: SummaryPlan): WindowSummary {
    const s = new WindowSummary(plan);
    const options = { k: plan.k, maxCategories: plan.maxCategories, seed: 0x5eed };
    s.rows = state.rows;
    s.firstTs = state.firstTs ?? Infinity;
    s.lastTs = state.lastTs ?? -Infinity;
    s.withPrediction = state.withPrediction;
    s.withScore = state.withScore;
    s.features.merge(TableSummary.fromJSON(state.features, options));
    s.outputs.merge(TableSummary.fromJSON(state.outputs, options));
    for (const [k, p] of Object.entries(state.probes)) s.probes.set(k, CategoryCounts.fromJSON(p));
    return s;
  }
}

interface LoggedRow {
  timestamp: number;
  latencyMs: number;
  features: Record<string, unknown>;
  prediction: unknown;
}

const READ_COLUMNS = ['timestamp_ms', 'role', 'latency_ms', 'features', 'prediction'];

/**
 * One segment's served rows inside [from, to), a Parquet row group at a time (a segment written with a
 * large flush size is never decoded whole).
 */
async function* segmentRowGroups(path: string, fromMs?: number, toMs?: number): AsyncGenerator<LoggedRow[]> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    const raw = (await parquetReadObjects({ file, metadata, columns: READ_COLUMNS, rowStart: start, rowEnd: end })) as Array<Record<string, unknown>>;
    start = end;
    const rows: LoggedRow[] = [];
    for (const r of raw) {
      if (r.role === 'shadow') continue;
      const ts = Number(r.timestamp_ms);
      if ((fromMs !== undefined && ts < fromMs) || (toMs !== undefined && ts >= toMs)) continue;
      rows.push({ timestamp: ts, latencyMs: Number(r.latency_ms), features: JSON.parse(String(r.features)), prediction: JSON.parse(String(r.prediction)) });
    }
    yield rows;
  }
}

export interface WindowSummarizerOptions {
  /** Where closed-segment summaries are kept; default `<log dir>/.summaries`; null disables the cache. */
  cacheDir?: string | null;
}

/** Summarises windows of a segmented inference log, reusing cached per-segment summaries. */
export class WindowSummarizer {
  private readonly cacheDir: string | null;

  constructor(private readonly log: SegmentedInferenceLog, options: WindowSummarizerOptions = {}) {
    this.cacheDir = options.cacheDir === undefined ? join(log.dir, '.summaries') : options.cacheDir;
  }

  /**
   * Rows in a time window, to choose between the exact and the summarised path: segments wholly inside
   * are counted from their Parquet footer, edge segments from their timestamp column. Shadow rows are
   * included (a decision threshold, not a result).
   */
  async countRows(query: InferenceWindowQuery): Promise<number> {
    let n = 0;
    for (const seg of await this.log.segments({ deployment: query.deployment, fromMs: query.from, toMs: query.to })) {
      const file = await asyncBufferFromFile(seg.path);
      const metadata = await parquetMetadataAsync(file);
      if (inside(seg, query)) {
        n += Number(metadata.num_rows);
        continue;
      }
      const ts = (await parquetReadObjects({ file, metadata, columns: ['timestamp_ms'] })) as Array<{ timestamp_ms: number }>;
      for (const r of ts) if ((query.from === undefined || r.timestamp_ms >= query.from) && (query.to === undefined || r.timestamp_ms < query.to)) n++;
    }
    return n;
  }

  private cachePath(seg: { deployment: string; path: string }, plan: SummaryPlan): string | null {
    if (!this.cacheDir) return null;
    return join(this.cacheDir, encodeURIComponent(seg.deployment), `${basename(seg.path)}.${planKey(plan)}.json`);
  }

  private async wholeSegment(seg: { deployment: string; path: string }, plan: SummaryPlan): Promise<WindowSummary> {
    const cached = this.cachePath(seg, plan);
    if (cached) {
      const text = await readFile(cached, 'utf8').catch(() => null);
      if (text !== null) {
        try {
          const state = JSON.parse(text) as WindowSummaryState;
          if (state.format === SUMMARY_FORMAT) {
            const s = WindowSummary.fromJSON(state, plan);
            s.segmentsCached = 1;
            return s;
          }
        } catch {
          // a torn or foreign file: summarise again and overwrite it
        }
      }
    }
    const s = new WindowSummary(plan, seedOf(seg.path));
    for await (const rows of segmentRowGroups(seg.path)) s.add(rows);
    s.segmentsRead = 1;
    if (cached) {
      // written aside then renamed, so a concurrent reader sees the whole file or none
      await mkdir(join(cached, '..'), { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(s.toJSON()));
      await rename(tmp, cached);
    }
    return s;
  }

  /**
   * Summary of a window. Time windows: every overlapping segment, cached when wholly inside. Count
   * windows (`last`): segments newest first, whole while they fit, the oldest one cut to its newest rows
   * (segments of one deployment are assumed not to interleave in time, as one writer per replica makes them).
   */
  async summarize(query: InferenceWindowQuery, plan: SummaryPlan): Promise<WindowSummary> {
    const total = new WindowSummary(plan);
    const segments = await this.log.segments({ deployment: query.deployment, fromMs: query.from, toMs: query.to });
    if (query.last === undefined) {
      for (const seg of segments) {
        if (inside(seg, query)) total.merge(await this.wholeSegment(seg, plan));
        else {
          const part = new WindowSummary(plan, seedOf(seg.path));
          for await (const rows of segmentRowGroups(seg.path, query.from, query.to)) part.add(rows);
          part.segmentsRead = 1;
          total.merge(part);
        }
      }
      return total;
    }
    let remaining = query.last;
    for (const seg of segments.reverse()) {
      if (remaining <= 0) break;
      if (inside(seg, query)) {
        const whole = await this.wholeSegment(seg, plan);
        if (whole.rows <= remaining) {
          total.merge(whole);
          remaining -= whole.rows;
          continue;
        }
      }
      // the boundary segment: one segment in memory, its newest rows kept
      const rows: LoggedRow[] = [];
      for await (const group of segmentRowGroups(seg.path, query.from, query.to)) rows.push(...group);
      rows.sort((a, b) => a.timestamp - b.timestamp);
      const part = new WindowSummary(plan, seedOf(seg.path)).add(rows.slice(Math.max(0, rows.length - remaining)));
      part.segmentsRead = 1;
      remaining -= part.rows;
      total.merge(part);
    }
    return total;
  }
}

function inside(seg: { firstMs: number; lastMs: number }, q: InferenceWindowQuery): boolean {
  return (q.from === undefined || seg.firstMs >= q.from) && (q.to === undefined || seg.lastMs < q.to);
}

const seedOf = (path: string) => createHash('sha256').update(basename(path)).digest().readUInt32LE(0);

function planKey(plan: SummaryPlan): string {
  const spec = { task: plan.spec.task, fields: plan.spec.predictionFields ?? null, positive: plan.spec.positiveLabel ?? null };
  return createHash('sha256').update(JSON.stringify([SUMMARY_FORMAT, plan.features, spec, plan.k, plan.maxCategories])).digest('hex').slice(0, 16);
}

/** An exact side per column of an in-memory table (the reference). */
export function exactSides(table: DriftTable): Map<string, DistributionSide> {
  const out = new Map<string, DistributionSide>();
  for (const [name, col] of table.columns as ReadonlyMap<string, TypedDriftColumn>) {
    out.set(name, col.kind === 'numerical' ? exactNumericSide(col.values as Float64Array) : exactCategoricalSide(col.values as Array<string | null>));
  }
  return out;
}

/** What data quality compares against, per column: range, known categories, missing share. */
interface ReferenceFacts {
  min: number;
  max: number;
  known: Set<string> | null;
  missingShare: number;
}

function referenceFacts(reference: DriftTable | WindowSummary): Map<string, ReferenceFacts> {
  const out = new Map<string, ReferenceFacts>();
  if (reference instanceof WindowSummary) {
    for (const [f, c] of reference.features.columns) {
      if (c.kind === 'numerical') out.set(f, { min: c.moments.min, max: c.moments.max, known: null, missingShare: reference.rows ? c.moments.missing / reference.rows : 0 });
      else out.set(f, { min: NaN, max: NaN, known: new Set(c.counts.entries().map(([k]) => k)), missingShare: reference.rows ? c.counts.missing / reference.rows : 0 });
    }
    return out;
  }
  for (const [f, ref] of reference.columns as ReadonlyMap<string, TypedDriftColumn>) {
    if (ref.kind === 'numerical') {
      const rv = ref.values as Float64Array;
      let min = Infinity;
      let max = -Infinity;
      let missing = 0;
      for (const v of rv) {
        if (Number.isNaN(v)) missing++;
        else {
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      out.set(f, { min, max, known: null, missingShare: rv.length ? missing / rv.length : 0 });
    } else {
      const rv = ref.values as ReadonlyArray<string | null>;
      const known = new Set<string>();
      let missing = 0;
      for (const v of rv) {
        if (v === null) missing++;
        else known.add(v);
      }
      out.set(f, { min: NaN, max: NaN, known, missingShare: rv.length ? missing / rv.length : 0 });
    }
  }
  return out;
}

/**
 * Missing, unseen-category and out-of-range shares of a summarised window against the reference (exact
 * table or summary). Missing and new-category shares are exact; out-of-range comes from the sketch.
 */
export function summaryDataQuality(reference: DriftTable | WindowSummary, summary: WindowSummary): { quality: Record<string, ColumnQuality>; rankError: number } {
  const out: Record<string, ColumnQuality> = {};
  const share = (n: number, d: number) => (d === 0 ? 0 : n / d);
  let rankError = 0;
  for (const [f, ref] of referenceFacts(reference)) {
    const column = summary.features.columns.get(f);
    if (!column) continue;
    if (column.kind === 'numerical' && ref.known === null) {
      const { min, max } = ref;
      const m = column.moments;
      const side = sketchNumericSide(column.quantiles, m, null);
      rankError = Math.max(rankError, side.rankError);
      // below the reference minimum + above its maximum, from the sketch (exactly 0 when the window's range is inside)
      let outside = 0;
      if (m.count > 0 && (m.min < min || m.max > max)) {
        const below = m.min < min ? weightShareBelow(side, min) : 0;
        const above = m.max > max ? 1 - weightShareAtMost(side, max) : 0;
        outside = (below + above) * m.count;
      }
      out[f] = { missingShare: share(m.missing, summary.rows), referenceMissingShare: ref.missingShare, outOfRangeShare: share(outside + m.infinite, m.count + m.infinite) };
    } else if (column.kind === 'categorical' && ref.known) {
      const unseen: string[] = [];
      let unseenCount = 0;
      for (const [category, n] of column.counts.entries()) {
        if (!ref.known.has(category)) {
          unseen.push(category);
          unseenCount += n;
        }
      }
      out[f] = {
        missingShare: share(column.counts.missing, summary.rows),
        referenceMissingShare: ref.missingShare,
        newCategories: unseen.sort().slice(0, 50),
        newCategoryShare: share(unseenCount, column.counts.total),
      };
    }
  }
  return { quality: out, rankError };
}

function weightShareBelow(side: ReturnType<typeof sketchNumericSide>, x: number): number {
  let w = 0;
  for (let i = 0; i < side.values.length && side.values[i] < x; i++) w = side.cumulative[i];
  return w / side.totalWeight;
}

function weightShareAtMost(side: ReturnType<typeof sketchNumericSide>, x: number): number {
  let w = 0;
  for (let i = 0; i < side.values.length && side.values[i] <= x; i++) w = side.cumulative[i];
  return w / side.totalWeight;
}

export interface SummarisedRunInput {
  spec: MonitorSpec;
  summaries: WindowSummarizer;
  query: InferenceWindowQuery;
  now: number;
  /** The reference rows; with `referenceWindow`, only a sample that fixes the watched features and their kinds. */
  reference: { source: string; rows: ObservedRow[] };
  /** A reference window too large to load: summarised like the current one (and cached per segment). */
  referenceWindow?: InferenceWindowQuery;
  /** Serving's counters and the error rate since the previous run, computed by the runner. */
  errorRate?: { counters: RequestCounters; rate: number | null } | null;
  k?: number;
  maxCategories?: number;
  sketchAboveRows: number;
}

/**
 * A monitor run over a summarised window: feature and prediction drift, data quality and latency from
 * the summary, marked approximate with each bound. Performance, CBPE and concept drift need every row
 * joined to its label and are skipped with a reason (use a window under the threshold for them).
 */
export async function summarisedMonitorRun(input: SummarisedRunInput): Promise<MonitorRunResults> {
  const { spec, reference } = input;
  const features = watchedFeatures(spec, reference.rows);
  const kinds = inferFeatureKinds(reference.rows, features);
  const k = input.k ?? DEFAULT_MONITOR_SKETCH_K;
  const plan: SummaryPlan = { features: [...kinds], spec: { task: spec.task, predictionFields: spec.predictionFields, positiveLabel: spec.positiveLabel }, k, maxCategories: input.maxCategories ?? 10_000 };
  const summary = await input.summaries.summarize(input.query, plan);
  const refSummary = input.referenceWindow ? await input.summaries.summarize(input.referenceWindow, plan) : undefined;
  const windowFrom = spec.window.type === 'time' ? input.now - spec.window.durationMs : summary.rows ? summary.firstTs : null;
  const windowTo = spec.window.type === 'time' ? input.now : summary.rows ? summary.lastTs : null;
  const rankError = allRanksError(k);
  const results: MonitorRunResults = {
    window: { from: windowFrom, to: windowTo, rows: summary.rows },
    reference: { source: reference.source, rows: refSummary ? refSummary.rows : reference.rows.length },
    metrics: { 'window.rows': summary.rows, 'window.approximate': 1 },
    skipped: {},
    approximate: {
      method: 'sketch',
      reason: `the window is above ${input.sketchAboveRows} rows: summarised segment by segment instead of loaded`,
      k,
      rankError,
      segmentsRead: summary.segmentsRead + (refSummary?.segmentsRead ?? 0),
      segmentsCached: summary.segmentsCached + (refSummary?.segmentsCached ?? 0),
      bounds: 'KLL all-ranks error ±' + rankError.toPrecision(3) + ' (99%): KS D within it, Wasserstein/PSI/JS within the interval per column; category counts, missing shares, means exact; latency percentiles within that rank error',
    },
  };
  const m = results.metrics;
  const checks = spec.checks;
  if (checks.errorRate && input.errorRate) {
    results.servingCounters = input.errorRate.counters;
    if (input.errorRate.rate !== null) {
      results.errorRate = input.errorRate.rate;
      m.error_rate = input.errorRate.rate;
    } else results.skipped.errorRate = 'no requests since the previous run';
  }
  if (summary.rows === 0) {
    results.skipped.all = 'the window holds no requests';
    return results;
  }
  const driftOptions: DriftOptions = {
    ...(spec.drift?.driftShare !== undefined ? { driftShare: spec.drift.driftShare } : {}),
    ...(spec.drift?.method !== undefined ? { method: spec.drift.method } : {}),
    ...(spec.drift?.threshold !== undefined ? { threshold: spec.drift.threshold } : {}),
  };
  let refTable: DriftTable | undefined;
  const referenceTable = () => (refTable ??= featureTable(reference.rows, kinds));

  if (checks.featureDrift) {
    if (reference.rows.length === 0 || refSummary?.rows === 0) results.skipped.featureDrift = 'the reference is empty';
    else {
      const sidesOf = (s: WindowSummary) => {
        const sides = new Map<string, DistributionSide>();
        for (const [f] of kinds) {
          const side = s.side(f);
          if (side) sides.set(f, side);
        }
        return sides;
      };
      const refSides = refSummary ? sidesOf(refSummary) : exactSides(referenceTable());
      const report = sketchDriftReport(refSides, sidesOf(summary), { ...driftOptions, columns: [...kinds.keys()] }, { reference: results.reference.rows, current: summary.rows });
      results.featureDrift = {
        share: report.shareDrifted,
        nDrifted: report.nDrifted,
        nColumns: report.nColumns,
        drifted: report.drifted,
        columns: report.columns.map((c) => ({ column: c.column, method: c.method, score: c.score, drifted: c.drifted, scoreInterval: c.scoreInterval, uncertainty: c.uncertainty, verdictCertain: c.verdictCertain })),
      };
      m['feature_drift.share'] = report.shareDrifted;
      m['feature_drift.n_drifted'] = report.nDrifted;
      m['feature_drift.drifted'] = report.drifted ? 1 : 0;
      for (const c of report.columns) {
        if (c.score === null) continue;
        m[`feature_drift.${c.column}.score`] = c.score;
        m[`feature_drift.${c.column}.uncertainty`] = c.uncertainty;
      }
    }
  }

  if (checks.predictionDrift) {
    const refPred = reference.rows.filter((r) => r.prediction !== null);
    if (refSummary ? refSummary.withPrediction === 0 : refPred.length === 0) results.skipped.predictionDrift = 'the reference has no predictions';
    else {
      const refScored = refSummary ? refSummary.withScore === refSummary.rows : refPred.every((r) => r.prediction!.score !== undefined);
      const useScore = spec.task === 'binary' && refScored && summary.withScore === summary.rows;
      const outputColumn = spec.task === 'regression' ? VALUE : useScore ? SCORE : LABEL;
      const refSide = refSummary?.side(outputColumn, true);
      const refSides = refSummary ? new Map(refSide ? [['prediction', refSide]] : []) : exactSides(predictionTable(refPred, spec, useScore));
      const curSide = summary.side(outputColumn, true);
      const report: SketchDriftReport = sketchDriftReport(refSides, new Map(curSide ? [['prediction', curSide]] : []), { ...driftOptions, driftShare: 0.5, columns: ['prediction'] });
      const col = report.columns[0];
      results.predictionDrift = { method: col?.method ?? 'none', score: col?.score ?? null, drifted: col?.drifted ?? false, scoreInterval: col?.scoreInterval, uncertainty: col?.uncertainty };
      if (col?.score !== null && col?.score !== undefined) {
        m['prediction_drift.score'] = col.score;
        m['prediction_drift.uncertainty'] = col.uncertainty;
      }
      m['prediction_drift.drifted'] = col?.drifted ? 1 : 0;
    }
  }

  if (checks.dataQuality) {
    const { quality } = summaryDataQuality(refSummary ?? referenceTable(), summary);
    results.dataQuality = quality;
    Object.assign(m, dataQualityMetrics(quality));
  }

  if (checks.latency) {
    const col = summary.outputs.columns.get(LATENCY);
    if (col?.kind === 'numerical' && col.moments.count > 0) {
      // KLL quantiles (rank within the error bound), not numpy's interpolation between neighbours
      results.latency = { p50Ms: col.quantiles.quantile(0.5), p99Ms: col.quantiles.quantile(0.99), meanMs: col.moments.mean };
      m['latency.p50_ms'] = results.latency.p50Ms;
      m['latency.p99_ms'] = results.latency.p99Ms;
      m['latency.mean_ms'] = results.latency.meanMs;
    } else results.skipped.latency = 'no latencies logged';
  }

  const rowLevel = `a summarised window (${summary.rows} rows) has no per-row labels; run it on a window under ${input.sketchAboveRows} rows`;
  if (checks.performance) results.skipped.performance = rowLevel;
  if (checks.estimatedPerformance) results.skipped.estimatedPerformance = rowLevel;
  return results;
}
