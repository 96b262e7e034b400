import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import { invalidParameter, PharosError } from '../core/errors.ts';
import { buildColumnFromText, inferKindFromText } from './column-builder.ts';
import type { ColumnKind, DataColumn, DataTable } from './table.ts';

export interface CsvReadOptions {
  /** Field delimiter; default `,` (`\t` for `.tsv` files when read through `scanTable`). */
  delimiter?: string;
  /**
   * Rows per emitted chunk; memory use is bounded by this, not by the file size. Default: about a
   * million cells per chunk (20,000 rows of 50 columns), since parsed records are held as strings
   * until the chunk is converted.
   */
  chunkRows?: number;
  /** Rows looked at to infer column kinds (the first chunk is at least this big). */
  inferenceRows?: number;
  /** Only these columns (in this order); an unknown name is an error. */
  columns?: readonly string[];
  /** Overrides inference, e.g. `{ zip_code: 'categorical' }`. */
  kinds?: Readonly<Record<string, ColumnKind>>;
  /** Called after each chunk with the fraction of the file read (bytes), for progress bars. */
  onProgress?: (fraction: number) => void;
}

const CELLS_PER_CHUNK = 1_000_000;
const DEFAULT_INFERENCE_ROWS = 10_000;

/**
 * Streams a CSV file with a header row as columnar chunks. Column kinds are inferred from the first
 * `inferenceRows` rows (see `inferKindFromText`) and then fixed: a later cell that is not a number
 * in a column inferred numerical is an error naming the line and suggesting a `kinds` override,
 * rather than a silent change of meaning halfway through a file.
 */
export async function* readCsvChunks(path: string, options: CsvReadOptions = {}): AsyncGenerator<DataTable> {
  let chunkRows = Math.max(1, options.chunkRows ?? 65_536);
  const inferenceRows = Math.max(1, options.inferenceRows ?? DEFAULT_INFERENCE_ROWS);
  const input = createReadStream(path);
  const parser = parse({
    delimiter: options.delimiter ?? ',',
    bom: true,
    relax_quotes: false,
    skip_empty_lines: true,
    trim: false,
  });
  input.on('error', (e) => parser.destroy(e));
  const report = () => {
    if (!options.onProgress) return;
    try {
      options.onProgress(Math.min(1, input.bytesRead / Math.max(1, statSync(path).size)));
    } catch {
      // progress is best effort
    }
  };
  input.pipe(parser);

  let header: string[] | undefined;
  let selected: number[] = [];
  let kinds: ColumnKind[] | undefined;
  let buffered: string[][] = [];
  let firstLineOfBuffer = 2;
  let line = 1;

  const flush = (): DataTable => {
    const rows = buffered;
    const names = selected.map((i) => header![i]);
    if (!kinds) {
      kinds = selected.map((colIndex, k) => options.kinds?.[names[k]] ?? inferKindFromText(rows, colIndex));
    }
    const columns = new Map<string, DataColumn>();
    selected.forEach((colIndex, k) => {
      columns.set(names[k], buildColumnFromText(kinds![k], rows, colIndex, (rowInChunk, text) => {
        throw invalidParameter(
          `${path}: line ${firstLineOfBuffer + rowInChunk}, column '${names[k]}': '${text}' is not a number, but the ` +
            `column was inferred numerical from its first rows; declare it categorical to read it as text`,
        );
      }));
    });
    firstLineOfBuffer += rows.length;
    buffered = [];
    return { rowCount: rows.length, columns };
  };

  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      if (!header) {
        header = record.map((h) => h.trim());
        const seen = new Set<string>();
        for (const h of header) {
          if (seen.has(h)) throw invalidParameter(`${path}: duplicate column name '${h}' in the header`);
          seen.add(h);
        }
        if (options.columns) {
          selected = options.columns.map((name) => {
            const i = header!.indexOf(name);
            if (i < 0) throw invalidParameter(`${path}: no column '${name}' (columns: ${header!.join(', ')})`);
            return i;
          });
        } else {
          selected = header.map((_, i) => i);
        }
        if (options.chunkRows === undefined) chunkRows = Math.max(1024, Math.floor(CELLS_PER_CHUNK / Math.max(1, header.length)));
        continue;
      }
      buffered.push(record);
      const target = kinds ? chunkRows : Math.max(chunkRows, inferenceRows);
      if (buffered.length >= target) {
        report();
        yield flush();
      }
    }
  } catch (e) {
    if (e instanceof PharosError) throw e;
    const err = e as NodeJS.ErrnoException & { lines?: number };
    if (err.code === 'ENOENT') throw invalidParameter(`${path}: no such file`);
    if (err.code === 'EISDIR') throw invalidParameter(`${path}: is a directory, not a CSV file`);
    throw invalidParameter(`${path}: not a valid CSV file${err.lines ? ` (line ${err.lines})` : ''}: ${err.message}`);
  } finally {
    input.destroy();
  }
  if (!header) throw invalidParameter(`${path}: empty CSV file (a header row is required)`);
  options.onProgress?.(1);
  if (buffered.length > 0 || !kinds) yield flush();
}
