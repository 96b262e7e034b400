import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectName } from '../../store/index.ts';
import type { Comparator } from './parser.ts';

/**
 * Portable SQL for MLflow's comparators.
 *
 * LIKE is case-sensitive in MLflow (PostgreSQL, MySQL with BINARY, its file store). SQLite's LIKE folds
 * ASCII case, so on SQLite LIKE compiles to GLOB with the pattern translated (`%`->`*`, `_`->`?`, GLOB's own
 * metacharacters bracketed). GLOB is case-sensitive and, like LIKE, can use a (key, value) index for a
 * literal prefix. ILIKE compiles to `lower(x) LIKE lower(p)` on PostgreSQL and to plain LIKE on SQLite (whose
 * LIKE already folds case; SQLite folds ASCII only, PostgreSQL folds all of Unicode).
 *
 * Backslash escapes `%`, `_` and itself in LIKE/ILIKE patterns on both engines (PostgreSQL's default; MLflow on
 * SQLite has no escape character at all, so `a\_b` differs there: we pick one rule for both).
 */
type PatternPiece = { kind: 'literal'; char: string } | { kind: 'any' } | { kind: 'one' };

function parseLikePattern(pattern: string): PatternPiece[] {
  const pieces: PatternPiece[] = [];
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\') {
      // A trailing lone backslash is a literal backslash (PostgreSQL would reject the pattern instead).
      pieces.push({ kind: 'literal', char: i + 1 < chars.length ? chars[++i] : '\\' });
    } else if (c === '%') pieces.push({ kind: 'any' });
    else if (c === '_') pieces.push({ kind: 'one' });
    else pieces.push({ kind: 'literal', char: c });
  }
  return pieces;
}

/** The pattern rewritten with every literal escaped, so both engines read it identically. */
export function normalizeLikePattern(pattern: string): string {
  return parseLikePattern(pattern)
    .map((p) => (p.kind === 'any' ? '%' : p.kind === 'one' ? '_' : /[%_\\]/.test(p.char) ? `\\${p.char}` : p.char))
    .join('');
}

export function likeToGlob(pattern: string): string {
  return parseLikePattern(pattern)
    .map((p) => (p.kind === 'any' ? '*' : p.kind === 'one' ? '?' : /[*?[]/.test(p.char) ? `[${p.char}]` : p.char))
    .join('');
}

type SqlOperand = Expression<unknown> | RawBuilder<unknown>;

const NUMERIC_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);

/** `column <comparator> value` for a string column. */
export function compareText(dialect: DialectName, column: SqlOperand, comparator: Comparator, value: string | number | string[] | null): RawBuilder<SqlBool> {
  switch (comparator) {
    case '=':
      return sql<SqlBool>`${column} = ${value as string}`;
    case '!=':
      return sql<SqlBool>`${column} <> ${value as string}`;
    case 'LIKE':
      return dialect === 'sqlite'
        ? sql<SqlBool>`${column} GLOB ${likeToGlob(value as string)}`
        : sql<SqlBool>`${column} LIKE ${normalizeLikePattern(value as string)} ESCAPE '\\'`;
    case 'ILIKE':
      return dialect === 'sqlite'
        ? sql<SqlBool>`${column} LIKE ${normalizeLikePattern(value as string)} ESCAPE '\\'`
        : sql<SqlBool>`lower(${column}) LIKE lower(${normalizeLikePattern(value as string)}) ESCAPE '\\'`;
    case 'IN':
      return sql<SqlBool>`${column} IN (${sql.join(value as string[])})`;
    case 'NOT IN':
      return sql<SqlBool>`${column} NOT IN (${sql.join(value as string[])})`;
    default:
      throw new Error(`comparator ${comparator} is not a string comparison`);
  }
}

/**
 * `column <op> value` for a numeric column. A non-integer compared with a BIGINT column is cast to double so
 * PostgreSQL does not try to read `1.5` as a bigint parameter.
 */
export function compareNumber(column: SqlOperand, comparator: Comparator, value: number): RawBuilder<SqlBool> {
  if (!NUMERIC_OPS.has(comparator)) throw new Error(`comparator ${comparator} is not a numeric comparison`);
  const op = comparator === '!=' ? '<>' : comparator;
  const operand = Number.isInteger(value) ? sql`${value}` : sql`CAST(${value} AS double precision)`;
  return sql<SqlBool>`${column} ${sql.raw(op)} ${operand}`;
}

/** Sort key for text so both engines order identically (byte order; PostgreSQL's default collation is locale-aware). */
export function textSortKey(dialect: DialectName, column: SqlOperand): RawBuilder<unknown> {
  return dialect === 'postgres' ? sql`${column} COLLATE "C"` : sql`${column}`;
}

export function direction(ascending: boolean): RawBuilder<unknown> {
  return sql.raw(ascending ? 'ASC' : 'DESC');
}

/**
 * `key ASC|DESC` with NULLs last, spelled so each engine can still walk an index: NULLs already sort last in
 * SQLite's DESC and PostgreSQL's ASC, so NULLS LAST is only written where it changes the default (a CASE
 * expression in front, as MLflow writes it for MySQL, would force a full sort even for the default order).
 */
export function orderNullsLast(dialect: DialectName, key: SqlOperand, ascending: boolean): RawBuilder<unknown> {
  const defaultIsLast = dialect === 'sqlite' ? !ascending : ascending;
  return sql`${key} ${direction(ascending)}${sql.raw(defaultIsLast ? '' : ' NULLS LAST')}`;
}
