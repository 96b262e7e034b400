import { newId } from '../../core/ids.ts';
import { invalidState } from '../../core/errors.ts';
import type { LabelStore } from '../performance/label-store.ts';
import { fitEstimator, realisedPerformance } from '../performance/window-performance.ts';
import { dataQuality, dataQualityMetrics, errorRate, featureTable, inferFeatureKinds, latency, predictionTable, watchedFeatures } from './checks.ts';
import { observeFlat, observeLogged } from './observations.ts';
import { DEFAULT_SKETCH_ABOVE_ROWS, summarisedMonitorRun } from './window-summary.ts';
import { driftReport as defaultDrift } from '../drift/index.ts';
import type { DriftOptions, DriftReport, DriftTable } from '../drift/types.ts';
import type { DriftEngine, InferenceWindowSource, Monitor, MonitorRun, MonitorRunResults, ObservedRow, RequestCounterSource, RequestCounters } from './types.ts';

/** Resolves the training data of the model version a deployment serves (model lineage: the run's dataset inputs). */
export interface TrainingReferenceResolver {
  resolve(deployment: string): Promise<{ source: string; rows: Array<Record<string, unknown>> }>;
}

export interface RunnerDeps {
  source?: InferenceWindowSource;
  labels: LabelStore;
  drift?: DriftEngine;
  training?: TrainingReferenceResolver;
  uploadedReference(monitorId: string): Promise<{ source: string; rows: ObservedRow[] } | null>;
  requestCounters?: RequestCounterSource;
  /** The previous run's counters, for the error rate between the two runs. */
  previousCounters?: RequestCounters;
  /** Windows with more rows than this are summarised by sketches instead of loaded (default 1,000,000). */
  sketchAboveRows?: number;
  /** KLL k of those summaries (default 1000, all-ranks error ≈ 0.36%). */
  sketchK?: number;
}

/**
 * Error rate from serving's cumulative counters: failures over requests since the previous run. A counter
 * that went down means serving restarted, so the current counts are all since then.
 */
export function errorRateBetween(now: RequestCounters, before: RequestCounters | undefined): number | null {
  const restarted = !before || now.requests < before.requests || now.errors < before.errors;
  const requests = restarted ? now.requests : now.requests - before.requests;
  const errors = restarted ? now.errors : now.errors - before.errors;
  return requests === 0 ? null : errors / requests;
}

const DEFAULT_TOLERANCE = 0.05;
/** Rows of a summarised reference window read to learn its features and their kinds. */
const REFERENCE_SAMPLE_ROWS = 10_000;
/** Fewer labelled rows than this make a performance comparison noise, so concept drift is not judged. */
export const MIN_LABELLED_FOR_CONCEPT_DRIFT = 30;

async function withLabels(rows: ObservedRow[], labels: LabelStore): Promise<ObservedRow[]> {
  const ids = rows.map((r) => r.requestId).filter((id): id is string => !!id);
  if (ids.length === 0) return rows;
  const found = await labels.get(ids);
  return rows.map((r) => (r.requestId && found.has(r.requestId) ? { ...r, label: found.get(r.requestId) } : r));
}

async function loadReference(monitor: Monitor, deps: RunnerDeps): Promise<{ source: string; rows: ObservedRow[] }> {
  const ref = monitor.spec.reference;
  if (ref.type === 'upload') {
    const up = await deps.uploadedReference(monitor.id);
    if (!up) throw invalidState(`monitor "${monitor.name}" uses an uploaded reference but none was uploaded (PUT /api/v1/monitors/${monitor.id}/reference)`);
    return up;
  }
  if (ref.type === 'window') {
    if (!deps.source) throw invalidState('no inference log is configured to read the reference window from');
    const rows = await deps.source.read({ deployment: monitor.deployment, from: ref.from, to: ref.to });
    return { source: `window ${new Date(ref.from).toISOString()} – ${new Date(ref.to).toISOString()}`, rows: await withLabels(rows.map((r) => observeLogged(r, monitor.spec)), deps.labels) };
  }
  if (!deps.training) throw invalidState('no training-data resolver is configured; use a window or uploaded reference');
  const t = await deps.training.resolve(monitor.deployment);
  return { source: t.source, rows: t.rows.map((r) => observeFlat(r, monitor.spec, ref.labelColumn)) };
}

/**
 * One monitor run: reads the window, joins late labels, runs the checks the spec enables and flattens
 * every number into `metrics` for alert rules. Concept drift rule (documented in the README section of
 * the monitors): with at least 30 labelled rows, the primary metric (accuracy; R² for regressors)
 * dropped by more than `performanceTolerance` (0.05) against the reference, AND the drop is not
 * explained by the inputs: when a CBPE estimate exists (binary), realised is more than the tolerance
 * below the estimate (the estimate already accounts for covariate shift); otherwise, no dataset-level
 * feature drift was detected.
 */
export async function executeMonitorRun(monitor: Monitor, deps: RunnerDeps, now: number): Promise<MonitorRunResults> {
  const spec = monitor.spec;
  if (!deps.source) throw invalidState('no inference log is configured: monitors have no traffic to read');
  const query = spec.window.type === 'count' ? { deployment: monitor.deployment, to: now + 1, last: spec.window.size } : { deployment: monitor.deployment, from: now - spec.window.durationMs, to: now + 1 };
  const summaries = deps.source.summaries;
  const sketchAboveRows = deps.sketchAboveRows ?? DEFAULT_SKETCH_ABOVE_ROWS;
  if (summaries && (spec.window.type === 'count' ? spec.window.size : await summaries.countRows(query)) > sketchAboveRows) {
    // A reference window as large as the threshold is summarised too; a sample of it fixes the features and their kinds.
    const ref = spec.reference;
    const referenceWindow = ref.type === 'window' && (await summaries.countRows({ deployment: monitor.deployment, from: ref.from, to: ref.to })) > sketchAboveRows
      ? { deployment: monitor.deployment, from: ref.from, to: ref.to }
      : undefined;
    const reference = referenceWindow
      ? { source: `window ${new Date(referenceWindow.from).toISOString()} – ${new Date(referenceWindow.to).toISOString()}`, rows: (await deps.source.read({ ...referenceWindow, last: REFERENCE_SAMPLE_ROWS })).map((r) => observeLogged(r, spec)) }
      : await loadReference(monitor, deps);
    const counters = spec.checks.errorRate && deps.requestCounters ? await deps.requestCounters(monitor.deployment) : null;
    const errorRate = counters ? { counters, rate: errorRateBetween(counters, deps.previousCounters) } : null;
    return summarisedMonitorRun({ spec, summaries, query, now, reference, referenceWindow, errorRate, k: deps.sketchK, sketchAboveRows });
  }
  const logged = await deps.source.read(query);
  const current = await withLabels(logged.map((r) => observeLogged(r, spec)), deps.labels);
  const reference = await loadReference(monitor, deps);
  const windowFrom = spec.window.type === 'time' ? now - spec.window.durationMs : (current[0]?.timestamp ?? null);
  const windowTo = spec.window.type === 'time' ? now : (current.at(-1)?.timestamp ?? null);
  const results: MonitorRunResults = {
    window: { from: windowFrom, to: windowTo, rows: current.length },
    reference: { source: reference.source, rows: reference.rows.length },
    metrics: { 'window.rows': current.length },
    skipped: {},
  };
  const m = results.metrics;
  const checks = spec.checks;
  // Before the empty-window exit: when every request fails, the log is empty and the error rate is the news.
  if (checks.errorRate) {
    const counters = deps.requestCounters ? await deps.requestCounters(monitor.deployment) : null;
    if (counters) {
      results.servingCounters = counters;
      const rate = errorRateBetween(counters, deps.previousCounters);
      if (rate !== null) {
        results.errorRate = rate;
        m.error_rate = rate;
      } else results.skipped.errorRate = 'no requests since the previous run';
    } else if (current.length > 0) {
      results.errorRate = errorRate(current);
      m.error_rate = results.errorRate;
    }
  }
  if (current.length === 0) {
    results.skipped.all = 'the window holds no requests';
    return results;
  }
  const features = watchedFeatures(spec, reference.rows);
  const kinds = inferFeatureKinds(reference.rows, features);
  // Columnar copies of the features, built once for the drift and data-quality checks.
  let tables: { reference: DriftTable; current: DriftTable } | undefined;
  const featureTables = () => (tables ??= { reference: featureTable(reference.rows, kinds), current: featureTable(current, kinds) });
  const driftOptions = driftOptionsOf(spec);

  if (checks.featureDrift) {
    if (!deps.drift) results.skipped.featureDrift = 'no drift engine configured';
    else if (reference.rows.length === 0) results.skipped.featureDrift = 'the reference is empty';
    else {
      const report = deps.drift(featureTables().reference, featureTables().current, driftOptions);
      results.featureDrift = {
        share: report.shareDrifted,
        nDrifted: report.nDrifted,
        nColumns: report.nColumns,
        drifted: report.drifted,
        columns: report.columns.map((c) => ({ column: c.column, method: c.method, score: c.score, drifted: c.drifted })),
      };
      m['feature_drift.share'] = report.shareDrifted;
      m['feature_drift.n_drifted'] = report.nDrifted;
      m['feature_drift.drifted'] = report.drifted ? 1 : 0;
      for (const c of report.columns) if (c.score !== null) m[`feature_drift.${c.column}.score`] = c.score;
    }
  }

  if (checks.predictionDrift) {
    const refPred = reference.rows.filter((r) => r.prediction !== null);
    if (!deps.drift) results.skipped.predictionDrift = 'no drift engine configured';
    else if (refPred.length === 0) results.skipped.predictionDrift = 'the reference has no predictions';
    else {
      const useScore = spec.task === 'binary' && refPred.every((r) => r.prediction!.score !== undefined) && current.every((r) => r.prediction?.score !== undefined);
      const report = deps.drift(predictionTable(refPred, spec, useScore), predictionTable(current, spec, useScore), { ...driftOptions, driftShare: 0.5 });
      const col = report.columns[0];
      results.predictionDrift = { method: col?.method ?? 'none', score: col?.score ?? null, drifted: col?.drifted ?? false };
      if (col?.score !== null && col?.score !== undefined) m['prediction_drift.score'] = col.score;
      m['prediction_drift.drifted'] = col?.drifted ? 1 : 0;
    }
  }

  if (checks.dataQuality) {
    const dq = dataQuality(featureTables().reference, featureTables().current);
    results.dataQuality = dq;
    Object.assign(m, dataQualityMetrics(dq));
  }

  if (checks.latency) {
    const l = latency(current);
    if (l) {
      results.latency = l;
      m['latency.p50_ms'] = l.p50Ms;
      m['latency.p99_ms'] = l.p99Ms;
      m['latency.mean_ms'] = l.meanMs;
    } else results.skipped.latency = 'no latencies logged';
  }

  const perfOpts = { task: spec.task, positiveLabel: spec.positiveLabel, average: spec.average };
  const served = current.filter((r) => !r.error);
  let realised: Record<string, number> | null = null;
  let refPerf: Record<string, number> | null = null;
  if (checks.performance) {
    const labelled = served.filter((r) => r.label !== undefined && r.prediction !== null).length;
    realised = realisedPerformance(served, perfOpts);
    refPerf = realisedPerformance(reference.rows, perfOpts);
    results.performance = { labelled, coverage: served.length === 0 ? 0 : labelled / served.length, metrics: realised, reference: refPerf };
    m['performance.labelled'] = labelled;
    m['performance.coverage'] = results.performance.coverage;
    for (const [k, v] of Object.entries(realised ?? {})) m[`performance.${k}`] = v;
    for (const [k, v] of Object.entries(refPerf ?? {})) m[`reference_performance.${k}`] = v;
  }

  let estimated: Record<string, number> | null = null;
  if (checks.estimatedPerformance) {
    const estimator = fitEstimator(reference.rows, perfOpts);
    if (typeof estimator === 'string') results.estimatedPerformance = { skipped: estimator };
    else {
      estimated = estimator.estimate(served);
      const refEstimated = estimator.estimate(reference.rows);
      if (estimated && refEstimated) {
        results.estimatedPerformance = { metrics: estimated, reference: refEstimated };
        for (const [k, v] of Object.entries(estimated)) m[`estimated.${k}`] = v;
      } else results.estimatedPerformance = { skipped: 'the window has no predictions with scores or probabilities' };
    }
  }

  if (realised && refPerf) {
    const metric = spec.task === 'regression' ? 'r2' : 'accuracy';
    const tol = spec.performanceTolerance ?? DEFAULT_TOLERANCE;
    const labelled = results.performance!.labelled;
    const drop = refPerf[metric] - realised[metric];
    let detected = false;
    let reason: string;
    if (labelled < MIN_LABELLED_FOR_CONCEPT_DRIFT) reason = `only ${labelled} labelled rows (need ${MIN_LABELLED_FOR_CONCEPT_DRIFT})`;
    else if (!(drop > tol)) reason = `${metric} ${realised[metric].toFixed(4)} is within ${tol} of the reference ${refPerf[metric].toFixed(4)}`;
    else if (estimated && estimated[metric] !== undefined) {
      const unexplained = estimated[metric] - realised[metric];
      detected = unexplained > tol;
      reason = detected
        ? `${metric} fell from ${refPerf[metric].toFixed(4)} to ${realised[metric].toFixed(4)}; the input shift alone predicts ${estimated[metric].toFixed(4)} (CBPE)`
        : `${metric} fell to ${realised[metric].toFixed(4)}, as the input shift predicts (CBPE ${estimated[metric].toFixed(4)})`;
    } else if (results.featureDrift?.drifted) {
      reason = `${metric} fell to ${realised[metric].toFixed(4)} but the inputs drifted (share ${results.featureDrift.share.toFixed(3)}), which may explain it`;
    } else {
      detected = true;
      reason = `${metric} fell from ${refPerf[metric].toFixed(4)} to ${realised[metric].toFixed(4)} without input drift`;
    }
    results.conceptDrift = { detected, metric, reason };
    m.concept_drift = detected ? 1 : 0;
  }
  return results;
}

function driftOptionsOf(spec: Monitor['spec']): DriftOptions {
  return {
    ...(spec.drift?.driftShare !== undefined ? { driftShare: spec.drift.driftShare } : {}),
    ...(spec.drift?.method !== undefined ? { method: spec.drift.method } : {}),
    ...(spec.drift?.threshold !== undefined ? { threshold: spec.drift.threshold } : {}),
  };
}

/**
 * The full drift report (per column: method, score, threshold, verdict and both distributions) of one past run's
 * window against the monitor's reference, computed again from the inference log with the monitor's current spec.
 */
export async function monitorRunDriftReport(monitor: Monitor, run: MonitorRun, deps: RunnerDeps): Promise<DriftReport> {
  if (run.status === 'running') throw invalidState(`monitor run ${run.id} is still running`);
  if (!run.results) throw invalidState(`monitor run ${run.id} failed (${run.error ?? 'no results'}): it has no window to report on`);
  if (run.results.approximate) {
    throw invalidState(`monitor run ${run.id} summarised its ${run.rowCount} rows by sketches (${run.results.approximate.reason}); a full report needs the rows: its per-column scores and bounds are in the run's results`);
  }
  if (run.rowCount === 0 || run.windowStart === null || run.windowEnd === null) throw invalidState(`monitor run ${run.id} had an empty window`);
  if (!deps.source) throw invalidState('no inference log is configured: monitors have no traffic to read');
  const spec = monitor.spec;
  const query = spec.window.type === 'count'
    ? { deployment: monitor.deployment, to: run.windowEnd + 1, last: run.rowCount }
    : { deployment: monitor.deployment, from: run.windowStart, to: run.windowEnd + 1 };
  const current = (await deps.source.read(query)).map((r) => observeLogged(r, spec));
  if (current.length === 0) throw invalidState(`the rows of monitor run ${run.id} are no longer in the inference log`);
  const reference = await loadReference(monitor, deps);
  if (reference.rows.length === 0) throw invalidState('the reference is empty');
  const features = watchedFeatures(spec, reference.rows);
  const kinds = inferFeatureKinds(reference.rows, features);
  return (deps.drift ?? defaultDrift)(featureTable(reference.rows, kinds), featureTable(current, kinds), driftOptionsOf(spec));
}

export const newMonitorRunId = () => newId('mr-');
