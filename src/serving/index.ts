/**
 * Model serving: ONNX models in process (onnxruntime-node, sessions in worker threads), Open Inference
 * Protocol v2 and the MLflow scoring protocol, deployments with canary/shadow rollouts, dynamic batching,
 * an inference log and Prometheus metrics.
 *
 * The model loader is public for the batch, export and bench code:
 *   const model = await loadOnnxModel('model.onnx' | bytes, { workers: 0 });
 *   model.inputs / model.outputs  // TensorSpec {name, datatype (OIP), shape (-1 = free)}
 *   await model.run({ X: { datatype: 'FP32', shape: [n, 4], data: Float32Array } })
 * ZipMap outputs (skl2onnx classifiers' default) are served as FP32 [n, classes] tensors under their
 * original name, with class labels in `model.zipMaps`.
 *
 * The inference log (for monitoring) is Parquet segments under `<dataDir>/inference-log/<deployment>/`,
 * one row per predicted row; its columns and the reasons for the format are documented at the top of
 * inference-log/inference-log.ts. Read it with `InferenceLogReader`:
 *   const reader = new InferenceLogReader(join(dataDir, 'inference-log'));
 *   await reader.read({ deployment: 'churn', fromMs, toMs });   // a time window
 *   await reader.read({ deployment: 'churn', last: 10_000 });   // the newest rows
 *   for await (const rows of reader.scan({ fromMs })) { ... }  // millions of rows, a segment at a time
 * Rows reach disk within `flushIntervalMs` (2 s); `pharos.serving.inferenceLog.flush()` forces it.
 */
export { loadOnnxModel, type OnnxModel, type LoadOnnxOptions } from './onnx/onnx-model.ts';
export { prepareOnnxGraph, type TensorSpec, type ZipMapOutput, type OipDatatype, type PreparedOnnxGraph } from './onnx/onnx-graph.ts';
export { makeTensorData, toPlainArray, type Tensor, type TensorData } from './onnx/tensor.ts';
export { locateModelFiles, parseColumnSignature, type ColumnSpec, type ModelFiles } from './model/mlmodel.ts';
export { HttpModelResolver } from './model/http-model-resolver.ts';
export { RegistryModelResolver, type ModelResolver, type ResolvedModel, type RegistryUriResolver } from './model/model-resolver.ts';
export { ServedModel, type ServedModelOptions } from './model/served-model.ts';
export { buildFeeds, type Feeds, type ModelInterface } from './inference/feeds.ts';
export { parseMlflowScoringBody, parseOipBody, type PredictionRequest } from './inference/request-formats.ts';
export { mlflowPredictions, oipOutputs } from './inference/responses.ts';
export { DynamicBatcher, DEFAULT_BATCHING, type BatchingOptions } from './inference/dynamic-batcher.ts';
export { ServingService, readDeploymentSpec, type ServingDeps, type ServingOptions, type DeploymentSpec, type DeploymentUpdate, type DeploymentView, type DeploymentEvent, type PredictionResult } from './serving-service.ts';
export { DEFAULT_ROLLOUT_POLICY, SlotStats, evaluateRollout, routeCanary, type RolloutPolicy, type RolloutDecision, type RolloutQuality, type RolloutQualitySource } from './rollout/rollout-policy.ts';
export {
  InferenceLogReader,
  InferenceLogWriter,
  DEFAULT_INFERENCE_LOG_OPTIONS,
  type InferenceLogRecord,
  type InferenceLogEntry,
  type InferenceLogOptions,
  type InferenceLogWindow,
  type InferenceLogSegment,
} from './inference-log/inference-log.ts';
export { servingRoutes } from './http/serving-routes.ts';
export { buildStandaloneServer } from './http/standalone-server.ts';
export { serveClusterMetrics } from './http/cluster-metrics.ts';
export { servingOptionsFromEnv } from './serving-options.ts';
