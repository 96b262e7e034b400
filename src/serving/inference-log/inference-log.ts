import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { SegmentWorker, encodeName, writeSegmentFile, type SegmentColumns } from './segment-file.ts';

/**
 * The inference log: one row per predicted row (a request of n rows gives n rows sharing its request id).
 *
 * Storage: Parquet segment files, `<dir>/<deployment>/<firstTs>-<lastTs>-<random>.parquet` (deployment name
 * URI-encoded, times in ms, zero-padded so names sort by time). Chosen over a store table because monitoring
 * reads windows of millions of rows column by column (drift over one feature, latency percentiles): Parquet
 * keeps those reads to the columns asked for, compresses repetitive values (deployment, version) to almost
 * nothing, is readable by pandas/pyarrow/DuckDB as is, and the request path never touches the database. The
 * file name carries the time range, so a time window opens only the segments that overlap it.
 *
 * Columns (one segment holds one deployment):
 *   timestamp_ms  DOUBLE   when the request arrived (ms since epoch)
 *   request_id    STRING   the request's id (x-request-id header when given, else generated)
 *   row_index     INT32    row within the request
 *   deployment    STRING
 *   model_name    STRING   registered model name ('' when served from a path)
 *   model_version STRING   registry version ('1' when served from a path)
 *   model_uri     STRING   the URI the deployment serves (e.g. models:/churn@champion)
 *   role          STRING   stable | canary | shadow (shadow answers were never returned)
 *   latency_ms    DOUBLE   the whole request's model latency (validation + queue + run)
 *   features      STRING   JSON object: column (or input) name -> value for this row
 *   prediction    STRING   JSON: this row's prediction, as in the MLflow scoring answer
 */
export interface InferenceLogRecord {
  timestampMs: number;
  requestId: string;
  rowIndex: number;
  deployment: string;
  modelName: string;
  modelVersion: string;
  modelUri: string;
  role: 'stable' | 'canary' | 'shadow';
  latencyMs: number;
  features: Record<string, unknown>;
  prediction: unknown;
}

/** One request as the serving path hands it over: rows are expanded at flush, off the response path. */
export interface InferenceLogEntry {
  timestampMs: number;
  requestId: string;
  deployment: string;
  modelName: string;
  modelVersion: string;
  modelUri: string;
  role: 'stable' | 'canary' | 'shadow';
  latencyMs: number;
  rows: number;
  /** Builds the per-row features and predictions; called at flush time. */
  expand(): { features: Array<Record<string, unknown>>; predictions: unknown[] };
}

export interface InferenceLogOptions {
  /** Rows held in memory waiting for a flush; beyond it entries are dropped and counted. */
  queueCapacityRows: number;
  /** Fraction of requests logged (0-1). */
  sampleRate: number;
  /** A flush starts once this many rows wait... */
  flushRows: number;
  /** ...or this long after the first waiting row. */
  flushIntervalMs: number;
  /** Encode and write segments on a worker thread (default) rather than the event loop. */
  writeInWorker: boolean;
}

export const DEFAULT_INFERENCE_LOG_OPTIONS: InferenceLogOptions = { queueCapacityRows: 200_000, sampleRate: 1, flushRows: 10_000, flushIntervalMs: 1000, writeInWorker: true };


/** Bounded, asynchronous writer: `record` never throws and never waits. */
export class InferenceLogWriter {
  private queue: InferenceLogEntry[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** Rows dropped because the queue was full or a segment failed to write. */
  dropped = 0;
  /** Requests skipped by sampling. */
  sampledOut = 0;
  written = 0;
  lastError: string | null = null;
  private readonly opts: InferenceLogOptions;

  constructor(readonly dir: string, opts: Partial<InferenceLogOptions> = {}) {
    this.opts = { ...DEFAULT_INFERENCE_LOG_OPTIONS, ...opts };
  }

  record(entry: InferenceLogEntry): void {
    try {
      if (this.opts.sampleRate < 1 && Math.random() >= this.opts.sampleRate) {
        this.sampledOut++;
        return;
      }
      if (this.queuedRows + entry.rows > this.opts.queueCapacityRows) {
        this.dropped += entry.rows;
        return;
      }
      this.queue.push(entry);
      this.queuedRows += entry.rows;
      if (this.queuedRows >= this.opts.flushRows) setImmediate(() => void this.flush());
      else if (!this.timer) {
        this.timer = setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
        this.timer.unref();
      }
    } catch {
      this.dropped += entry.rows;
    }
  }

  /** Writes everything queued so far; resolves when it is on disk (readers then see it). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.queue;
    this.queue = [];
    this.queuedRows = 0;
    this.flushing = this.flushing.then(() => this.writeSegments(batch));
    return this.flushing;
  }

  private async writeSegments(batch: InferenceLogEntry[]): Promise<void> {
    if (batch.length === 0) return;
    const byDeployment = new Map<string, InferenceLogEntry[]>();
    for (const e of batch) {
      const list = byDeployment.get(e.deployment) ?? [];
      list.push(e);
      byDeployment.set(e.deployment, list);
    }
    for (const [deployment, entries] of byDeployment) {
      const rows = entries.reduce((n, e) => n + e.rows, 0);
      try {
        await this.writeSegment(deployment, entries);
        this.written += rows;
      } catch (e) {
        this.dropped += rows;
        this.lastError = (e as Error).message;
      }
    }
  }

  private async writeSegment(deployment: string, entries: InferenceLogEntry[]): Promise<void> {
    const cols: SegmentColumns = {
      timestamp_ms: [], request_id: [], row_index: [], deployment: [], model_name: [], model_version: [], model_uri: [], role: [], latency_ms: [], features: [], prediction: [],
    };
    let first = Infinity;
    let last = -Infinity;
    let sinceYield = 0;
    for (const e of entries) {
      // Expanding rows is the part left on the event loop: done in slices so requests keep being answered.
      if ((sinceYield += e.rows) >= 500) {
        sinceYield = 0;
        await new Promise((r) => setImmediate(r));
      }
      let expanded: ReturnType<InferenceLogEntry['expand']>;
      try {
        expanded = e.expand();
      } catch {
        this.dropped += e.rows;
        continue;
      }
      first = Math.min(first, e.timestampMs);
      last = Math.max(last, e.timestampMs);
      for (let r = 0; r < e.rows; r++) {
        cols.timestamp_ms.push(e.timestampMs);
        cols.request_id.push(e.requestId);
        cols.row_index.push(r);
        cols.deployment.push(e.deployment);
        cols.model_name.push(e.modelName);
        cols.model_version.push(e.modelVersion);
        cols.model_uri.push(e.modelUri);
        cols.role.push(e.role);
        cols.latency_ms.push(e.latencyMs);
        cols.features.push(JSON.stringify(expanded.features[r] ?? {}));
        cols.prediction.push(JSON.stringify(expanded.predictions[r] ?? null));
      }
    }
    if (cols.timestamp_ms.length === 0) return;
    const job = { dir: this.dir, deployment, first, last, columns: cols };
    if (this.opts.writeInWorker) await this.segmentWorker().write(job);
    else await writeSegmentFile(job);
  }

  private worker: SegmentWorker | null = null;

  /** Parquet encoding costs about as much as the predictions it logs: it runs on its own thread, never the event loop. */
  private segmentWorker(): SegmentWorker {
    this.worker ??= new SegmentWorker();
    return this.worker;
  }

  stats() {
    return { queuedRows: this.queuedRows, written: this.written, dropped: this.dropped, sampledOut: this.sampledOut, lastError: this.lastError };
  }

  async close(): Promise<void> {
    await this.flush();
    await this.worker?.close();
    this.worker = null;
  }
}

export interface InferenceLogWindow {
  /** One deployment; all deployments when omitted. */
  deployment?: string;
  /** Inclusive lower bound, ms since epoch. */
  fromMs?: number;
  /** Exclusive upper bound, ms since epoch. */
  toMs?: number;
  /** Only the newest `last` rows of the window (by timestamp). */
  last?: number;
}

export interface InferenceLogSegment {
  deployment: string;
  path: string;
  firstMs: number;
  lastMs: number;
}

/**
 * Reads windows of the inference log: by time (`fromMs`/`toMs`), by count (`last`), by deployment.
 * `scan` streams segment by segment for windows of millions of rows; `read` gathers a window in memory.
 */
export class InferenceLogReader {
  constructor(readonly dir: string) {}

  async deployments(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => !n.startsWith('.')).map(decodeURIComponent).sort();
  }

  /** Segments overlapping the window, oldest first. */
  async segments(window: InferenceLogWindow = {}): Promise<InferenceLogSegment[]> {
    const deployments = window.deployment !== undefined ? [window.deployment] : await this.deployments();
    const out: InferenceLogSegment[] = [];
    for (const deployment of deployments) {
      const folder = join(this.dir, encodeName(deployment));
      for (const f of await readdir(folder).catch(() => [] as string[])) {
        const m = /^(\d+)-(\d+)-[0-9a-f]+\.parquet$/.exec(f);
        if (!m) continue;
        const seg = { deployment, path: join(folder, f), firstMs: Number(m[1]), lastMs: Number(m[2]) };
        if (window.fromMs !== undefined && seg.lastMs < window.fromMs) continue;
        if (window.toMs !== undefined && seg.firstMs >= window.toMs) continue;
        out.push(seg);
      }
    }
    return out.sort((a, b) => a.firstMs - b.firstMs || a.lastMs - b.lastMs);
  }

  private async segmentRows(segment: InferenceLogSegment, columns?: string[]): Promise<Array<Record<string, unknown>>> {
    const bytes = await readFile(segment.path);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return (await parquetReadObjects({ file, columns })) as Array<Record<string, unknown>>;
  }

  /** Reads one segment's rows inside the window. */
  async readSegment(segment: InferenceLogSegment, window: InferenceLogWindow = {}): Promise<InferenceLogRecord[]> {
    const rows = await this.segmentRows(segment);
    const out: InferenceLogRecord[] = [];
    for (const r of rows) {
      const ts = Number(r.timestamp_ms);
      if (window.fromMs !== undefined && ts < window.fromMs) continue;
      if (window.toMs !== undefined && ts >= window.toMs) continue;
      out.push({
        timestampMs: ts,
        requestId: String(r.request_id),
        rowIndex: Number(r.row_index),
        deployment: String(r.deployment),
        modelName: String(r.model_name ?? ''),
        modelVersion: String(r.model_version ?? ''),
        modelUri: String(r.model_uri ?? ''),
        role: String(r.role) as InferenceLogRecord['role'],
        latencyMs: Number(r.latency_ms),
        features: JSON.parse(String(r.features)),
        prediction: JSON.parse(String(r.prediction)),
      });
    }
    return out;
  }

  /** Streams a window a segment at a time, oldest first (memory stays at one segment). */
  async *scan(window: InferenceLogWindow = {}): AsyncGenerator<InferenceLogRecord[]> {
    for (const seg of await this.segments(window)) {
      const rows = await this.readSegment(seg, window);
      if (rows.length > 0) yield rows;
    }
  }

  /** A whole window in memory, oldest first; with `last`, only the newest rows (newest segments read first). */
  async read(window: InferenceLogWindow = {}): Promise<InferenceLogRecord[]> {
    const sortRows = (rows: InferenceLogRecord[]) => rows.sort((a, b) => a.timestampMs - b.timestampMs || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : a.rowIndex - b.rowIndex));
    if (window.last === undefined) {
      const all: InferenceLogRecord[] = [];
      for await (const rows of this.scan(window)) all.push(...rows);
      return sortRows(all);
    }
    const segments = (await this.segments(window)).reverse();
    const picked: InferenceLogRecord[] = [];
    let oldestPicked = Infinity;
    for (const seg of segments) {
      // Segments may overlap in time; stop only once a segment ends before everything already kept.
      if (picked.length >= window.last && seg.lastMs < oldestPicked) break;
      const rows = await this.readSegment(seg, window);
      picked.push(...rows);
      oldestPicked = Math.min(oldestPicked, seg.firstMs);
    }
    return sortRows(picked).slice(-window.last);
  }

  /** Rows in a window (reads only the timestamp column, and none at all of segments wholly inside the window). */
  async count(window: InferenceLogWindow = {}): Promise<number> {
    let n = 0;
    for (const seg of await this.segments(window)) {
      const inside = (window.fromMs === undefined || seg.firstMs >= window.fromMs) && (window.toMs === undefined || seg.lastMs < window.toMs);
      const rows = await this.segmentRows(seg, ['timestamp_ms']);
      n += inside ? rows.length : rows.filter((r) => {
        const ts = Number(r.timestamp_ms);
        return (window.fromMs === undefined || ts >= window.fromMs) && (window.toMs === undefined || ts < window.toMs);
      }).length;
    }
    return n;
  }
}
