/**
 * Tabular input and output: CSV/TSV and Parquet, streamed in chunks, as columnar tables
 * (numbers in `Float64Array` with NaN for missing, categories as `string | null`).
 */
export type { ColumnKind, DataColumn, DataTable, NumericalColumn, CategoricalColumn, TableSchema } from './table.ts';
export { concatTables, selectColumns, schemaOf } from './table.ts';
export { MISSING_TOKENS, parseNumberCell } from './column-builder.ts';
export { readCsvChunks, type CsvReadOptions } from './csv-reader.ts';
export { readParquetChunks, parquetFileInfo, type ParquetReadOptions, type ParquetFileInfo } from './parquet-reader.ts';
export { writeParquet, type ParquetWriteOptions } from './parquet-writer.ts';
export { writeCsv } from './csv-writer.ts';
export { scanTable, readTable, formatOf, type ScanOptions, type TableFormat } from './read-table.ts';
