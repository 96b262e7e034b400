import { invalidParameter } from '../../core/errors.ts';
import type { DataTable } from '../../data/index.ts';
import { CategoryCounts, type CategoryCountsState } from './category-counts.ts';
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
  | { readonly kind: 'numerical'; readonly moments: NumericMoments; readonly quantiles: KllSketch }
  | { readonly kind: 'categorical'; readonly counts: CategoryCounts };

export type ColumnSummaryState =
  | { kind: 'numerical'; moments: NumericMomentsState; quantiles: KllSketchState }
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
        ? { kind, moments: new NumericMoments(), quantiles: new KllSketch({ k: this.options.k, seed: this.options.seed }) }
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
  toStandInColumns(sampleSize = 10_000): Map<string, Float64Array | Array<string | null>> {
    const columns = new Map<string, Float64Array | Array<string | null>>();
    for (const [name, c] of this.columns) {
      if (c.kind === 'numerical') {
        columns.set(name, c.quantiles.quantileSample(sampleSize));
        continue;
      }
      const entries = c.counts.entries();
      if (c.counts.otherCount > 0) entries.push(['(other)', c.counts.otherCount]);
      const total = entries.reduce((n, [, k]) => n + k, 0);
      const values: Array<string | null> = [];
      // largest-remainder rounding, so the stand-in has exactly sampleSize rows when there is data
      const quotas = entries.map(([category, k]) => ({ category, exact: (k / Math.max(1, total)) * sampleSize }));
      const floors = quotas.map((q) => Math.floor(q.exact));
      let left = total === 0 ? 0 : sampleSize - floors.reduce((a, b) => a + b, 0);
      const order = quotas.map((q, i) => i).sort((a, b) => (quotas[b].exact - floors[b]) - (quotas[a].exact - floors[a]));
      for (const i of order) {
        if (left-- <= 0) break;
        floors[i]++;
      }
      quotas.forEach((q, i) => {
        for (let r = 0; r < floors[i]; r++) values.push(q.category);
      });
      columns.set(name, values);
    }
    return columns;
  }

  toJSON(): TableSummaryState {
    const columns: Record<string, ColumnSummaryState> = {};
    for (const [name, c] of this.columns) {
      columns[name] = c.kind === 'numerical'
        ? { kind: 'numerical', moments: c.moments.toJSON(), quantiles: c.quantiles.toJSON() }
        : { kind: 'categorical', counts: c.counts.toJSON() };
    }
    return { rows: this.rows, columns };
  }

  static fromJSON(state: TableSummaryState, options: SummaryOptions = {}): TableSummary {
    const summary = new TableSummary(options);
    summary.rows = state.rows;
    for (const [name, c] of Object.entries(state.columns)) {
      summary.columns.set(name, c.kind === 'numerical'
        ? { kind: 'numerical', moments: NumericMoments.fromJSON(c.moments), quantiles: KllSketch.fromJSON(c.quantiles, options.seed) }
        : { kind: 'categorical', counts: CategoryCounts.fromJSON(c.counts) });
    }
    return summary;
  }
}

export interface TableSummaryState {
  rows: number;
  columns: Record<string, ColumnSummaryState>;
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
