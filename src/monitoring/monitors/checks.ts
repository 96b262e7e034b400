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

/** Missing values, unseen categories and out-of-range numbers in the current window, relative to the reference. */
export function dataQuality(reference: ObservedRow[], current: ObservedRow[], kinds: Map<string, FeatureKind>): Record<string, ColumnQuality> {
  const out: Record<string, ColumnQuality> = {};
  const share = (n: number, d: number) => (d === 0 ? 0 : n / d);
  for (const [f, kind] of kinds) {
    const refMissing = reference.filter((r) => isMissing(r.features[f])).length;
    const curPresent = current.filter((r) => !isMissing(r.features[f]));
    const q: ColumnQuality = {
      missingShare: share(current.length - curPresent.length, current.length),
      referenceMissingShare: share(refMissing, reference.length),
    };
    if (kind === 'numerical') {
      let min = Infinity;
      let max = -Infinity;
      for (const r of reference) {
        const v = r.features[f];
        if (typeof v === 'number' && Number.isFinite(v)) {
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      const outside = curPresent.filter((r) => {
        const v = Number(r.features[f]);
        return !Number.isFinite(v) || v < min || v > max;
      }).length;
      q.outOfRangeShare = share(outside, curPresent.length);
    } else {
      const known = new Set(reference.filter((r) => !isMissing(r.features[f])).map((r) => String(r.features[f])));
      const unseen = new Map<string, number>();
      for (const r of curPresent) {
        const v = String(r.features[f]);
        if (!known.has(v)) unseen.set(v, (unseen.get(v) ?? 0) + 1);
      }
      q.newCategories = [...unseen.keys()].sort().slice(0, 50);
      q.newCategoryShare = share([...unseen.values()].reduce((a, b) => a + b, 0), curPresent.length);
    }
    out[f] = q;
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
