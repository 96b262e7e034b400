import type { DriftTable, TypedDriftColumn } from '../drift/types.ts';
import type { ColumnQuality, MonitorSpec, ObservedRow } from './types.ts';

export type FeatureKind = 'numerical' | 'categorical';

const isMissing = (v: unknown) => v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));

/** A feature is numerical when every present reference value is a finite number; anything else is a category. */
export function inferFeatureKinds(reference: ObservedRow[], features: string[]): Map<string, FeatureKind> {
  const kinds = new Map<string, FeatureKind>();
  for (const f of features) {
    let numeric = true;
    let seen = false;
    for (const r of reference) {
      const v = r.features[f];
      if (isMissing(v)) continue;
      seen = true;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        numeric = false;
        break;
      }
    }
    kinds.set(f, seen && numeric ? 'numerical' : 'categorical');
  }
  return kinds;
}

/** Watched features: the spec's list, else every feature the reference has. */
export function watchedFeatures(spec: MonitorSpec, reference: ObservedRow[]): string[] {
  if (spec.features && spec.features.length > 0) return spec.features;
  const names = new Set<string>();
  for (const r of reference) for (const k of Object.keys(r.features)) names.add(k);
  return [...names];
}

function column(rows: ObservedRow[], feature: string, kind: FeatureKind): TypedDriftColumn {
  if (kind === 'numerical') {
    const values = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      const v = r.features[feature];
      values[i] = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    });
    return { kind, values };
  }
  return { kind, values: rows.map((r) => (isMissing(r.features[feature]) ? null : String(r.features[feature]))) };
}

export function featureTable(rows: ObservedRow[], kinds: Map<string, FeatureKind>): DriftTable {
  const columns = new Map<string, TypedDriftColumn>();
  for (const [f, kind] of kinds) columns.set(f, column(rows, f, kind));
  return { columns };
}

/** The prediction as one drift column: the positive-class score for binary models that log one, else the label/value. */
export function predictionTable(rows: ObservedRow[], spec: MonitorSpec, useScore: boolean): DriftTable {
  const withPrediction = rows.filter((r) => r.prediction !== null);
  if (spec.task === 'regression') {
    return { columns: new Map([['prediction', { kind: 'numerical', values: Float64Array.from(withPrediction, (r) => r.prediction!.value ?? NaN) }]]) };
  }
  if (useScore) {
    return { columns: new Map([['prediction', { kind: 'numerical', values: Float64Array.from(withPrediction, (r) => r.prediction!.score ?? NaN) }]]) };
  }
  return { columns: new Map([['prediction', { kind: 'categorical', values: withPrediction.map((r) => (r.prediction!.label === undefined ? null : String(r.prediction!.label))) }]]) };
}

/**
 * Missing values, unseen categories and out-of-range numbers in the current window, relative to the
 * reference. Works on the columnar tables the drift check builds (one pass per column, no row objects).
 */
export function dataQuality(reference: DriftTable, current: DriftTable): Record<string, ColumnQuality> {
  const out: Record<string, ColumnQuality> = {};
  const share = (n: number, d: number) => (d === 0 ? 0 : n / d);
  const refCols = reference.columns as ReadonlyMap<string, TypedDriftColumn>;
  const curCols = current.columns as ReadonlyMap<string, TypedDriftColumn>;
  for (const [f, ref] of refCols) {
    const cur = curCols.get(f)!;
    if (ref.kind === 'numerical') {
      const rv = ref.values as Float64Array;
      const cv = cur.values as Float64Array;
      let min = Infinity;
      let max = -Infinity;
      let refMissing = 0;
      for (let i = 0; i < rv.length; i++) {
        const v = rv[i];
        if (Number.isNaN(v)) refMissing++;
        else {
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      let missing = 0;
      let outside = 0;
      for (let i = 0; i < cv.length; i++) {
        const v = cv[i];
        if (Number.isNaN(v)) missing++;
        else if (v < min || v > max) outside++;
      }
      out[f] = { missingShare: share(missing, cv.length), referenceMissingShare: share(refMissing, rv.length), outOfRangeShare: share(outside, cv.length - missing) };
    } else {
      const rv = ref.values as ReadonlyArray<string | null>;
      const cv = cur.values as ReadonlyArray<string | null>;
      const known = new Set<string>();
      let refMissing = 0;
      for (const v of rv) {
        if (v === null) refMissing++;
        else known.add(v);
      }
      const unseen = new Map<string, number>();
      let missing = 0;
      let unseenCount = 0;
      for (const v of cv) {
        if (v === null) missing++;
        else if (!known.has(v)) {
          unseen.set(v, (unseen.get(v) ?? 0) + 1);
          unseenCount++;
        }
      }
      out[f] = {
        missingShare: share(missing, cv.length),
        referenceMissingShare: share(refMissing, rv.length),
        newCategories: [...unseen.keys()].sort().slice(0, 50),
        newCategoryShare: share(unseenCount, cv.length - missing),
      };
    }
  }
  return out;
}

/** Percentile with linear interpolation between closest ranks (numpy's default). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function latency(rows: ObservedRow[]): { p50Ms: number; p99Ms: number; meanMs: number } | null {
  const values = rows.map((r) => r.latencyMs).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return { p50Ms: percentile(values, 0.5), p99Ms: percentile(values, 0.99), meanMs: values.reduce((a, b) => a + b, 0) / values.length };
}

export function errorRate(rows: ObservedRow[]): number {
  if (rows.length === 0) return 0;
  return rows.filter((r) => r.error).length / rows.length;
}

/** Data quality as flat metrics for alert rules: each column's shares, and the worst column's under `.max`. */
export function dataQualityMetrics(quality: Record<string, ColumnQuality>): Record<string, number> {
  const m: Record<string, number> = {};
  let maxMissing = 0;
  let maxNew = 0;
  let maxOut = 0;
  for (const [col, q] of Object.entries(quality)) {
    m[`data_quality.${col}.missing_share`] = q.missingShare;
    maxMissing = Math.max(maxMissing, q.missingShare);
    if (q.newCategoryShare !== undefined) {
      m[`data_quality.${col}.new_category_share`] = q.newCategoryShare;
      maxNew = Math.max(maxNew, q.newCategoryShare);
    }
    if (q.outOfRangeShare !== undefined) {
      m[`data_quality.${col}.out_of_range_share`] = q.outOfRangeShare;
      maxOut = Math.max(maxOut, q.outOfRangeShare);
    }
  }
  m['data_quality.missing_share.max'] = maxMissing;
  m['data_quality.new_category_share.max'] = maxNew;
  m['data_quality.out_of_range_share.max'] = maxOut;
  return m;
}
