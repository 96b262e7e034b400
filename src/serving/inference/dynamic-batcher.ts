import { concatRows, splitRows, type Tensor } from '../onnx/tensor.ts';
import type { Feeds } from './feeds.ts';

export interface BatchingOptions {
  /** Rows in one onnxruntime run at most (a request bigger than this runs alone). 1 disables batching. */
  maxBatchSize: number;
  /**
   * How long the first request of a batch waits for company when a runner is idle. 0 (the default) is adaptive
   * batching: no timer; a batch leaves for a free runner at the end of the current event-loop turn, with the
   * requests that arrived in that same turn, and otherwise batches form from the requests that queued while
   * every runner was busy. An idle server adds no delay; a loaded one batches.
   */
  maxWaitMs: number;
  /** Batches running at once (the number of sessions that can run in parallel). */
  maxConcurrentBatches: number;
}

export const DEFAULT_BATCHING: BatchingOptions = { maxBatchSize: 64, maxWaitMs: 0, maxConcurrentBatches: 2 };

type Outputs = Record<string, Tensor>;

/** Requests batch together only when every non-batch dimension agrees. */
function batchKey(feeds: Record<string, Tensor>): string {
  let key = '';
  for (const n of Object.keys(feeds).sort()) {
    const t = feeds[n];
    key += `${n}:${t.datatype}:${t.shape.slice(1).join('x')}|`;
  }
  return key;
}

interface Pending {
  feeds: Feeds;
  key: string;
  resolve(o: Outputs): void;
  reject(e: Error): void;
}

/**
 * Groups concurrent requests for one model into one run: rows are concatenated along the first axis and
 * the outputs split back. While every runner is busy, requests queue and leave together as the next batch,
 * so batches grow with load and stay at one request when idle (with no wait unless `maxWaitMs` asks for one).
 */
export class DynamicBatcher {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private inflight = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;

  constructor(
    private readonly runBatch: (feeds: Record<string, Tensor>) => Promise<Outputs>,
    private readonly opts: BatchingOptions,
    private readonly onBatch: (rows: number, requests: number) => void = () => {},
  ) {}

  submit(feeds: Feeds): Promise<Outputs> {
    return new Promise((resolve, reject) => {
      this.queue.push({ feeds, key: batchKey(feeds.feeds), resolve, reject });
      this.queuedRows += feeds.rows;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.queue.length === 0 || this.inflight >= this.opts.maxConcurrentBatches) return;
    if (this.opts.maxBatchSize <= 1 || this.queuedRows >= this.opts.maxBatchSize) {
      this.flush();
      return;
    }
    if (this.opts.maxWaitMs <= 0) {
      // No timer: the batch leaves once the I/O callbacks of this turn (other requests arriving) have run.
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        this.flush();
      });
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.opts.maxWaitMs);
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.immediate) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    while (this.queue.length > 0 && this.inflight < this.opts.maxConcurrentBatches) {
      const key = this.queue[0].key;
      const batch: Pending[] = [];
      let rows = 0;
      const rest: Pending[] = [];
      for (const p of this.queue) {
        if (p.key === key && (batch.length === 0 || rows + p.feeds.rows <= this.opts.maxBatchSize)) {
          batch.push(p);
          rows += p.feeds.rows;
        } else rest.push(p);
      }
      this.queue = rest;
      this.queuedRows -= rows;
      this.inflight++;
      void this.execute(batch, rows).finally(() => {
        this.inflight--;
        this.schedule();
      });
    }
  }

  private async execute(batch: Pending[], rows: number): Promise<void> {
    this.onBatch(rows, batch.length);
    if (batch.length === 1) {
      try {
        batch[0].resolve(await this.runBatch(batch[0].feeds.feeds));
      } catch (e) {
        batch[0].reject(e as Error);
      }
      return;
    }
    const names = Object.keys(batch[0].feeds.feeds);
    const combined: Record<string, Tensor> = {};
    for (const n of names) combined[n] = concatRows(batch.map((p) => p.feeds.feeds[n]));
    let outputs: Outputs;
    try {
      outputs = await this.runBatch(combined);
    } catch {
      // One bad request must not fail its neighbours: run each alone so the error lands where it belongs.
      await Promise.all(
        batch.map(async (p) => {
          try {
            p.resolve(await this.runBatch(p.feeds.feeds));
          } catch (e) {
            p.reject(e as Error);
          }
        }),
      );
      return;
    }
    const counts = batch.map((p) => p.feeds.rows);
    const split: Record<string, Tensor[]> = {};
    for (const [n, t] of Object.entries(outputs)) split[n] = t.shape[0] === rows ? splitRows(t, counts) : batch.map(() => t);
    batch.forEach((p, i) => p.resolve(Object.fromEntries(Object.entries(split).map(([n, parts]) => [n, parts[i]]))));
  }

  /** Requests waiting for a runner (a gauge for metrics and tests). */
  get waiting(): number {
    return this.queue.length;
  }
}
