/**
 * A table as the data readers produce it (src/data) handed to driftReport untyped, so its
 * Evidently-compatible inference decides the test: it runs on what pandas would see, and an int64
 * column with few values is categorical. Columns a user types explicitly go through `columnTypes`.
 */
import type { DataTable } from '../../data/table.ts';
import type { DriftColumnValues, DriftTable } from './types.ts';

export function toDriftTable(table: DataTable): DriftTable {
  const columns = new Map<string, DriftColumnValues>();
  for (const [name, column] of table.columns) {
    if (column.kind === 'numerical' && column.integer) {
      const fitsInt32 = column.values.every((v) => v >= -2147483648 && v <= 2147483647);
      columns.set(name, fitsInt32 ? Int32Array.from(column.values) : Array.from(column.values));
    } else {
      columns.set(name, column.values);
    }
  }
  return { columns };
}
