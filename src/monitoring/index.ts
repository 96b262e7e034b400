/**
 * Monitoring: drift statistics and reports, monitors over the inference log, alerts.
 * This file is the public face; each part adds its exports here.
 */
export type {
  ColumnDrift,
  DriftColumnType,
  DriftColumnValues,
  DriftHistogram,
  DriftMethodName,
  DriftOptions,
  DriftReport,
  DriftTable,
  MultipleTestingCorrection,
  TypedDriftColumn,
} from './drift/types.ts';
export { driftReport, inferColumnType, DRIFT_METHODS, defaultMethod, toDriftTable, type MethodSpec } from './drift/index.ts';
export { sketchDriftReport, sketchColumnDrift, allRanksError, type SketchColumnDrift, type SketchDriftReport, type DistributionSide } from './drift/index.ts';
export { WindowSummarizer, WindowSummary, DEFAULT_SKETCH_ABOVE_ROWS, DEFAULT_MONITOR_SKETCH_K, type SummaryPlan } from './monitors/window-summary.ts';
export * as driftStats from './stats/index.ts';
export { renderDriftReportHtml, formatNumber, verdictOf, histogramSvg, type HtmlReportOptions } from './report/index.ts';
export * from './sketch/index.ts';
export { MonitoringService, type MonitoringDeps } from './monitoring-service.ts';
export { monitoringRoutes } from './http/monitoring-routes.ts';
export { inferenceLogSource, rolloutQualitySource, rowRequestId, servingRequestCounters, type InferenceLogReaderLike, type ServingCountersLike } from './monitors/inference-source.ts';
export { lineageTrainingReference, tableRows, type LineageServices } from './monitors/training-reference.ts';
export type {
  AlertChannel,
  AlertEvent,
  AlertRule,
  DriftEngine,
  InferenceWindowQuery,
  InferenceWindowSource,
  LoggedInference,
  Monitor,
  MonitorRun,
  MonitorRunResults,
  MonitorSpec,
} from './monitors/types.ts';
export type { TrainingReferenceResolver } from './monitors/monitor-runner.ts';
export { WebhookRetrainTrigger, type RetrainTrigger, type RetrainContext } from './alerts/retrain-trigger.ts';
export { classificationMetrics, regressionMetrics, rocAuc, logLoss, type ClassificationMetrics, type RegressionMetrics, type Label } from './performance/metrics.ts';
export { BinaryCbpe, MulticlassCbpe, type EstimatedBinaryMetrics } from './performance/cbpe.ts';
export { IsotonicRegression } from './performance/isotonic.ts';
