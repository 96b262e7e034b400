import { invalidParameter } from '../../core/errors.ts';
import type { DataTable } from '../../data/index.ts';
import { CategoryCounts, type CategoryCountsState } from './category-counts.ts';
import { IntegerDomain, type IntegerDomainState } from './integer-domain.ts';
import { KllSketch, type KllSketchState } from './kll-sketch.ts';
import { NumericMoments, type NumericMomentsState } from './moments.ts';

export interface SummaryOptions {
  /** KLL accuracy parameter (default 200: ~1.3% rank error, a few KB per column). */
  k?: number;
  /** Distinct categories tracked exactly per column (default 10,000). */
  maxCategories?: number;
  /** Seed for the KLL coin flips, for reproducible summaries. */
  seed?: number;
}

export type ColumnSummary =
  | { readonly kind: 'numerical'; readonly moments: NumericMoments; readonly quantiles: KllSketch; readonly domain: IntegerDomain }
  | { readonly kind: 'categorical'; readonly counts: CategoryCounts };

export type ColumnSummaryState =
  | { kind: 'numerical'; moments: NumericMomentsState; quantiles: KllSketchState; domain?: IntegerDomainState }
  | { kind: 'categorical'; counts: CategoryCountsState };

/**
 * A bounded-memory summary of a table stream: per numerical column moments + a KLL sketch, per
 * categorical column capped exact counts. Feed it chunks (`update`), combine summaries of parts
 * (`merge`, e.g. hourly windows into a day), store it (`toJSON`). Memory depends on the number of
 * columns and k, not on the number of rows.
 */
export class TableSummary {
  readonly columns = new Map<string, ColumnSummary>();
  rows = 0;
  private readonly options: SummaryOptions;

  constructor(options: SummaryOptions = {}) {
    this.options = options;
  }

  private columnFor(name: string, kind: 'numerical' | 'categorical'): ColumnSummary {
    let column = this.columns.get(name);
    if (!column) {
      column = kind === 'numerical'
        ? { kind, moments: new NumericMoments(), quantiles: new KllSketch({ k: this.options.k, seed: this.options.seed }), domain: new IntegerDomain() }
        : { kind, counts: new CategoryCounts({ maxCategories: this.options.maxCategories }) };
      this.columns.set(name, column);
    } else if (column.kind !== kind) {
      throw invalidParameter(`column '${name}' is ${column.kind} in the summary but ${kind} in the new data`);
    }
    return column;
  }

  update(table: DataTable): this {
    for (const [name, data] of table.columns) {
      const column = this.columnFor(name, data.kind);
      if (column.kind === 'numerical') {
        const values = data.values as Float64Array;
        column.moments.updateAll(values);
        column.quantiles.updateAll(values);
        column.domain.update(values, data.kind === 'numerical' && data.integer === true);
      } else {
        column.counts.updateAll(data.values as Array<string | null>);
      }
    }
    this.rows += table.rowCount;
    return this;
  }

  merge(other: TableSummary): this {
    for (const [name, theirs] of other.columns) {
      const mine = this.columnFor(name, theirs.kind);
      if (mine.kind === 'numerical' && theirs.kind === 'numerical') {
        mine.moments.merge(theirs.moments);
        mine.quantiles.merge(theirs.quantiles);
        mine.domain.merge(theirs.domain);
      } else if (mine.kind === 'categorical' && theirs.kind === 'categorical') {
        mine.counts.merge(theirs.counts);
      }
    }
    this.rows += other.rows;
    return this;
  }

  /**
   * A stand-in table with this window's distributions, `sampleSize` rows per column: evenly spaced
   * quantiles for numerical columns, categories in proportion to their counts. It lets the drift
   * report compare windows too large to keep, with distance methods (Wasserstein, Jensen–Shannon,
   * PSI, KL, Hellinger, which is what Evidently picks above 1,000 rows). p-value tests (KS,
   * chi-squared, Z) must not be run on it: their p-values depend on the real row count.
   */
  toStandInColumns(sampleSize = 10_000): Map<string, Float64Array | number[] | Array<string | null>> {
    const columns = new Map<string, Float64Array | number[] | Array<string | null>>();
    for (const [name, c] of this.columns) {
      if (c.kind === 'numerical') {
        // an int64-like column with few values stays integers, so drift type inference sees what
        // it would see on the raw data (Evidently: categorical)
        columns.set(name, c.domain.isSmall ? proportionalSample([...c.domain.counts!], sampleSize) : c.quantiles.quantileSample(sampleSize));
        continue;
      }
      const entries: Array<[string, number]> = c.counts.entries();
      if (c.counts.otherCount > 0) entries.push(['(other)', c.counts.otherCount]);
      columns.set(name, proportionalSample(entries, sampleSize));
    }
    return columns;
  }

  toJSON(): TableSummaryState {
    const columns: Record<string, ColumnSummaryState> = {};
    for (const [name, c] of this.columns) {
      columns[name] = c.kind === 'numerical'
        ? { kind: 'numerical', moments: c.moments.toJSON(), quantiles: c.quantiles.toJSON(), domain: c.domain.toJSON() }
        : { kind: 'categorical', counts: c.counts.toJSON() };
    }
    return { rows: this.rows, columns };
  }

  static fromJSON(state: TableSummaryState, options: SummaryOptions = {}): TableSummary {
    const summary = new TableSummary(options);
    summary.rows = state.rows;
    for (const [name, c] of Object.entries(state.columns)) {
      summary.columns.set(name, c.kind === 'numerical'
        ? { kind: 'numerical', moments: NumericMoments.fromJSON(c.moments), quantiles: KllSketch.fromJSON(c.quantiles, options.seed), domain: IntegerDomain.fromJSON(c.domain) }
        : { kind: 'categorical', counts: CategoryCounts.fromJSON(c.counts) });
    }
    return summary;
  }
}

export interface TableSummaryState {
  rows: number;
  columns: Record<string, ColumnSummaryState>;
}

/** `size` values in proportion to their counts (largest-remainder rounding: exactly `size` rows when there is data). */
function proportionalSample<T>(entries: Array<[T, number]>, size: number): T[] {
  const total = entries.reduce((n, [, k]) => n + k, 0);
  if (total === 0) return [];
  const exact = entries.map(([, k]) => (k / total) * size);
  const rows = exact.map(Math.floor);
  let left = size - rows.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((_, i) => i).sort((a, b) => exact[b] - rows[b] - (exact[a] - rows[a]));
  for (const i of byRemainder) {
    if (left-- <= 0) break;
    rows[i]++;
  }
  const out: T[] = [];
  entries.forEach(([value], i) => {
    for (let r = 0; r < rows[i]; r++) out.push(value);
  });
  return out;
}

/** Summarises a stream of chunks (e.g. `scanTable(path)`) without holding more than one chunk. */
export async function summarizeTable(
  chunks: AsyncIterable<DataTable> | Iterable<DataTable>,
  options: SummaryOptions & { onProgress?: (rows: number) => void } = {},
): Promise<TableSummary> {
  const summary = new TableSummary(options);
  for await (const chunk of chunks) {
    summary.update(chunk);
    options.onProgress?.(summary.rows);
  }
  return summary;
}
