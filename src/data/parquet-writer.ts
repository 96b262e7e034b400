import { rm } from 'node:fs/promises';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { invalidParameter } from '../core/errors.ts';
import type { DataTable, TableSchema } from './table.ts';

export interface ParquetWriteOptions {
  /** Rows per row group; the streaming readers hold one group in memory at a time. */
  rowGroupRows?: number;
}

function schemaElements(schema: TableSchema): SchemaElement[] {
  return [
    { name: 'root', num_children: schema.columns.length },
    ...schema.columns.map(({ name, kind }): SchemaElement => kind === 'numerical'
      ? { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }
      : { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }),
  ];
}

/**
 * Writes a table, or a stream of same-schema chunks, as Parquet: numerical columns as DOUBLE
 * (missing = NaN, as pandas writes floats), categorical columns as UTF8 strings (missing = null).
 * Chunks are encoded as they arrive, so a generator can produce files larger than memory.
 */
export async function writeParquet(
  path: string,
  data: DataTable | AsyncIterable<DataTable> | Iterable<DataTable>,
  options: ParquetWriteOptions = {},
): Promise<void> {
  const chunks = isTable(data) ? [data] : data;
  const rowGroupSize = options.rowGroupRows ?? 100_000;
  let writer: ParquetWriter | undefined;
  let schemaKey = '';
  try {
    for await (const chunk of chunks as AsyncIterable<DataTable>) {
      const columns = [...chunk.columns];
      const key = columns.map(([n, c]) => `${n}:${c.kind}`).join(',');
      if (!writer) {
        writer = new ParquetWriter({
          writer: fileWriter(path),
          schema: schemaElements({ columns: columns.map(([name, c]) => ({ name, kind: c.kind })) }),
        });
        schemaKey = key;
      } else if (key !== schemaKey) {
        throw invalidParameter(`writeParquet: chunk schema (${key}) differs from the first chunk (${schemaKey})`);
      }
      if (chunk.rowCount === 0) continue;
      await writer.write({
        columnData: columns.map(([name, c]) => ({ name, data: c.values })),
        rowGroupSize,
      });
    }
    if (!writer) throw invalidParameter('writeParquet: no data (not even an empty table) to write');
    await writer.finish();
  } catch (e) {
    await rm(path, { force: true });
    throw e;
  }
}

function isTable(x: unknown): x is DataTable {
  return typeof x === 'object' && x !== null && 'columns' in x && 'rowCount' in x;
}
