import { WindowSummarizer, isSegmentedLog } from './window-summary.ts';
import { normalizePrediction } from './observations.ts';
import type { InferenceWindowQuery, InferenceWindowSource, LoggedInference, RequestCounterSource, RequestCounters } from './types.ts';

/** The parts of serving's `InferenceLogReader` record that monitors read (structural, so serving stays free to grow it). */
export interface InferenceLogRecordLike {
  timestampMs: number;
  requestId: string;
  rowIndex: number;
  deployment: string;
  modelVersion: string;
  role: string;
  latencyMs: number;
  features: Record<string, unknown>;
  prediction: unknown;
}

export interface InferenceLogReaderLike {
  read(window: { deployment?: string; fromMs?: number; toMs?: number; last?: number }): Promise<InferenceLogRecordLike[]>;
}

/**
 * Label key of a logged row: the request id for a request's first row, `<request_id>:<row_index>` for the
 * others (a request of n rows logs n rows sharing its id; each needs its own label).
 */
export const rowRequestId = (requestId: string, rowIndex: number) => (rowIndex === 0 ? requestId : `${requestId}:${rowIndex}`);

/**
 * Monitors over serving's inference log. Shadow rows are left out: their answers were never returned,
 * so they are not the deployment's production behaviour (a shadow model gets its own monitor by
 * deployment when it is promoted). A count window asks the reader for more rows while shadow rows
 * fill part of the newest N.
 */
export function inferenceLogSource(reader: InferenceLogReaderLike): InferenceWindowSource {
  return {
    // windows above the runner's row threshold are summarised segment by segment instead of read
    ...(isSegmentedLog(reader) ? { summaries: new WindowSummarizer(reader) } : {}),
    async read(q: InferenceWindowQuery): Promise<LoggedInference[]> {
      const window = { deployment: q.deployment, fromMs: q.from, toMs: q.to };
      let rows = await reader.read({ ...window, last: q.last });
      let served = rows.filter((r) => r.role !== 'shadow');
      for (let ask = q.last ?? 0; q.last !== undefined && served.length < q.last && rows.length === ask; ) {
        ask += q.last - served.length;
        rows = await reader.read({ ...window, last: ask });
        served = rows.filter((r) => r.role !== 'shadow');
      }
      if (q.last !== undefined) served = served.slice(-q.last);
      return served.map((r) => ({
          requestId: rowRequestId(r.requestId, r.rowIndex),
          deployment: r.deployment,
          modelVersion: r.modelVersion,
          features: r.features,
          prediction: r.prediction,
          latencyMs: r.latencyMs,
          timestamp: r.timestampMs,
          error: null,
        }));
    },
  };
}

/** The part of serving's deployment view that carries its request counters. */
export interface ServingCountersLike {
  getDeployment(name: string): Promise<{ stable: { stats: RequestCounters }; candidate: { stats: RequestCounters } | null }>;
}

/** Request and error counters of a deployment, stable and candidate together (null when it does not exist). */
export function servingRequestCounters(serving: ServingCountersLike): RequestCounterSource {
  return async (deployment) => {
    try {
      const d = await serving.getDeployment(deployment);
      const c = d.candidate?.stats;
      return { requests: d.stable.stats.requests + (c?.requests ?? 0), errors: d.stable.stats.errors + (c?.errors ?? 0) };
    } catch (e) {
      if ((e as { code?: string }).code === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw e;
    }
  };
}

/** Realised accuracy of each side of a rollout, as serving's rollout policy reads it (structural: no import of serving). */
export interface RolloutQualityLike {
  stable: { labelled: number; accuracy: number };
  candidate: { labelled: number; accuracy: number };
}

/**
 * Joins a deployment's logged predictions since a rollout began to the labels that have arrived, and gives each
 * side's accuracy: stable rows against canary and shadow rows (a shadow answers the same requests, so the same
 * labels judge both). Classifiers only: predicted labels compared with true labels as strings; null when the
 * predictions are not class labels (a regressor) or nothing is labelled yet.
 */
export function rolloutQualitySource(reader: InferenceLogReaderLike, labels: { get(ids: string[]): Promise<Map<string, string | number | boolean>> }, maxRows = 50_000) {
  return async (q: { deployment: string; since: number }): Promise<RolloutQualityLike | null> => {
    // Re-read every few seconds during a rollout: the newest `maxRows` rows bound the cost of a long, busy one.
    const rows = await reader.read({ deployment: q.deployment, fromMs: q.since, last: maxRows });
    const ids = rows.map((r) => rowRequestId(r.requestId, r.rowIndex));
    const found = ids.length ? await labels.get([...new Set(ids)]) : new Map<string, string | number | boolean>();
    const sides = { stable: { labelled: 0, correct: 0 }, candidate: { labelled: 0, correct: 0 } };
    for (let i = 0; i < rows.length; i++) {
      const truth = found.get(ids[i]);
      if (truth === undefined) continue;
      const predicted = normalizePrediction(rows[i].prediction, { task: 'multiclass' })?.label;
      if (predicted === undefined) continue;
      if (typeof predicted === 'number' && !Number.isInteger(predicted)) return null; // a regressor: accuracy means nothing
      const side = rows[i].role === 'stable' ? sides.stable : sides.candidate;
      side.labelled++;
      if (String(predicted) === String(truth)) side.correct++;
    }
    if (sides.stable.labelled === 0 && sides.candidate.labelled === 0) return null;
    const acc = (s: { labelled: number; correct: number }) => ({ labelled: s.labelled, accuracy: s.labelled === 0 ? 0 : s.correct / s.labelled });
    return { stable: acc(sides.stable), candidate: acc(sides.candidate) };
  };
}
