import type { ColumnKind, DataColumn } from './table.ts';

/**
 * Tokens read as "missing" in text input. Matches what pandas' `read_csv` treats as NaN by default
 * for the common cases, so a CSV means the same thing to Pharos and to a pandas/Evidently pipeline.
 */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '', 'NA', 'N/A', 'n/a', 'NaN', 'nan', '-NaN', '-nan', 'null', 'NULL', 'None', '#N/A', '<NA>',
]);

/** What pandas' CSV reader turns into int64 (a missing cell would make the column float64). */
const INTEGER_LITERAL = /^\s*[+-]?\d+\s*$/;

/** Parses a text cell as a number; `undefined` when it is not one (missing cells are `NaN`). */
export function parseNumberCell(text: string): number | undefined {
  if (MISSING_TOKENS.has(text)) return NaN;
  const trimmed = text.trim();
  // Number() accepts '0x1f' and '' (0); reject hex/binary/octal so IDs like '0x1f' stay categories.
  if (trimmed === '' || /^[+-]?0[xXbBoO]/.test(trimmed)) return trimmed === '' ? NaN : undefined;
  const value = Number(trimmed);
  if (Number.isNaN(value)) {
    const lower = trimmed.toLowerCase();
    if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
    if (lower === '-inf' || lower === '-infinity') return -Infinity;
    return undefined;
  }
  return value;
}

/** Turns one chunk of text cells into a typed column of the given kind. */
export function buildColumnFromText(
  kind: ColumnKind,
  cells: readonly string[],
  onBadNumber: (rowInChunk: number, text: string) => never,
): DataColumn {
  if (kind === 'numerical') {
    const values = new Float64Array(cells.length);
    let integer = true;
    for (let i = 0; i < cells.length; i++) {
      const v = parseNumberCell(cells[i]);
      if (v === undefined) onBadNumber(i, cells[i]);
      values[i] = v as number;
      if (integer && !INTEGER_LITERAL.test(cells[i])) integer = false;
    }
    return integer ? { kind, values, integer } : { kind, values };
  }
  const values: Array<string | null> = new Array(cells.length);
  for (let i = 0; i < cells.length; i++) values[i] = MISSING_TOKENS.has(cells[i]) ? null : cells[i];
  return { kind, values };
}

/**
 * Type inference for text input: a column is numerical when every non-missing cell in the sample
 * parses as a number, categorical otherwise (including a sample that is entirely missing, because
 * strings can hold anything that comes later; a numerical guess could not).
 */
export function inferKindFromText(cells: readonly string[]): ColumnKind {
  let sawNumber = false;
  for (const cell of cells) {
    if (MISSING_TOKENS.has(cell)) continue;
    if (parseNumberCell(cell) === undefined) return 'categorical';
    sawNumber = true;
  }
  return sawNumber ? 'numerical' : 'categorical';
}
