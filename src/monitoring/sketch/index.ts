/**
 * Mergeable streaming summaries for windows larger than memory: a KLL quantile sketch with a
 * stated rank-error bound, capped exact category counts, and Welford/Chan numeric moments,
 * combined per table in `TableSummary`.
 */
export { KllSketch, type KllSketchState } from './kll-sketch.ts';
export { CategoryCounts, type CategoryCountsState } from './category-counts.ts';
export { NumericMoments, type NumericMomentsState } from './moments.ts';
export { IntegerDomain, INTEGER_DOMAIN_LIMIT, type IntegerDomainState } from './integer-domain.ts';
export { TableSummary, summarizeTable, type ColumnSummary, type ColumnSummaryState, type SummaryOptions, type TableSummaryState } from './table-summary.ts';
