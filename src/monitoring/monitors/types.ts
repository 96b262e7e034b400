import type { DriftMethodName, DriftOptions, DriftReport, DriftTable } from '../drift/types.ts';
import type { Label } from '../performance/metrics.ts';
import type { WindowSummarizer } from './window-summary.ts';

/**
 * One logged request as the monitors need it. The serving inference log is adapted to this shape
 * (see `inference-source.ts`), so monitors are testable with synthetic rows and independent of how
 * serving stores its log.
 */
export interface LoggedInference {
  requestId: string;
  deployment: string;
  modelVersion?: string | null;
  features: Record<string, unknown>;
  /** The model's output as logged: a label/value, or an object with label/score/probabilities. */
  prediction: unknown;
  latencyMs: number;
  /** Epoch milliseconds. */
  timestamp: number;
  /** Set when the request failed (counts towards the error rate). */
  error?: string | null;
}

export interface InferenceWindowQuery {
  deployment: string;
  /** Inclusive lower bound (epoch ms). */
  from?: number;
  /** Exclusive upper bound (epoch ms). */
  to?: number;
  /** Only the newest `last` requests before `to`. */
  last?: number;
}

/** Where monitors read production traffic from. Rows come back oldest first. */
export interface InferenceWindowSource {
  read(query: InferenceWindowQuery): Promise<LoggedInference[]>;
  /** Streaming summaries of windows too large to load (present when the log is segmented on disk). */
  summaries?: WindowSummarizer;
}

/** Statistics engine: the `driftReport` of `src/monitoring/drift`, injected so monitors stay decoupled from it. */
export type DriftEngine = (reference: DriftTable, current: DriftTable, options?: DriftOptions) => DriftReport;

/** Cumulative requests and failed requests of a deployment, as serving counts them (reset on restart). */
export interface RequestCounters {
  requests: number;
  errors: number;
}

/** Failed requests never reach the inference log; serving's counters are where the error rate comes from. */
export type RequestCounterSource = (deployment: string) => Promise<RequestCounters | null>;

export type MonitorTask = 'binary' | 'multiclass' | 'regression';

/** How to read label/score/probabilities out of a logged prediction object. */
export interface PredictionFields {
  label?: string;
  score?: string;
  probabilities?: string;
}

export type ReferenceSpec =
  /** The training dataset recorded in the deployed model version's lineage (the run's dataset inputs). */
  | { type: 'training'; labelColumn?: string }
  /** A fixed window of production traffic (with its late labels, when they have arrived). */
  | { type: 'window'; from: number; to: number }
  /** Rows uploaded for this monitor (`PUT /monitors/:id/reference`). */
  | { type: 'upload' };

export type WindowSpec = { type: 'count'; size: number } | { type: 'time'; durationMs: number };

export interface ChecksSpec {
  featureDrift?: boolean;
  predictionDrift?: boolean;
  dataQuality?: boolean;
  latency?: boolean;
  errorRate?: boolean;
  performance?: boolean;
  estimatedPerformance?: boolean;
}

export type Comparison = '>' | '>=' | '<' | '<=';

export type AlertChannel = { type: 'webhook'; url: string } | { type: 'slack'; url: string };

export interface AlertRule {
  name: string;
  /** A key of the run's flat `metrics`, e.g. `feature_drift.share`, `latency.p99_ms`, `performance.accuracy`. */
  metric: string;
  op: Comparison;
  threshold: number;
  /** Fire only when the condition held in this many consecutive runs (default 1). */
  forWindows?: number;
  /** Fire only when the consecutive breaching runs cover at least this long (window start of the oldest to window end of the newest). */
  forMs?: number;
  channels?: AlertChannel[];
  /** After a delivery, the same rule is not delivered (nor retrains) again for this long. Default 1 hour. */
  cooldownMs?: number;
  /** Hand off to the retraining trigger when the rule fires. */
  retrain?: boolean;
}

export interface MonitorSpec {
  task: MonitorTask;
  /** The positive class for binary tasks (default 1). */
  positiveLabel?: Label;
  /** Averaging for multiclass precision/recall/F1 (default macro). */
  average?: 'macro' | 'weighted';
  predictionFields?: PredictionFields;
  /** Feature columns to watch (default: every feature of the reference). */
  features?: string[];
  reference: ReferenceSpec;
  window: WindowSpec;
  /** Cron expression (croner syntax, 5 or 6 fields); no schedule = run on demand only. */
  schedule?: string;
  checks: ChecksSpec;
  drift?: { driftShare?: number; method?: DriftMethodName; threshold?: number };
  /** Performance drop (reference minus current, in metric units) that counts as a real drop. Default 0.05. */
  performanceTolerance?: number;
  alerts: AlertRule[];
  /** Where a firing `retrain` rule posts when no in-process trigger is configured. */
  retrainWebhook?: string;
}

export interface Monitor {
  id: string;
  name: string;
  deployment: string;
  enabled: boolean;
  spec: MonitorSpec;
  createdAt: number;
  updatedAt: number;
}

/** A row of reference or current data, normalised. */
export interface ObservedRow {
  requestId?: string;
  features: Record<string, unknown>;
  prediction: NormalizedPrediction | null;
  label?: Label;
  latencyMs?: number;
  error?: string | null;
  timestamp?: number;
}

export interface NormalizedPrediction {
  label?: Label;
  value?: number;
  /** Binary: probability of the positive class. */
  score?: number;
  probabilities?: Record<string, number>;
}

export interface ColumnQuality {
  missingShare: number;
  referenceMissingShare: number;
  /** Categorical: values never seen in the reference. */
  newCategories?: string[];
  newCategoryShare?: number;
  /** Numerical: share of values below the reference minimum or above its maximum. */
  outOfRangeShare?: number;
}

export interface PerformanceSummary {
  /** Rows of the window that have a label. */
  labelled: number;
  coverage: number;
  metrics: Record<string, number> | null;
  reference: Record<string, number> | null;
}

export interface MonitorRunResults {
  window: { from: number | null; to: number | null; rows: number };
  reference: { source: string; rows: number };
  featureDrift?: {
    share: number;
    nDrifted: number;
    nColumns: number;
    drifted: boolean;
    /** On a summarised window each score comes with the interval it is known to lie in (see `approximate`). */
    columns: Array<{ column: string; method: string; score: number | null; drifted: boolean; scoreInterval?: [number, number]; uncertainty?: number; verdictCertain?: boolean }>;
  };
  predictionDrift?: { method: string; score: number | null; drifted: boolean; scoreInterval?: [number, number]; uncertainty?: number };
  /** Present when the window was too large to load and was summarised by sketches (window-summary.ts). */
  approximate?: { method: 'sketch'; reason: string; k: number; rankError: number; segmentsRead: number; segmentsCached: number; bounds: string };
  dataQuality?: Record<string, ColumnQuality>;
  latency?: { p50Ms: number; p99Ms: number; meanMs: number };
  errorRate?: number;
  /** Serving's cumulative request/error counters at this run (error rate = delta against the previous run). */
  servingCounters?: RequestCounters;
  performance?: PerformanceSummary;
  estimatedPerformance?: { metrics: Record<string, number>; reference: Record<string, number> } | { skipped: string };
  conceptDrift?: { detected: boolean; metric: string; reason: string };
  /** Every number above under a flat key: what alert rules and charts read. */
  metrics: Record<string, number>;
  /** Checks that could not run, and why. */
  skipped: Record<string, string>;
}

export interface MonitorRun {
  id: string;
  monitorId: string;
  startedAt: number;
  finishedAt: number;
  windowStart: number | null;
  windowEnd: number | null;
  rowCount: number;
  /** 'running' only while a scheduled run that claimed its tick is in progress. */
  status: 'running' | 'ok' | 'alerting' | 'failed';
  results: MonitorRunResults | null;
  error: string | null;
  alerts?: AlertEvent[];
}

export interface AlertEvent {
  id: string;
  monitorId: string;
  ruleName: string;
  runId: string;
  firedAt: number;
  /** 'fired' = delivered; 'suppressed' = condition held but within the rule's cool-down. */
  status: 'fired' | 'suppressed';
  value: number | null;
  message: string;
  deliveries: Array<{ channel: string; url: string; ok: boolean; status?: number; error?: string }>;
  retrainRunId: string | null;
}
