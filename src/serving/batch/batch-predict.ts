import { availableParallelism } from 'node:os';
import { invalidParameter } from '../../core/errors.ts';
import { concatTables, formatOf, scanTable, writeCsv, writeParquet, type DataColumn, type DataTable } from '../../data/index.ts';
import { loadOnnxModel, locateModelFiles, type OnnxModel, type Tensor, type ZipMapOutput } from '../index.ts';
import { batchFeeds, planInputs, plannedColumns, type InputPlan } from './batch-feeds.ts';

export interface BatchPredictOptions {
  /** A local `.onnx` file or model folder (MLmodel + model.onnx); registry URIs are resolved by the caller. */
  modelPath: string;
  /** CSV, TSV or Parquet; streamed, never loaded whole. */
  input: string;
  /** `.csv` or `.parquet`; written as batches finish, in input order. */
  output: string;
  /** Rows a model call (default 10,000). */
  batchSize?: number;
  /** Worker threads with an onnxruntime session each (default: one a core). */
  workers?: number;
  /** Feature columns in the order the model takes them, when the model carries no signature naming them. */
  columns?: readonly string[];
  /** Input columns copied to the output before the predictions (an id to join on, for instance). */
  keep?: readonly string[];
  /** After each written batch: the fraction of the input read and the rows predicted so far. */
  onProgress?: (progress: { fraction: number; rows: number }) => void;
}

export interface BatchPredictSummary {
  input: string;
  output: string;
  rows: number;
  batches: number;
  batchSize: number;
  workers: number;
  /** The output's columns, in order: kept columns, then one a prediction value. */
  columns: string[];
  seconds: number;
}

const DEFAULT_BATCH_SIZE = 10_000;
/** Output rows gathered before a write: one Parquet row group, and a CSV write of a sensible size. */
const WRITE_ROWS = 65_536;

/**
 * Output tensors as table columns: a per-row value (shape [n] or [n, 1]) keeps the output's name; wider outputs
 * get a column a position, named by class label for ZipMap probabilities (`output_probability_<label>`).
 */
function outputColumns(outputs: Record<string, Tensor>, zipMaps: ZipMapOutput[], rows: number): Map<string, DataColumn> {
  const columns = new Map<string, DataColumn>();
  for (const [name, t] of Object.entries(outputs)) {
    const width = rows === 0 ? (t.shape.slice(1).reduce((a, b) => a * b, 1) || 1) : t.data.length / rows;
    const labels = zipMaps.find((z) => z.output === name)?.labels;
    for (let k = 0; k < width; k++) {
      const columnName = width === 1 ? name : `${name}_${labels?.[k] ?? k}`;
      if (Array.isArray(t.data)) {
        const src = t.data;
        columns.set(columnName, { kind: 'categorical', values: Array.from({ length: rows }, (_, r) => src[r * width + k]) });
      } else {
        const values = new Float64Array(rows);
        const src = t.data as ArrayLike<number | bigint>;
        for (let r = 0; r < rows; r++) values[r] = Number(src[r * width + k]);
        columns.set(columnName, { kind: 'numerical', values });
      }
    }
  }
  return columns;
}

function sliceColumn(column: DataColumn, from: number, to: number): DataColumn {
  return column.kind === 'numerical' ? { kind: 'numerical', values: column.values.slice(from, to) } : { kind: 'categorical', values: column.values.slice(from, to) };
}

/**
 * Scores a file with an ONNX model: the input is read a chunk (CSV) or row group (Parquet) at a time, cut into
 * batches that run in parallel on worker threads, and the predictions are written in input order as they come
 * back. At most two batches a worker are in flight, so memory stays flat whatever the file's size.
 */
export async function batchPredict(options: BatchPredictOptions): Promise<BatchPredictSummary> {
  const started = performance.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw invalidParameter(`--batch-size must be a positive integer, got ${options.batchSize}`);
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw invalidParameter(`--workers must be a positive integer, got ${options.workers}`);
  const outputFormat = formatOf(options.output);
  if (outputFormat === 'tsv') throw invalidParameter(`${options.output}: predictions are written as .csv or .parquet`);
  formatOf(options.input);

  const files = await locateModelFiles(options.modelPath).catch((e: Error) => {
    throw invalidParameter(e.message);
  });
  // The header alone says which columns exist; it is read before the model is started.
  const fileColumns = await firstChunkColumns(options.input);
  const model = await loadOnnxModel(files.onnxPath, { workers }).catch((e: Error) => {
    throw invalidParameter(`${files.onnxPath}: ${e.message}`);
  });
  try {
    const plan = planInputs(model.inputs, files.columns, fileColumns, options.columns);
    const keep = [...(options.keep ?? [])];
    for (const k of keep) if (!fileColumns.includes(k)) throw invalidParameter(`--keep: the file has no column '${k}' (columns: ${fileColumns.join(', ')})`);
    const summary: BatchPredictSummary = { input: options.input, output: options.output, rows: 0, batches: 0, batchSize, workers, columns: [], seconds: 0 };
    const chunks = predictedChunks(model, plan, keep, options, batchSize, workers, summary);
    if (outputFormat === 'parquet') await writeParquet(options.output, chunks, { rowGroupRows: WRITE_ROWS });
    else await writeCsv(options.output, chunks);
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    await model.close();
  }
}

async function firstChunkColumns(input: string): Promise<string[]> {
  const scan = scanTable(input, { chunkRows: 1, inferenceRows: 1 });
  try {
    const first = await scan.next();
    return first.done ? [] : [...first.value.columns.keys()];
  } finally {
    await scan.return(undefined);
  }
}

async function* predictedChunks(
  model: OnnxModel,
  plan: InputPlan,
  keep: string[],
  options: BatchPredictOptions,
  batchSize: number,
  workers: number,
  summary: BatchPredictSummary,
): AsyncGenerator<DataTable> {
  const planned = plannedColumns(plan);
  const read = [...new Set([...keep, ...planned.names])];
  let fraction = 0;
  const scan = scanTable(options.input, { columns: read, kinds: planned.kinds, onProgress: (f) => (fraction = f) });
  // Batches in input order; each settles to its output table. Awaiting the head keeps the order.
  const inFlight: Array<Promise<DataTable>> = [];
  const maxInFlight = workers * 2;
  let pendingOutput: DataTable[] = [];
  let pendingRows = 0;
  let firstRow = 0;

  const settle = async (): Promise<DataTable | null> => {
    const table = await inFlight.shift()!;
    summary.rows += table.rowCount;
    summary.batches++;
    if (summary.columns.length === 0) summary.columns = [...table.columns.keys()];
    pendingOutput.push(table);
    pendingRows += table.rowCount;
    options.onProgress?.({ fraction, rows: summary.rows });
    if (pendingRows < WRITE_ROWS) return null;
    const out = concatTables(pendingOutput);
    pendingOutput = [];
    pendingRows = 0;
    return out;
  };

  try {
    for await (const chunk of scan) {
      for (let from = 0; from < chunk.rowCount; from += batchSize) {
        const to = Math.min(chunk.rowCount, from + batchSize);
        const feeds = batchFeeds(plan, chunk, from, to, firstRow);
        const kept = keep.map((k) => [k, sliceColumn(chunk.columns.get(k)!, from, to)] as const);
        const rows = to - from;
        const batch = model.run(feeds).then((outputs) => ({ rowCount: rows, columns: new Map([...kept, ...outputColumns(outputs, model.zipMaps, rows)]) }));
        // Marked handled now; the rejection still surfaces when this batch reaches the head of the queue.
        batch.catch(() => {});
        inFlight.push(batch);
        while (inFlight.length >= maxInFlight) {
          const out = await settle();
          if (out) yield out;
        }
      }
      firstRow += chunk.rowCount;
    }
    while (inFlight.length > 0) {
      const out = await settle();
      if (out) yield out;
    }
    if (pendingOutput.length > 0) yield concatTables(pendingOutput);
    else if (summary.batches === 0) yield emptyOutput(model, keep);
  } finally {
    await scan.return(undefined);
  }
}

/** An input with a header and no rows still gets a header row (CSV) or a schema (Parquet). */
function emptyOutput(model: OnnxModel, keep: string[]): DataTable {
  const columns = new Map<string, DataColumn>(keep.map((k) => [k, { kind: 'numerical', values: new Float64Array(0) }]));
  for (const o of model.outputs) {
    const width = o.shape.length > 1 && o.shape.slice(1).every((d) => d > 0) ? o.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    const labels = model.zipMaps.find((z) => z.output === o.name)?.labels;
    for (let k = 0; k < width; k++) {
      columns.set(width === 1 ? o.name : `${o.name}_${labels?.[k] ?? k}`, o.datatype === 'BYTES' ? { kind: 'categorical', values: [] } : { kind: 'numerical', values: new Float64Array(0) });
    }
  }
  return { rowCount: 0, columns };
}
