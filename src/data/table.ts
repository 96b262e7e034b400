/**
 * The in-memory columnar shape every reader produces and every writer accepts.
 *
 * Numbers are `Float64Array` with `NaN` for a missing value, so statistics run over typed arrays
 * without boxing; categories are plain string arrays with `null` for a missing value.
 */
export type ColumnKind = 'numerical' | 'categorical';

export interface NumericalColumn {
  readonly kind: 'numerical';
  readonly values: Float64Array;
  /**
   * The file stores whole numbers with no missing value (a Parquet INT column, a CSV column of
   * integer literals): what pandas reads as int64. Drift type inference follows Evidently and
   * treats such a column with few distinct values as categorical, so the hint has to survive.
   */
  readonly integer?: boolean;
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly values: Array<string | null>;
}

export type DataColumn = NumericalColumn | CategoricalColumn;

/** A table, or one chunk of a streamed table (a Parquet row group, a batch of CSV rows). */
export interface DataTable {
  readonly rowCount: number;
  /** Column order is the file's order. */
  readonly columns: ReadonlyMap<string, DataColumn>;
}

export interface TableSchema {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly kind: ColumnKind }>;
}

export function schemaOf(table: DataTable): TableSchema {
  return { columns: [...table.columns].map(([name, c]) => ({ name, kind: c.kind })) };
}

/** Joins chunks of the same schema into one table (used when a caller wants the whole file). */
export function concatTables(chunks: DataTable[]): DataTable {
  if (chunks.length === 0) return { rowCount: 0, columns: new Map() };
  if (chunks.length === 1) return chunks[0];
  const rowCount = chunks.reduce((n, c) => n + c.rowCount, 0);
  const columns = new Map<string, DataColumn>();
  for (const [name, first] of chunks[0].columns) {
    if (first.kind === 'numerical') {
      const values = new Float64Array(rowCount);
      let offset = 0;
      let integer = true;
      for (const chunk of chunks) {
        const part = chunk.columns.get(name) as NumericalColumn;
        values.set(part.values, offset);
        integer &&= part.integer === true;
        offset += chunk.rowCount;
      }
      columns.set(name, integer ? { kind: 'numerical', values, integer } : { kind: 'numerical', values });
    } else {
      const values: Array<string | null> = new Array(rowCount);
      let offset = 0;
      for (const chunk of chunks) {
        const part = (chunk.columns.get(name) as CategoricalColumn).values;
        for (let i = 0; i < part.length; i++) values[offset + i] = part[i];
        offset += chunk.rowCount;
      }
      columns.set(name, { kind: 'categorical', values });
    }
  }
  return { rowCount, columns };
}

/** Keeps only the named columns, in the order given. */
export function selectColumns(table: DataTable, names: readonly string[]): DataTable {
  const columns = new Map<string, DataColumn>();
  for (const name of names) {
    const column = table.columns.get(name);
    if (column) columns.set(name, column);
  }
  return { rowCount: table.rowCount, columns };
}
