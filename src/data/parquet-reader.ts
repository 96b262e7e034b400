import { open as openFile, stat, type FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData, RowGroup, SchemaElement, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS, convert, convertWithDictionary } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { invalidParameter, PharosError } from '../core/errors.ts';
import { parseNumberCell } from './column-builder.ts';
import { snappyDecompress } from './snappy.ts';
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

/**
 * The file as hyparquet's AsyncBuffer over one open handle: each slice is one positioned read
 * (hyparquet's asyncBufferFromFile opens a read stream per slice and gathers 64 KB chunks, which
 * left a 50-column read mostly waiting on the thread pool). Close it when done.
 */
async function fileBuffer(path: string, size: number): Promise<{ file: AsyncBuffer; close: () => Promise<void> }> {
  const handle: FileHandle = await openFile(path, 'r');
  const file: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number) {
      const to = Math.min(end ?? size, size);
      const out = new Uint8Array(Math.max(0, to - start));
      for (let done = 0; done < out.length; ) {
        const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + done}`);
        done += bytesRead;
      }
      return out.buffer;
    },
  };
  return { file, close: () => handle.close() };
}

async function open(path: string): Promise<{ file: AsyncBuffer; metadata: FileMetaData; close: () => Promise<void> }> {
  let close: (() => Promise<void>) | undefined;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw invalidParameter(`${path}: not a file`);
    const opened = await fileBuffer(path, info.size);
    close = opened.close;
    const metadata = await parquetMetadataAsync(opened.file);
    return { file: opened.file, metadata, close };
  } catch (e) {
    await close?.();
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
  const { metadata, close } = await open(path);
  await close();
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

class ConversionError extends Error {}

/** Decompressors handed to hyparquet (its own are used for codecs not listed). */
const COMPRESSORS = { SNAPPY: snappyDecompress };

type ColumnDecoder = Parameters<typeof readDataPageV2>[2];
type DecodedArray = ReturnType<typeof readPlain>;

/** A top-level, non-repeated primitive column: its pages decode straight into the output column. */
interface FlatLeaf {
  schemaPath: SchemaTree[];
  maxDefinitionLevel: number;
}

function flatLeafColumns(metadata: FileMetaData, names: readonly string[]): Map<string, FlatLeaf> {
  const root = parquetSchema(metadata);
  const leaves = new Map<string, FlatLeaf>();
  for (const name of names) {
    const child = root.children.find((c) => c.element.name === name);
    if (!child || child.children.length > 0 || child.element.repetition_type === 'REPEATED') continue;
    leaves.set(name, { schemaPath: [root, child], maxDefinitionLevel: child.element.repetition_type === 'REQUIRED' ? 0 : 1 });
  }
  return leaves;
}

/**
 * Decodes one flat column chunk page by page into `target` (NaN / null where the definition level
 * says missing). Same page decoding and type conversion as hyparquet's parquetRead (its own
 * exported page functions), without its generic nested-list assembly, which boxed every value into
 * a JS array and was the largest cost of reading a wide numerical file.
 */
async function readFlatColumnChunk(file: AsyncBuffer, group: RowGroup, leaf: FlatLeaf, target: Float64Array | Array<string | null>, rowCount: number): Promise<void> {
  const element = leaf.schemaPath[1].element;
  const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === element.name);
  const meta = chunk?.meta_data;
  if (!chunk || !meta) throw new Error(`no column chunk for '${element.name}'`);
  if (chunk.file_path) throw new Error('parquet file_path not supported');
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  const buffer = await file.slice(start, start + Number(meta.total_compressed_size));
  const decoder: ColumnDecoder = {
    pathInSchema: meta.path_in_schema,
    type: meta.type,
    element,
    schemaPath: leaf.schemaPath,
    codec: meta.codec,
    parsers: DEFAULT_PARSERS,
    compressors: COMPRESSORS,
    utf8: true,
  };
  const numbers = target instanceof Float64Array ? target : undefined;
  const reader = { view: new DataView(buffer), offset: 0 };
  let dictionary: DecodedArray | undefined;
  let row = 0;
  while (row < rowCount && reader.offset < reader.view.byteLength - 1) {
    const header = parquetHeader(reader);
    const bytes = new Uint8Array(buffer, reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    let definitionLevels: number[] | undefined;
    let values: DecodedArray;
    let n: number;
    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(bytes, Number(header.uncompressed_page_size), meta.codec, COMPRESSORS);
      const pageReader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
      dictionary = convert(readPlain(pageReader, meta.type, header.dictionary_page_header!.num_values, element.type_length), decoder);
      continue;
    } else if (header.type === 'DATA_PAGE') {
      const daph = header.data_page_header!;
      const page = decompressPage(bytes, Number(header.uncompressed_page_size), meta.codec, COMPRESSORS);
      const data = readDataPage(page, daph, decoder);
      definitionLevels = data.definitionLevels;
      values = convertWithDictionary(data.dataPage, dictionary, daph.encoding, decoder);
      n = daph.num_values;
    } else if (header.type === 'DATA_PAGE_V2') {
      const daph2 = header.data_page_header_v2!;
      const data = readDataPageV2(bytes, header, decoder);
      definitionLevels = data.definitionLevels;
      values = convertWithDictionary(data.dataPage, dictionary, daph2.encoding, decoder);
      n = daph2.num_values;
    } else continue; // index pages carry no values
    n = Math.min(n, rowCount - row);
    const dense = !definitionLevels || definitionLevels.length === 0;
    try {
      if (numbers) {
        if (dense && (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array)) {
          for (let i = 0; i < n; i++) numbers[row + i] = values[i];
        } else if (dense) {
          for (let i = 0; i < n; i++) numbers[row + i] = toNumber(values[i]);
        } else if (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array) {
          const max = leaf.maxDefinitionLevel;
          const levels = definitionLevels!;
          for (let i = 0, k = 0; i < n; i++) numbers[row + i] = levels[i] === max ? values[k++] : NaN;
        } else {
          const max = leaf.maxDefinitionLevel;
          for (let i = 0, k = 0; i < n; i++) numbers[row + i] = definitionLevels![i] === max ? toNumber(values[k++]) : NaN;
        }
      } else {
        const cats = target as Array<string | null>;
        if (dense) for (let i = 0; i < n; i++) cats[row + i] = toCategory(values[i]);
        else {
          const max = leaf.maxDefinitionLevel;
          for (let i = 0, k = 0; i < n; i++) cats[row + i] = definitionLevels![i] === max ? toCategory(values[k++]) : null;
        }
      }
    } catch (e) {
      throw new ConversionError((e as Error).message);
    }
    row += n;
  }
  if (row < rowCount) throw new Error(`column '${element.name}' holds ${row} values, the row group ${rowCount}`);
}

/**
 * Streams a Parquet file one row group at a time, so memory is bounded by the largest row group
 * rather than the file. Only the requested columns are read from disk.
 */
export async function* readParquetChunks(path: string, options: ParquetReadOptions = {}): AsyncGenerator<DataTable> {
  const { file, metadata, close } = await open(path);
  try {
    yield* readOpenParquet(path, file, metadata, options);
  } finally {
    await close();
  }
}

async function* readOpenParquet(path: string, file: AsyncBuffer, metadata: FileMetaData, options: ParquetReadOptions): AsyncGenerator<DataTable> {
  const plan = planColumns(path, metadata, options);
  const columnNames = plan.map((c) => c.name);
  const flatLeaves = flatLeafColumns(metadata, columnNames);
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const rowCount = Number(group.num_rows);
    const numeric = new Map<string, Float64Array>();
    const categorical = new Map<string, Array<string | null>>();
    for (const { name, kind } of plan) {
      // flat columns are decoded over every row; the others start all-missing
      if (kind === 'numerical') numeric.set(name, flatLeaves.has(name) ? new Float64Array(rowCount) : new Float64Array(rowCount).fill(NaN));
      else categorical.set(name, new Array<string | null>(rowCount).fill(null));
    }
    if (plan.length > 0 && rowCount > 0) {
      // hyparquet calls onChunk inside a detached promise: a throw there would be an unhandled
      // rejection, so the first conversion error is kept and thrown once the read settles
      let conversionError: Error | undefined;
      try {
        // One column at a time: only one column chunk's bytes and decoded pages are held at once.
        for (const columnName of columnNames) {
          const nums = numeric.get(columnName);
          const target = nums ?? categorical.get(columnName)!;
          const leaf = flatLeaves.get(columnName);
          if (leaf) {
            try {
              await readFlatColumnChunk(file, group, leaf, target, rowCount);
            } catch (e) {
              if (!(e instanceof ConversionError)) throw e;
              conversionError ??= new Error(`column '${columnName}': ${e.message}`);
            }
            continue;
          }
          await parquetRead({
            file,
            metadata,
            compressors: COMPRESSORS,
            columns: [columnName],
            rowStart: groupStart,
            rowEnd: groupStart + rowCount,
            onChunk({ columnData, rowStart, rowEnd }) {
              const from = Math.max(rowStart, groupStart);
              const to = Math.min(rowEnd, groupStart + rowCount);
              if (nums) {
                try {
                  for (let r = from; r < to; r++) nums[r - groupStart] = toNumber(columnData[r - rowStart]);
                } catch (e) {
                  conversionError ??= new Error(`column '${columnName}': ${(e as Error).message}`);
                }
              } else {
                const cats = target as Array<string | null>;
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
