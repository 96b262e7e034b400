import { invalidParameter } from '../../core/errors.ts';

/**
 * Lexer for MLflow's search grammar (the subset of SQL that MLflow accepts through sqlparse).
 *
 * Identifiers are lexed as one token holding their dot-separated parts so that `tags.mlflow.runName`,
 * ``metrics.`my metric` `` and `params."lr"` all come out as one path; each part remembers whether it was
 * quoted (a quoted part is never a keyword). A double-quoted text on its own is ambiguous in MLflow's
 * grammar (identifier or string value) so it is its own token kind and the parser decides by position.
 */
export type Token =
  | { kind: 'ident'; parts: IdentPart[]; text: string; pos: number }
  | { kind: 'string'; quote: "'" | '"'; value: string; text: string; pos: number }
  | { kind: 'number'; value: number; isInteger: boolean; text: string; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'lparen' | 'rparen' | 'comma'; text: string; pos: number }
  | { kind: 'eof'; text: ''; pos: number };

export interface IdentPart {
  name: string;
  quoted: boolean;
}

// Letters of any script, as sqlparse's name pattern accepts accented letters.
const WORD_START = /[\p{L}_]/u;
const WORD_CHAR = /[\p{L}\p{N}_$]/u;
const DIGIT = /[0-9]/;
const OP_CHAR = /[<>=!~]/;
/** A number as sqlparse reads it, plus an optional sign on the exponent. */
const NUMBER_RE = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

export function describeToken(t: Token): string {
  return t.kind === 'eof' ? 'end of input' : `'${t.text}'`;
}

/**
 * The one shape of every syntax error: what was wrong, where (0-based character offset) and the input, so a
 * user can find the spot in a long filter. Prefixed like MLflow's own message.
 */
export function syntaxError(what: string, input: string, message: string, pos: number) {
  const prefix = what === 'filter string' ? 'Invalid clause(s) in filter string' : `Invalid ${what}`;
  return invalidParameter(`${prefix}: ${message} at position ${pos} in ${JSON.stringify(input)}`);
}

export function tokenize(input: string, what = 'filter string'): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (msg: string, pos: number): never => {
    throw syntaxError(what, input, msg, pos);
  };

  /** Reads a quoted run starting at `start` (which holds the quote); doubling the quote escapes it, as in SQL. */
  const readQuoted = (start: number): { value: string; end: number } => {
    const q = input[start];
    let value = '';
    let j = start + 1;
    for (;;) {
      if (j >= input.length) fail(`unterminated ${q === '`' ? 'backtick-quoted identifier' : 'quoted string'} starting`, start);
      const c = input[j];
      // PostgreSQL cannot compare text holding NUL (a 500); no stored name or value can hold one anyway.
      if (c === '\0') fail('NUL character in quoted text', j);
      if (c === '\\' && q !== '`' && (input[j + 1] === q || input[j + 1] === '\\')) {
        // sqlparse accepts backslash-escaped quotes inside strings; keep the character, drop the backslash.
        value += input[j + 1];
        j += 2;
        continue;
      }
      if (c === q) {
        if (input[j + 1] === q) {
          value += q;
          j += 2;
          continue;
        }
        return { value, end: j + 1 };
      }
      value += c;
      j++;
    }
  };

  /** Continues an identifier path after its first part: `.word`, ``.`quoted` ``, `."quoted"`. */
  const readPathRest = (parts: IdentPart[], j: number): number => {
    while (input[j] === '.') {
      const c = input[j + 1];
      if (c === '`' || c === '"') {
        const q = readQuoted(j + 1);
        parts.push({ name: q.value, quoted: true });
        j = q.end;
      } else if (c !== undefined && WORD_CHAR.test(c)) {
        let k = j + 1;
        while (k < input.length && WORD_CHAR.test(input[k])) k++;
        parts.push({ name: input.slice(j + 1, k), quoted: false });
        j = k;
      } else {
        fail(`expected a name after '.'`, j);
      }
    }
    return j;
  };

  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (WORD_START.test(c)) {
      let j = i;
      while (j < input.length && WORD_CHAR.test(input[j])) j++;
      const parts: IdentPart[] = [{ name: input.slice(i, j), quoted: false }];
      j = readPathRest(parts, j);
      tokens.push({ kind: 'ident', parts, text: input.slice(start, j), pos: start });
      i = j;
      continue;
    }
    if (c === '`') {
      const q = readQuoted(i);
      const parts: IdentPart[] = [{ name: q.value, quoted: true }];
      const j = readPathRest(parts, q.end);
      tokens.push({ kind: 'ident', parts, text: input.slice(start, j), pos: start });
      i = j;
      continue;
    }
    if (c === '"') {
      const q = readQuoted(i);
      if (input[q.end] === '.') {
        const parts: IdentPart[] = [{ name: q.value, quoted: true }];
        const j = readPathRest(parts, q.end);
        tokens.push({ kind: 'ident', parts, text: input.slice(start, j), pos: start });
        i = j;
      } else {
        tokens.push({ kind: 'string', quote: '"', value: q.value, text: input.slice(start, q.end), pos: start });
        i = q.end;
      }
      continue;
    }
    if (c === "'") {
      const q = readQuoted(i);
      tokens.push({ kind: 'string', quote: "'", value: q.value, text: input.slice(start, q.end), pos: start });
      i = q.end;
      continue;
    }
    if (DIGIT.test(c) || ((c === '-' || c === '.') && /[0-9.]/.test(input[i + 1] ?? ''))) {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(input);
      if (!m) fail(`invalid number`, i);
      const text = m![0];
      const end = i + text.length;
      if (end < input.length && WORD_CHAR.test(input[end])) fail(`invalid number '${input.slice(i).split(/\s/)[0]}'`, i);
      const value = Number(text);
      tokens.push({ kind: 'number', value, isInteger: /^-?\d+$/.test(text), text, pos: start });
      i = end;
      continue;
    }
    if (OP_CHAR.test(c)) {
      let j = i;
      while (j < input.length && OP_CHAR.test(input[j])) j++;
      tokens.push({ kind: 'op', text: input.slice(i, j), pos: start });
      i = j;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, pos: start });
      i++;
      continue;
    }
    fail(`unexpected character '${c}'`, i);
  }
  tokens.push({ kind: 'eof', text: '', pos: input.length });
  return tokens;
}
