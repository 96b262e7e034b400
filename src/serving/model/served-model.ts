import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { loadOnnxModel, type OnnxModel } from '../onnx/onnx-model.ts';
import { concatRows, splitRows, type Tensor } from '../onnx/tensor.ts';
import { DynamicBatcher, DEFAULT_BATCHING, type BatchingOptions } from '../inference/dynamic-batcher.ts';
import type { Feeds, ModelInterface } from '../inference/feeds.ts';
import { locateModelFiles, type ColumnSpec } from './mlmodel.ts';
import type { ResolvedModel } from './model-resolver.ts';

export interface ServedModelOptions {
  /**
   * Worker threads with a session each; 0 runs in the calling thread. Default: in process for models under
   * 1 MiB, else one a core (at most 4). onnxruntime-node runs synchronously on the calling thread, so a big
   * model in process would hold the event loop for a whole run; for a small one the run is shorter than the
   * message round trip to a worker (measured: in-process + batching answered more requests a second than two
   * workers for a 4-feature logistic regression), and several processes (`pharos serve --processes`) are the
   * way to use more cores.
   */
  workers?: number;
  batching?: Partial<BatchingOptions>;
  onBatch?: (rows: number, requests: number) => void;
}

const SMALL_MODEL_BYTES = 1024 * 1024;

/** A model ready to answer: resolved, loaded (ZipMaps rewritten), with its signature and batcher. */
export class ServedModel implements ModelInterface {
  private readonly batcher: DynamicBatcher;
  private readonly chunkRows: number;
  private readonly chunkWindow: number;
  readonly loadedAt = Date.now();

  private constructor(
    readonly source: ResolvedModel,
    readonly onnx: OnnxModel,
    readonly columns: ColumnSpec[] | null,
    readonly flavors: string[],
    opts: ServedModelOptions,
    workers: number,
  ) {
    const given = Object.fromEntries(Object.entries(opts.batching ?? {}).filter(([, v]) => v !== undefined));
    const batching = { ...DEFAULT_BATCHING, maxConcurrentBatches: Math.max(1, workers), ...given };
    this.chunkRows = Math.max(256, batching.maxBatchSize);
    this.chunkWindow = batching.maxConcurrentBatches;
    this.batcher = new DynamicBatcher((feeds) => this.onnx.run(feeds), batching, opts.onBatch);
  }

  static async load(source: ResolvedModel, opts: ServedModelOptions = {}): Promise<ServedModel> {
    const files = await locateModelFiles(source.localPath);
    const size = (await stat(files.onnxPath)).size;
    const workers = opts.workers ?? (size < SMALL_MODEL_BYTES ? 0 : Math.min(4, availableParallelism()));
    const onnx = await loadOnnxModel(files.onnxPath, { workers });
    return new ServedModel(source, onnx, files.columns, files.flavors, opts, workers);
  }

  get inputs() {
    return this.onnx.inputs;
  }

  /** A label for logs, metrics and answers: the registry version when known. */
  get versionLabel(): string {
    return this.source.version !== null ? String(this.source.version) : '1';
  }

  private inflight = 0;
  private idle: Array<() => void> = [];
  private closing: Promise<void> | null = null;

  async predict(feeds: Feeds): Promise<Record<string, Tensor>> {
    this.inflight++;
    try {
      if (feeds.rows <= this.chunkRows) return await this.batcher.submit(feeds);
      // A big request runs as several runs: other requests get their turn in between (and, with workers,
      // the chunks run in parallel) instead of waiting behind one long run.
      const counts: number[] = [];
      for (let left = feeds.rows; left > 0; left -= this.chunkRows) counts.push(Math.min(this.chunkRows, left));
      const pieces = Object.fromEntries(Object.entries(feeds.feeds).map(([n, t]) => [n, splitRows(t, counts)]));
      // At most `window` chunks wait or run at once, so a request arriving meanwhile queues behind a few
      // chunks, not behind the whole of this one.
      const results: Array<Record<string, Tensor>> = new Array(counts.length);
      let next = 0;
      let failed = false;
      const lane = async () => {
        while (next < counts.length && !failed) {
          const i = next++;
          try {
            results[i] = await this.batcher.submit({ rows: counts[i], feeds: Object.fromEntries(Object.keys(pieces).map((n) => [n, pieces[n][i]])) });
          } catch (e) {
            failed = true; // the request fails as a whole: its remaining chunks are not run
            throw e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.chunkWindow, counts.length) }, lane));
      return Object.fromEntries(Object.keys(results[0]).map((n) => [n, results[0][n].shape[0] === counts[0] ? concatRows(results.map((r) => r[n])) : results[0][n]]));
    } finally {
      if (--this.inflight === 0) for (const f of this.idle.splice(0)) f();
    }
  }

  /** Closes once the requests already holding this model have their answers (an alias moved away from it). */
  closeWhenIdle(): Promise<void> {
    this.closing ??= (async () => {
      if (this.inflight > 0) await new Promise<void>((r) => this.idle.push(r));
      await this.onnx.close();
    })();
    return this.closing;
  }

  close(): Promise<void> {
    this.closing ??= this.onnx.close();
    return this.closing;
  }
}
