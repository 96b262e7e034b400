import type { ColumnKind, DataColumn } from './table.ts';

/**
 * Tokens read as "missing" in text input. Matches what pandas' `read_csv` treats as NaN by default
 * for the common cases, so a CSV means the same thing to Pharos and to a pandas/Evidently pipeline.
 */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '', 'NA', 'N/A', 'n/a', 'NaN', 'nan', '-NaN', '-nan', 'null', 'NULL', 'None', '#N/A', '<NA>',
]);

/**
 * Parses a text cell as a number; `NaN` for a missing cell, `undefined` when it is not a number.
 * This runs once per cell of every numerical CSV column, so the common case (a plain decimal) takes
 * one `Number()` call and no regular expression.
 */
export function parseNumberCell(text: string): number | undefined {
  const value = Number(text);
  if (value === value) {
    // Number('') and Number('  ') are 0: blank cells are missing
    if (value === 0 && text.trim() === '') return NaN;
    // Number() also reads '0x1f', '0b1', '0o7': keep such IDs out of numerical columns
    let i = 0;
    while (i < text.length && text.charCodeAt(i) <= 32) i++;
    if (text.charCodeAt(i) === 48) {
      const next = text.charCodeAt(i + 1) | 0x20;
      if (next === 120 || next === 98 || next === 111) return undefined;
    }
    return value;
  }
  if (MISSING_TOKENS.has(text)) return NaN;
  const lower = text.trim().toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  return undefined;
}

/** Digits only (after an optional sign): what pandas' CSV reader turns into int64. */
function isIntegerLiteral(text: string, value: number): boolean {
  return Number.isInteger(value) && text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0 && text.indexOf('I') < 0;
}

/**
 * Turns one column of a chunk of parsed CSV records into a typed column of the given kind.
 * `integer` is set when every cell is an integer literal and none is missing (pandas would read
 * int64; one missing cell makes it float64).
 */
export function buildColumnFromText(
  kind: ColumnKind,
  records: readonly string[][],
  column: number,
  onBadNumber: (rowInChunk: number, text: string) => never,
): DataColumn {
  const n = records.length;
  if (kind === 'numerical') {
    const values = new Float64Array(n);
    let integer = true;
    for (let i = 0; i < n; i++) {
      const cell = records[i][column];
      const v = parseNumberCell(cell);
      if (v === undefined) onBadNumber(i, cell);
      values[i] = v as number;
      if (integer && !isIntegerLiteral(cell, v as number)) integer = false;
    }
    return integer ? { kind, values, integer } : { kind, values };
  }
  const values: Array<string | null> = new Array(n);
  for (let i = 0; i < n; i++) {
    const cell = records[i][column];
    values[i] = MISSING_TOKENS.has(cell) ? null : cell;
  }
  return { kind, values };
}

/**
 * Type inference for text input: a column is numerical when every non-missing cell in the sample
 * parses as a number, categorical otherwise (including a sample that is entirely missing, because
 * strings can hold anything that comes later; a numerical guess could not).
 */
export function inferKindFromText(records: readonly string[][], column: number): ColumnKind {
  let sawNumber = false;
  for (let i = 0; i < records.length; i++) {
    const v = parseNumberCell(records[i][column]);
    if (v === undefined) return 'categorical';
    if (v === v) sawNumber = true;
  }
  return sawNumber ? 'numerical' : 'categorical';
}
