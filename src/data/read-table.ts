import { extname } from 'node:path';
import { invalidParameter } from '../core/errors.ts';
import { readCsvChunks, type CsvReadOptions } from './csv-reader.ts';
import { readParquetChunks } from './parquet-reader.ts';
import { concatTables, type ColumnKind, type DataTable } from './table.ts';

export type TableFormat = 'csv' | 'tsv' | 'parquet';

export interface ScanOptions {
  /** Taken from the extension when absent (.csv, .tsv, .parquet/.pq). */
  format?: TableFormat;
  columns?: readonly string[];
  kinds?: Readonly<Record<string, ColumnKind>>;
  /** CSV only. */
  chunkRows?: number;
  /** CSV only. */
  inferenceRows?: number;
  /** Fraction of the file read so far, after each chunk. */
  onProgress?: (fraction: number) => void;
}

export function formatOf(path: string): TableFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw invalidParameter(`${path}: unknown table format '${ext || '(no extension)'}' (expected .csv, .tsv or .parquet)`);
}

/** Streams any supported file as columnar chunks; the memory bound is one chunk / row group. */
export function scanTable(path: string, options: ScanOptions = {}): AsyncGenerator<DataTable> {
  const format = options.format ?? formatOf(path);
  if (format === 'parquet') return readParquetChunks(path, { columns: options.columns, kinds: options.kinds, onProgress: options.onProgress });
  const csv: CsvReadOptions = {
    delimiter: format === 'tsv' ? '\t' : ',',
    columns: options.columns,
    kinds: options.kinds,
    chunkRows: options.chunkRows,
    inferenceRows: options.inferenceRows,
    onProgress: options.onProgress,
  };
  return readCsvChunks(path, csv);
}

/** Reads a whole file into one table (for data that fits in memory, such as a drift comparison). */
export async function readTable(path: string, options: ScanOptions = {}): Promise<DataTable> {
  const chunks: DataTable[] = [];
  for await (const chunk of scanTable(path, options)) chunks.push(chunk);
  return concatTables(chunks);
}
