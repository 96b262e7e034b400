import * as ort from 'onnxruntime-node';
import { ORT_TYPE, OIP_BY_ORT, type Tensor } from './tensor.ts';

/**
 * The few onnxruntime calls, shared by the in-process runner and the worker threads. One intra-op thread
 * a session: parallelism comes from several sessions (one a worker) running different batches at once.
 */
export async function createSession(bytes: Uint8Array, intraOpNumThreads = 1): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
}

export async function runSession(session: ort.InferenceSession, feeds: Record<string, Tensor>, fetch: string[]): Promise<Record<string, Tensor>> {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(ORT_TYPE[t.datatype] as any, t.data as any, t.shape);
  const result = await session.run(ortFeeds, fetch);
  const out: Record<string, Tensor> = {};
  for (const name of fetch) {
    const v = result[name];
    out[name] = { datatype: OIP_BY_ORT[v.type] ?? 'FP32', shape: v.dims.map(Number), data: v.data as Tensor['data'] };
  }
  return out;
}
