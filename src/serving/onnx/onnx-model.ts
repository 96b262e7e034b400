import { readFile } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../worker-thread.ts';
import type { InferenceSession } from 'onnxruntime-node';
import { prepareOnnxGraph, type TensorSpec, type ZipMapOutput } from './onnx-graph.ts';
import { createSession, runSession } from './onnx-session.ts';
import type { Tensor } from './tensor.ts';

export interface LoadOnnxOptions {
  /**
   * Worker threads each holding a session. 0 runs in process: onnxruntime-node's run() is synchronous on the
   * calling thread, so in-process inference blocks the event loop for the whole run. Default 0 for the
   * library call; the serving service picks a pool size from the machine's cores.
   */
  workers?: number;
}

/** A loaded ONNX model. Outputs are keyed by the names clients know (a ZipMap output keeps its name). */
export interface OnnxModel {
  readonly inputs: TensorSpec[];
  /** Public outputs: a ZipMap output appears with its original name as an FP32 [-1, classes] tensor. */
  readonly outputs: TensorSpec[];
  /** Class labels of probability outputs made from ZipMaps, by output name. */
  readonly zipMaps: ZipMapOutput[];
  /** Non-tensor outputs that onnxruntime-node cannot return and that are not served. */
  readonly droppedOutputs: string[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  close(): Promise<void>;
}

/**
 * Loads an ONNX model from a file path or bytes (the face the batch/export/bench code reuses).
 * ZipMap outputs are rewritten to their probability tensors at load (see prepareOnnxGraph).
 */
export async function loadOnnxModel(source: string | Uint8Array, opts: LoadOnnxOptions = {}): Promise<OnnxModel> {
  const original = typeof source === 'string' ? new Uint8Array(await readFile(source)) : source;
  const prepared = prepareOnnxGraph(original);
  const runner = opts.workers && opts.workers > 0 ? await WorkerPoolRunner.start(prepared.bytes, prepared.outputs.map((o) => o.name), opts.workers) : await InProcessRunner.start(prepared.bytes, prepared.outputs.map((o) => o.name));
  const zipByTensor = new Map(prepared.zipMaps.map((z) => [z.tensor, z]));
  // Graph inputs that are also initializers are not inputs a caller feeds; the session knows which are real.
  const realInputs = new Set(runner.inputNames);
  const inputs = prepared.inputs.filter((i) => realInputs.has(i.name));
  const outputs = prepared.outputs.map((o) => {
    const z = zipByTensor.get(o.name);
    return z ? { name: z.output, datatype: o.datatype, shape: [-1, z.labels.length] } : o;
  });
  return {
    inputs,
    outputs,
    zipMaps: prepared.zipMaps,
    droppedOutputs: prepared.droppedOutputs,
    async run(feeds) {
      const raw = await runner.run(feeds);
      const out: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(raw)) out[zipByTensor.get(name)?.output ?? name] = t;
      return out;
    },
    close: () => runner.close(),
  };
}

interface Runner {
  inputNames: readonly string[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  close(): Promise<void>;
}

class InProcessRunner implements Runner {
  private constructor(private readonly session: InferenceSession, private readonly fetch: string[]) {}
  static async start(bytes: Uint8Array, fetch: string[]) {
    return new InProcessRunner(await createSession(bytes), fetch);
  }
  get inputNames() {
    return this.session.inputNames;
  }
  run(feeds: Record<string, Tensor>) {
    return runSession(this.session, feeds, this.fetch);
  }
  async close() {
    await this.session.release();
  }
}

interface PoolWorker {
  worker: Worker;
  inflight: number;
  pending: Map<number, { resolve: (o: Record<string, Tensor>) => void; reject: (e: Error) => void }>;
}

/** Sessions in worker threads; a batch goes to the least busy one, so a slow run never holds up the others. */
class WorkerPoolRunner implements Runner {
  private nextId = 1;
  private constructor(private readonly workers: PoolWorker[], readonly inputNames: readonly string[]) {}

  static async start(bytes: Uint8Array, fetch: string[], size: number): Promise<WorkerPoolRunner> {
    // The input names come from a session in this thread, created once and released: cheap next to the load itself.
    const probe = await createSession(bytes);
    const inputNames = [...probe.inputNames];
    await probe.release();
    const workers = await Promise.all(
      Array.from({ length: size }, async () => {
        const worker = spawnModuleWorker(import.meta.url, 'onnx-worker', { bytes, fetch });
        const pw: PoolWorker = { worker, inflight: 0, pending: new Map() };
        await new Promise<void>((resolve, reject) => {
          worker.once('message', (m: { ready: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(m.error))));
          worker.once('error', reject);
        });
        worker.on('message', (m: { id: number; outputs?: Record<string, Tensor>; error?: string }) => {
          const p = pw.pending.get(m.id);
          if (!p) return;
          pw.pending.delete(m.id);
          pw.inflight--;
          if (m.error !== undefined) p.reject(new Error(m.error));
          else p.resolve(m.outputs!);
        });
        worker.on('error', (e) => {
          for (const p of pw.pending.values()) p.reject(e);
          pw.pending.clear();
        });
        return pw;
      }),
    );
    return new WorkerPoolRunner(workers, inputNames);
  }

  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    let best = this.workers[0];
    for (const w of this.workers) if (w.inflight < best.inflight) best = w;
    const id = this.nextId++;
    best.inflight++;
    return new Promise((resolve, reject) => {
      best.pending.set(id, { resolve, reject });
      best.worker.postMessage({ id, feeds });
    });
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
