import type { Label } from '../performance/metrics.ts';
import type { LoggedInference, MonitorSpec, NormalizedPrediction, ObservedRow } from './types.ts';

const isLabel = (v: unknown): v is Label => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** `{class: p}` as a ZipMap logs it, or a plain array (class = index, as a model without ZipMap outputs it). */
function probabilityMap(v: unknown): Record<string, number> | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const out: Record<string, number> = {};
  for (const [k, p] of Object.entries(v)) if (typeof p === 'number' && Number.isFinite(p)) out[k] = p;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Reads a logged prediction: a bare label/number, or an object carrying label, score and/or
 * probabilities under the configured (or conventional) field names.
 */
export function normalizePrediction(raw: unknown, spec: Pick<MonitorSpec, 'task' | 'predictionFields' | 'positiveLabel'>): NormalizedPrediction | null {
  if (raw === null || raw === undefined) return null;
  const out: NormalizedPrediction = {};
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    const f = spec.predictionFields ?? {};
    // Conventional names, then skl2onnx's (`output_label`, `output_probability`) as the serving log records them.
    const label = f.label ? o[f.label] : (o.label ?? o.predicted_label ?? o.prediction ?? o.class ?? o.output_label);
    const score = f.score ? o[f.score] : (o.score ?? o.probability);
    const probs = probabilityMap(f.probabilities ? o[f.probabilities] : (o.probabilities ?? o.output_probability));
    if (isLabel(label)) out.label = label;
    if (typeof score === 'number' && Number.isFinite(score)) out.score = score;
    if (probs) out.probabilities = probs;
  } else if (Array.isArray(raw) && raw.length === 1) {
    return normalizePrediction(raw[0], spec);
  } else if (isLabel(raw)) {
    out.label = raw;
  } else return null;
  if (spec.task === 'regression') {
    const v = typeof out.label === 'number' ? out.label : typeof out.label === 'string' ? Number(out.label) : NaN;
    return Number.isFinite(v) ? { value: v } : null;
  }
  if (spec.task === 'binary' && out.score === undefined && out.probabilities) {
    const p = out.probabilities[String(spec.positiveLabel ?? 1)];
    if (p !== undefined) out.score = p;
  }
  if (out.label === undefined && out.probabilities) {
    // The argmax class is the prediction when only probabilities were logged.
    out.label = Object.entries(out.probabilities).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  }
  if (out.label === undefined && spec.task === 'binary' && out.score !== undefined) {
    out.label = out.score >= 0.5 ? (spec.positiveLabel ?? 1) : negativeOf(spec.positiveLabel ?? 1);
  }
  return out.label === undefined ? null : out;
}

/** Binary negatives are 0 for numeric positives, `false` for booleans, otherwise unknown ("not <positive>"). */
function negativeOf(positive: Label): Label {
  if (typeof positive === 'number') return positive === 1 ? 0 : 1;
  if (typeof positive === 'boolean') return !positive;
  return `not ${positive}`;
}

export function observeLogged(row: LoggedInference, spec: MonitorSpec): ObservedRow {
  return {
    requestId: row.requestId,
    features: row.features ?? {},
    prediction: normalizePrediction(row.prediction, spec),
    latencyMs: row.latencyMs,
    error: row.error ?? null,
    timestamp: row.timestamp,
  };
}

/**
 * Reference rows uploaded as flat records (a CSV's rows): `label` (or `labelColumn`) is the ground truth,
 * `prediction` / `score` / `probabilities` the model's output when known, every other column a feature.
 */
export function observeFlat(record: Record<string, unknown>, spec: MonitorSpec, labelColumn = 'label'): ObservedRow {
  const features: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k !== labelColumn && k !== 'prediction' && k !== 'score' && k !== 'probabilities' && k !== 'request_id') features[k] = v;
  }
  const label = record[labelColumn];
  const hasPrediction = record.prediction !== undefined || record.score !== undefined || record.probabilities !== undefined;
  return {
    features,
    prediction: hasPrediction
      ? normalizePrediction({ label: record.prediction, score: record.score, probabilities: record.probabilities }, { ...spec, predictionFields: undefined })
      : null,
    label: isLabel(label) ? label : undefined,
  };
}
