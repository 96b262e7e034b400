/**
 * Reading a column as handed in, cleaning it and inferring its type.
 *
 * Type inference mirrors Evidently 0.7 (`infer_column_type`, applied to the CURRENT dataset, as its
 * report context does), translated from pandas dtypes to JavaScript values:
 * - float data (Float64Array, Float32Array, or a number array holding NaN/null, which pandas would
 *   store as float64) -> numerical;
 * - integer data (Int32Array, or a number array of integers without missing values: pandas int64)
 *   -> categorical when it has at most 10 distinct values, numerical otherwise;
 * - strings, booleans, or a mix -> categorical. (Evidently calls a string column with more distinct
 *   values than half its non-missing count "text" and runs a text-content test; Pharos keeps it
 *   categorical and says so in the column message.)
 * Missing values (null, undefined, NaN, ±Infinity) are dropped before any test, as Evidently does.
 */
import { sortFloat64 } from '../stats/sorted.ts';
import type { DriftColumnType, DriftColumnValues, DriftTable, TypedDriftColumn } from './types.ts';

export const INTEGER_CARDINALITY_LIMIT = 10;

export type ValueKind = 'float' | 'integer' | 'string' | 'mixed' | 'empty';

export interface PreparedColumn {
  /** The kind of the raw values (before cleaning), the basis of type inference. */
  valueKind: ValueKind;
  /** Explicit type carried by a typed column, if any. */
  declaredType?: DriftColumnType;
  rows: number;
  /** Finite numbers, sorted (only when every non-missing value is a number). */
  numbers?: Float64Array;
  /** Category counts over non-missing values (numbers written with String()). */
  categories?: Map<string, number>;
  /** Non-missing values. */
  count: number;
  missing: number;
  distinct: number;
}

export function tableColumnNames(table: DriftTable): string[] {
  return table.columns instanceof Map ? [...table.columns.keys()] : Object.keys(table.columns);
}

export function tableColumn(table: DriftTable, name: string): DriftColumnValues | TypedDriftColumn | undefined {
  return table.columns instanceof Map
    ? table.columns.get(name)
    : Object.prototype.hasOwnProperty.call(table.columns, name)
      ? (table.columns as Record<string, DriftColumnValues | TypedDriftColumn>)[name]
      : undefined;
}

export function tableRows(table: DriftTable): number {
  for (const name of tableColumnNames(table)) {
    const c = tableColumn(table, name)!;
    return isTyped(c) ? c.values.length : c.length;
  }
  return 0;
}

function isTyped(c: DriftColumnValues | TypedDriftColumn): c is TypedDriftColumn {
  return !ArrayBuffer.isView(c) && !Array.isArray(c) && typeof c === 'object' && 'values' in c;
}

export function prepareColumn(raw: DriftColumnValues | TypedDriftColumn): PreparedColumn {
  const declaredType = isTyped(raw) ? raw.kind : undefined;
  const values = isTyped(raw) ? raw.values : raw;
  const rows = values.length;
  if (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array) {
    const numbers = new Float64Array(rows);
    let n = 0;
    for (let i = 0; i < rows; i++) {
      const v = values[i];
      if (Number.isFinite(v)) numbers[n++] = v;
    }
    const finite = numbers.subarray(0, n);
    sortFloat64(finite);
    return {
      valueKind: values instanceof Int32Array ? 'integer' : 'float',
      declaredType,
      rows,
      numbers: finite,
      count: n,
      missing: rows - n,
      distinct: countDistinctSorted(finite),
    };
  }
  let sawNumber = false;
  let sawOther = false;
  let sawMissingNumber = false;
  let allIntegers = true;
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (v === null || v === undefined) sawMissingNumber = true;
    else if (typeof v === 'number') {
      sawNumber = true;
      if (!Number.isInteger(v)) allIntegers = false;
      if (Number.isNaN(v)) sawMissingNumber = true;
    } else sawOther = true;
  }
  if (sawNumber && !sawOther) {
    const numbers = new Float64Array(rows);
    let n = 0;
    for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) numbers[n++] = v;
    const finite = numbers.subarray(0, n);
    sortFloat64(finite);
    return {
      valueKind: allIntegers && !sawMissingNumber ? 'integer' : 'float',
      declaredType,
      rows,
      numbers: finite,
      count: n,
      missing: rows - n,
      distinct: countDistinctSorted(finite),
    };
  }
  // one Map lookup per value: counts live in cells, copied into the result map at the end
  const cells = new Map<string, { n: number }>();
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) continue;
    const key = typeof v === 'string' ? v : String(v);
    const cell = cells.get(key);
    if (cell) cell.n++;
    else cells.set(key, { n: 1 });
    count++;
  }
  const categories = new Map<string, number>();
  for (const [key, cell] of cells) categories.set(key, cell.n);
  return {
    valueKind: count === 0 ? 'empty' : sawNumber && sawOther ? 'mixed' : 'string',
    declaredType,
    rows,
    categories,
    count,
    missing: rows - count,
    distinct: categories.size,
  };
}

function countDistinctSorted(sorted: Float64Array): number {
  let d = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) d++;
  return d;
}

/** Evidently's rule (see the module doc); `undefined` when nothing can be inferred (all missing). */
export function inferColumnType(column: PreparedColumn): DriftColumnType | undefined {
  if (column.declaredType) return column.declaredType;
  switch (column.valueKind) {
    case 'float':
      return column.count === 0 ? undefined : 'numerical';
    case 'integer':
      return column.distinct <= INTEGER_CARDINALITY_LIMIT ? 'categorical' : 'numerical';
    case 'string':
    case 'mixed':
      return 'categorical';
    case 'empty':
      return undefined;
  }
}

/** Category counts for a column, whatever its raw kind. */
export function categoryCounts(column: PreparedColumn): Map<string, number> {
  if (column.categories) return column.categories;
  const counts = new Map<string, number>();
  const s = column.numbers!;
  for (let i = 0; i < s.length; ) {
    let e = i;
    while (e < s.length && s[e] === s[i]) e++;
    counts.set(String(s[i]), e - i);
    i = e;
  }
  column.categories = counts;
  return counts;
}
