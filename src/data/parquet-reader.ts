import { stat } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData, SchemaElement } from 'hyparquet';
import { invalidParameter, PharosError } from '../core/errors.ts';
import { parseNumberCell } from './column-builder.ts';
import type { ColumnKind, DataColumn, DataTable } from './table.ts';

export interface ParquetReadOptions {
  /** Only these columns (in this order); an unknown name is an error. */
  columns?: readonly string[];
  /** Overrides the kind taken from the schema, e.g. an integer code column read as categories. */
  kinds?: Readonly<Record<string, ColumnKind>>;
  /** Called after each row group with the fraction of rows read, for progress bars. */
  onProgress?: (fraction: number) => void;
}

export interface ParquetFileInfo {
  rowCount: number;
  rowGroups: number;
  columns: Array<{ name: string; kind: ColumnKind }>;
}

/**
 * Column kind from the Parquet schema: numbers, decimals, dates and timestamps are numerical
 * (timestamps as epoch milliseconds); strings, enums, booleans and binary are categorical.
 * Nested columns (lists, maps, structs) have no place in a drift table and are left out.
 */
function kindOf(element: SchemaElement): ColumnKind | undefined {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (logical === 'STRING' || logical === 'ENUM' || logical === 'JSON' || logical === 'UUID') return 'categorical';
  if (converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON') return 'categorical';
  switch (element.type) {
    case 'INT32':
    case 'INT64':
    case 'INT96':
    case 'FLOAT':
    case 'DOUBLE':
      return 'numerical';
    case 'FIXED_LEN_BYTE_ARRAY':
      return logical === 'FLOAT16' || logical === 'DECIMAL' || converted === 'DECIMAL' ? 'numerical' : 'categorical';
    case 'BOOLEAN':
    case 'BYTE_ARRAY':
      return converted === 'DECIMAL' || logical === 'DECIMAL' ? 'numerical' : 'categorical';
    default:
      return undefined;
  }
}

/** pandas writes its index as a column; it is row bookkeeping, not data. */
const isPandasIndex = (name: string) => /^__index_level_\d+__$/.test(name);

async function open(path: string): Promise<{ file: AsyncBuffer; metadata: FileMetaData }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw invalidParameter(`${path}: not a file`);
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    return { file, metadata };
  } catch (e) {
    if (e instanceof PharosError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw invalidParameter(`${path}: no such file`);
    throw invalidParameter(`${path}: not a valid Parquet file: ${err.message}`);
  }
}

/** Plain integer storage (not a date, time, timestamp or decimal dressed as an integer). */
function isIntegerStorage(element: SchemaElement): boolean {
  if (element.type !== 'INT32' && element.type !== 'INT64') return false;
  const logical = element.logical_type?.type;
  if (logical && logical !== 'INTEGER') return false;
  return element.converted_type === undefined || /^U?INT_/.test(element.converted_type);
}

function planColumns(path: string, metadata: FileMetaData, options: ParquetReadOptions) {
  const available = new Map<string, ColumnKind>();
  const integers = new Set<string>();
  for (const child of parquetSchema(metadata).children) {
    const name = child.element.name;
    if (child.children.length > 0 || isPandasIndex(name)) continue;
    const kind = kindOf(child.element);
    if (kind) available.set(name, options.kinds?.[name] ?? kind);
    if (isIntegerStorage(child.element)) integers.add(name);
  }
  const names = options.columns ? [...options.columns] : [...available.keys()];
  for (const name of names) {
    if (!available.has(name)) {
      throw invalidParameter(`${path}: no readable column '${name}' (columns: ${[...available.keys()].join(', ')})`);
    }
  }
  return names.map((name) => ({ name, kind: available.get(name)!, integer: integers.has(name) }));
}

export async function parquetFileInfo(path: string, options: ParquetReadOptions = {}): Promise<ParquetFileInfo> {
  const { metadata } = await open(path);
  const columns = planColumns(path, metadata, options).map(({ name, kind }) => ({ name, kind }));
  return { rowCount: Number(metadata.num_rows), rowGroups: metadata.row_groups.length, columns };
}

function toNumber(v: unknown): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'boolean') return v ? 1 : 0;
  // a text column declared numerical: same rules as CSV cells, and no silent NaN for 'abc'
  const parsed = parseNumberCell(String(v));
  if (parsed === undefined) throw new Error(`'${String(v)}' is not a number, but the column was declared numerical`);
  return parsed;
}

function toCategory(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v);
}

/**
 * Streams a Parquet file one row group at a time, so memory is bounded by the largest row group
 * rather than the file. Only the requested columns are read from disk.
 */
export async function* readParquetChunks(path: string, options: ParquetReadOptions = {}): AsyncGenerator<DataTable> {
  const { file, metadata } = await open(path);
  const plan = planColumns(path, metadata, options);
  const columnNames = plan.map((c) => c.name);
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const rowCount = Number(group.num_rows);
    const numeric = new Map<string, Float64Array>();
    const categorical = new Map<string, Array<string | null>>();
    for (const { name, kind } of plan) {
      if (kind === 'numerical') numeric.set(name, new Float64Array(rowCount).fill(NaN));
      else categorical.set(name, new Array<string | null>(rowCount).fill(null));
    }
    if (plan.length > 0 && rowCount > 0) {
      // hyparquet calls onChunk inside a detached promise: a throw there would be an unhandled
      // rejection, so the first conversion error is kept and thrown once the read settles
      let conversionError: Error | undefined;
      try {
        // One column at a time: hyparquet decodes nullable columns into plain JS arrays (boxed
        // numbers), so reading a whole row group at once would briefly hold all of them.
        for (const columnName of columnNames) {
          await parquetRead({
            file,
            metadata,
            columns: [columnName],
            rowStart: groupStart,
            rowEnd: groupStart + rowCount,
            onChunk({ columnData, rowStart, rowEnd }) {
              const from = Math.max(rowStart, groupStart);
              const to = Math.min(rowEnd, groupStart + rowCount);
              const nums = numeric.get(columnName);
              if (nums) {
                try {
                  for (let r = from; r < to; r++) nums[r - groupStart] = toNumber(columnData[r - rowStart]);
                } catch (e) {
                  conversionError ??= new Error(`column '${columnName}': ${(e as Error).message}`);
                }
              } else {
                const cats = categorical.get(columnName)!;
                for (let r = from; r < to; r++) cats[r - groupStart] = toCategory(columnData[r - rowStart]);
              }
            },
          });
        }
        if (conversionError) throw conversionError;
      } catch (e) {
        throw invalidParameter(`${path}: could not read row group at row ${groupStart}: ${(e as Error).message}`);
      }
    }
    const columns = new Map<string, DataColumn>();
    for (const { name, kind, integer } of plan) {
      if (kind === 'categorical') {
        columns.set(name, { kind, values: categorical.get(name)! });
        continue;
      }
      const values = numeric.get(name)!;
      // pandas reads an INT column with a null as float64, so the hint needs no missing value
      columns.set(name, integer && !values.some(Number.isNaN) ? { kind, values, integer: true } : { kind, values });
    }
    groupStart += rowCount;
    options.onProgress?.(groupStart / Math.max(1, Number(metadata.num_rows)));
    yield { rowCount, columns };
  }
  if (metadata.row_groups.length === 0) {
    yield { rowCount: 0, columns: new Map(plan.map(({ name, kind }) => [name, kind === 'numerical' ? { kind, values: new Float64Array(0) } : { kind, values: [] }])) };
  }
}
