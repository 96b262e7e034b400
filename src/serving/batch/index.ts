/** Offline scoring of files (CSV/Parquet) with an ONNX model: streamed, parallel, order-preserving. */
export { batchPredict, type BatchPredictOptions, type BatchPredictSummary } from './batch-predict.ts';
export { planInputs, type InputPlan } from './batch-feeds.ts';
export { downloadModel, type DownloadedModel } from './remote-model.ts';
