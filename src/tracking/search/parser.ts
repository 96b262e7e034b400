import { describeToken, syntaxError, tokenize, type IdentPart, type Token } from './tokenizer.ts';

/**
 * Recursive-descent parser for the syntax MLflow accepts, shared by every searchable entity:
 *
 *   filter     := clause ( AND clause )* EOF
 *   clause     := identifier comparison
 *   comparison := OP value | LIKE value | ILIKE value | [NOT] IN list | IS [NOT] NULL
 *   value      := 'string' | "string" | number
 *   list       := '(' value ( ',' value )* [','] ')'
 *   order_by   := identifier [ ASC | DESC ] EOF
 *
 * Which identifiers, comparators and value types are legal depends on the entity; that is checked on the
 * syntax tree this produces (grammar.ts), so both layers report the position of the offending token.
 */
export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

export interface IdentifierNode {
  parts: IdentPart[];
  text: string;
  pos: number;
}
export type ScalarNode =
  | { kind: 'string'; value: string; text: string; pos: number }
  | { kind: 'number'; value: number; isInteger: boolean; text: string; pos: number };
export type ValueNode = ScalarNode | { kind: 'list'; items: ScalarNode[]; text: string; pos: number };

export interface RawClause {
  identifier: IdentifierNode;
  comparator: Comparator;
  comparatorPos: number;
  value: ValueNode | null;
}

export interface RawOrderBy {
  identifier: IdentifierNode;
  ascending: boolean;
}

const OPERATORS = new Set(['=', '!=', '<', '<=', '>', '>=']);

const isKeyword = (t: Token, word: string): boolean =>
  t.kind === 'ident' && t.parts.length === 1 && !t.parts[0].quoted && t.parts[0].name.toUpperCase() === word;

class Parser {
  private i = 0;
  private readonly tokens: Token[];
  constructor(
    private readonly input: string,
    private readonly what: string,
  ) {
    this.tokens = tokenize(input, what);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private fail(message: string, pos: number): never {
    throw syntaxError(this.what, this.input, message, pos);
  }

  parseFilter(): RawClause[] {
    if (this.peek().kind === 'eof') return [];
    const clauses = [this.clause()];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return clauses;
      if (isKeyword(t, 'AND')) {
        this.next();
        if (this.peek().kind === 'eof') this.fail(`expected a clause after 'AND'`, this.peek().pos);
        clauses.push(this.clause());
        continue;
      }
      if (isKeyword(t, 'OR')) this.fail(`'OR' is not supported, clauses can only be joined with AND; found 'OR'`, t.pos);
      this.fail(`expected 'AND' or the end of the filter after a clause, found ${describeToken(t)}`, t.pos);
    }
  }

  parseOrderBy(): RawOrderBy {
    const identifier = this.identifier('an order_by key such as metrics.<key> or attributes.start_time');
    let ascending = true;
    const t = this.peek();
    if (isKeyword(t, 'ASC') || isKeyword(t, 'DESC')) {
      ascending = isKeyword(t, 'ASC');
      this.next();
    } else if (t.kind !== 'eof') {
      this.fail(`expected ASC, DESC or the end of the clause, found ${describeToken(t)}`, t.pos);
    }
    const rest = this.peek();
    if (rest.kind !== 'eof') this.fail(`unexpected ${describeToken(rest)} after the ordering`, rest.pos);
    return { identifier, ascending };
  }

  private identifier(expected: string): IdentifierNode {
    const t = this.next();
    if (t.kind === 'ident') {
      if (['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'ILIKE'].some((k) => isKeyword(t, k))) {
        this.fail(`expected ${expected}, found the keyword ${describeToken(t)}`, t.pos);
      }
      return { parts: t.parts, text: t.text, pos: t.pos };
    }
    // A lone double-quoted text in key position is a quoted identifier (`"run name" = 'x'`), as in SQL.
    if (t.kind === 'string' && t.quote === '"') return { parts: [{ name: t.value, quoted: true }], text: t.text, pos: t.pos };
    if (t.kind === 'lparen') this.fail(`parentheses are not supported, expected ${expected}`, t.pos);
    return this.fail(`expected ${expected}, found ${describeToken(t)}`, t.pos);
  }

  private clause(): RawClause {
    const identifier = this.identifier('an identifier such as metrics.<key>, params.<key>, tags.<key> or attributes.<key>');
    const t = this.next();
    const after = `after '${identifier.text}'`;
    let comparator: Comparator;
    if (t.kind === 'op') {
      if (!OPERATORS.has(t.text)) this.fail(`Invalid comparator '${t.text}' ${after}, expected one of ${[...OPERATORS].join(' ')}`, t.pos);
      comparator = t.text as Comparator;
    } else if (isKeyword(t, 'LIKE') || isKeyword(t, 'ILIKE')) {
      comparator = (t as { parts: IdentPart[] }).parts[0].name.toUpperCase() as Comparator;
    } else if (isKeyword(t, 'IN')) {
      comparator = 'IN';
    } else if (isKeyword(t, 'NOT')) {
      const n = this.next();
      if (!isKeyword(n, 'IN')) this.fail(`Invalid comparator 'NOT ${n.text}' ${after}, only 'NOT IN' is supported`, t.pos);
      comparator = 'NOT IN';
    } else if (isKeyword(t, 'IS')) {
      let n = this.next();
      let negated = false;
      if (isKeyword(n, 'NOT')) {
        negated = true;
        n = this.next();
      }
      if (!isKeyword(n, 'NULL')) this.fail(`expected NULL or NOT NULL after 'IS', found ${describeToken(n)}`, n.pos);
      comparator = negated ? 'IS NOT NULL' : 'IS NULL';
    } else {
      return this.fail(
        `expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL) ${after}, found ${describeToken(t)}`,
        t.pos,
      );
    }
    let value: ValueNode | null = null;
    if (comparator === 'IN' || comparator === 'NOT IN') value = this.list(comparator);
    else if (comparator !== 'IS NULL' && comparator !== 'IS NOT NULL') value = this.scalar(`after '${identifier.text} ${comparator}'`);
    return { identifier, comparator, comparatorPos: t.pos, value };
  }

  private scalar(where: string): ScalarNode {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.value, text: t.text, pos: t.pos };
    if (t.kind === 'number') return { kind: 'number', value: t.value, isInteger: t.isInteger, text: t.text, pos: t.pos };
    if (t.kind === 'ident') {
      this.fail(`value ${describeToken(t)} is not quoted; quote string values with single or double quotes`, t.pos);
    }
    return this.fail(`expected a value (a quoted string or a number) ${where}, found ${describeToken(t)}`, t.pos);
  }

  private list(comparator: string): ValueNode {
    const open = this.next();
    if (open.kind !== 'lparen') this.fail(`expected a parenthesised list of quoted values after '${comparator}', found ${describeToken(open)}`, open.pos);
    const items: ScalarNode[] = [];
    for (;;) {
      if (this.peek().kind === 'rparen') {
        if (items.length === 0) this.fail(`expected a non-empty list of quoted values, found an empty list`, open.pos);
        break;
      }
      items.push(this.scalar('in the list'));
      const sep = this.peek();
      if (sep.kind === 'comma') {
        this.next();
        continue;
      }
      if (sep.kind !== 'rparen') this.fail(`expected ',' or ')' in the list, found ${describeToken(sep)}`, sep.pos);
    }
    const close = this.next();
    return { kind: 'list', items, text: this.input.slice(open.pos, close.pos + 1), pos: open.pos };
  }
}

export function parseFilterSyntax(filter: string): RawClause[] {
  return new Parser(filter, 'filter string').parseFilter();
}

export function parseOrderBySyntax(orderBy: string): RawOrderBy {
  return new Parser(orderBy, 'order_by clause').parseOrderBy();
}
