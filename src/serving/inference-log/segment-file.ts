import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { spawnModuleWorker } from '../worker-thread.ts';

/** One segment's columns, in the order and types documented in inference-log.ts. */
export interface SegmentColumns {
  timestamp_ms: number[];
  request_id: string[];
  row_index: number[];
  deployment: string[];
  model_name: string[];
  model_version: string[];
  model_uri: string[];
  role: string[];
  latency_ms: number[];
  features: string[];
  prediction: string[];
}

export interface SegmentJob {
  dir: string;
  deployment: string;
  first: number;
  last: number;
  columns: SegmentColumns;
}

export const encodeName = (deployment: string) => encodeURIComponent(deployment);
const pad = (ms: number) => String(Math.floor(ms)).padStart(15, '0');

const TYPES: Record<keyof SegmentColumns, 'DOUBLE' | 'STRING' | 'INT32'> = {
  timestamp_ms: 'DOUBLE', request_id: 'STRING', row_index: 'INT32', deployment: 'STRING', model_name: 'STRING', model_version: 'STRING',
  model_uri: 'STRING', role: 'STRING', latency_ms: 'DOUBLE', features: 'STRING', prediction: 'STRING',
};

/** Encodes a segment as Parquet and writes it aside, then renames it: a reader never sees half a segment. */
export async function writeSegmentFile(job: SegmentJob): Promise<void> {
  const buffer = parquetWriteBuffer({
    columnData: (Object.keys(TYPES) as Array<keyof SegmentColumns>).map((name) => ({ name, data: job.columns[name], type: TYPES[name] })),
  });
  const folder = join(job.dir, encodeName(job.deployment));
  await mkdir(folder, { recursive: true });
  const name = `${pad(job.first)}-${pad(job.last)}-${randomBytes(4).toString('hex')}.parquet`;
  const tmp = join(folder, `.${name}.tmp`);
  await writeFile(tmp, new Uint8Array(buffer));
  await rename(tmp, join(folder, name));
}

/** A worker thread writing segments one after another. */
export class SegmentWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker = spawnModuleWorker(import.meta.url, 'segment-worker', null);
    // A logging thread keeps the process alive only while it has segments to write.
    this.worker.once('online', () => this.pending.size === 0 && this.worker.unref());
    this.worker.on('message', (m: { id: number; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.error) p.reject(new Error(m.error));
      else p.resolve();
    });
    this.worker.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  write(job: SegmentJob): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
