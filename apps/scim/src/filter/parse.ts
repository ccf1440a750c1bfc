/**
 * A SCIM filter parser (RFC 7644 §3.4.2.2), written because SCIMMY's accepts incomplete
 * filters (`userName eq`) and is case-sensitive. Grammar, with `not` > `and` > `or`:
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   compValue = false / null / true / number / string        ; JSON literals
 *
 * Operators and the literals `true false null` are case-insensitive. Any syntax error is a
 * SCIM 400 `invalidFilter` naming the position.
 *
 * @example
 * parseFilter('emails[type eq "work" and value co "@example.com"] or not (active eq true)');
 */

import { COMPARE_OPS, type CompareOp, type FilterNode, type Literal } from '@gatehouse/domain';
import { scimError } from '../errors.js';

/** Limits that keep a hostile filter from costing more than it should. */
export const FILTER_LIMITS = { maxLength: 10_000, maxDepth: 32, maxTerms: 200 } as const;

type Token =
  | { readonly t: 'word'; readonly v: string; readonly at: number }
  | { readonly t: 'string'; readonly v: string; readonly at: number }
  | { readonly t: 'number'; readonly v: number; readonly at: number }
  | { readonly t: '(' | ')' | '[' | ']'; readonly at: number }
  | { readonly t: 'end'; readonly at: number };

const WORD = /[A-Za-z$][A-Za-z0-9_$:.-]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function invalid(detail: string): never {
  throw scimError(400, 'invalidFilter', detail);
}

/** Splits a filter into tokens. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      out.push({ t: c, at: i });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) invalid(`unterminated string starting at position ${i + 1}`);
      let v: unknown;
      try {
        v = JSON.parse(src.slice(i, j + 1));
      } catch {
        invalid(`invalid string at position ${i + 1}`);
      }
      if ((v as string).includes('\u0000')) invalid(`NUL character in string at position ${i + 1}`);
      out.push({ t: 'string', v: v as string, at: i });
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      if (!m) invalid(`invalid number at position ${i + 1}`);
      const v = Number(m[0]);
      if (!Number.isFinite(v)) invalid(`number out of range at position ${i + 1}`);
      out.push({ t: 'number', v, at: i });
      i += m[0].length;
    } else {
      WORD.lastIndex = i;
      const m = WORD.exec(src);
      if (!m) invalid(`unexpected character "${c}" at position ${i + 1}`);
      out.push({ t: 'word', v: m[0], at: i });
      i += m[0].length;
    }
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

class Parser {
  private pos = 0;
  private depth = 0;
  private terms = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t.t === 'word' && t.v.toLowerCase() === word;
  }

  private expect(type: '(' | ')' | ']'): void {
    const t = this.next();
    if (t.t !== type) invalid(`expected "${type}" at position ${t.at + 1}, found ${describe(t)}`);
  }

  parse(inValuePath: boolean): FilterNode {
    const node = this.or(inValuePath);
    const t = this.peek();
    if (t.t !== 'end') invalid(`unexpected ${describe(t)} at position ${t.at + 1}`);
    return node;
  }

  private enter(): void {
    if (++this.depth > FILTER_LIMITS.maxDepth) {
      invalid(`filter nests deeper than ${FILTER_LIMITS.maxDepth} levels`);
    }
  }

  private or(inValuePath: boolean): FilterNode {
    this.enter();
    let left = this.and(inValuePath);
    while (this.isWord('or')) {
      this.next();
      left = { kind: 'or', left, right: this.and(inValuePath) };
    }
    this.depth--;
    return left;
  }

  private and(inValuePath: boolean): FilterNode {
    let left = this.unary(inValuePath);
    while (this.isWord('and')) {
      this.next();
      left = { kind: 'and', left, right: this.unary(inValuePath) };
    }
    return left;
  }

  private unary(inValuePath: boolean): FilterNode {
    if (this.isWord('not')) {
      const at = this.next().at;
      if (this.peek().t !== '(') invalid(`"not" at position ${at + 1} must be followed by "("`);
      this.next();
      const expr = this.or(inValuePath);
      this.expect(')');
      return { kind: 'not', expr };
    }
    if (this.peek().t === '(') {
      this.next();
      const expr = this.or(inValuePath);
      this.expect(')');
      return expr;
    }
    return this.attrExp(inValuePath);
  }

  private attrExp(inValuePath: boolean): FilterNode {
    const t = this.next();
    if (t.t !== 'word')
      invalid(`expected an attribute at position ${t.at + 1}, found ${describe(t)}`);
    if (['and', 'or', 'not'].includes(t.v.toLowerCase())) {
      invalid(`expected an attribute at position ${t.at + 1}, found "${t.v}"`);
    }
    if (++this.terms > FILTER_LIMITS.maxTerms) {
      invalid(`filter has more than ${FILTER_LIMITS.maxTerms} comparisons`);
    }
    const path = t.v;
    if (this.peek().t === '[') {
      if (inValuePath) invalid(`nested "[" at position ${this.peek().at + 1}`);
      this.next();
      const filter = this.or(true);
      this.expect(']');
      return { kind: 'valuePath', path, filter };
    }
    const opTok = this.next();
    if (opTok.t !== 'word') {
      invalid(
        `expected an operator after "${path}" at position ${opTok.at + 1}, found ${describe(opTok)}`,
      );
    }
    const op = opTok.v.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPS.has(op)) invalid(`unknown operator "${opTok.v}" at position ${opTok.at + 1}`);
    return { kind: 'compare', path, op: op as CompareOp, value: this.literal(path) };
  }

  private literal(path: string): Literal {
    const t = this.next();
    if (t.t === 'string' || t.t === 'number') return t.v;
    if (t.t === 'word') {
      const w = t.v.toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
    }
    return invalid(
      `expected a value after "${path}" at position ${t.at + 1}, found ${describe(t)}`,
    );
  }
}

function describe(t: Token): string {
  switch (t.t) {
    case 'end':
      return 'the end of the filter';
    case 'word':
      return `"${t.v}"`;
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    default:
      return `"${t.t}"`;
  }
}

/** Parses a filter string; throws a SCIM 400 `invalidFilter` when it is not one. */
export function parseFilter(src: unknown): FilterNode {
  if (typeof src !== 'string' || src.trim() === '') invalid('filter must be a non-empty string');
  if (src.length > FILTER_LIMITS.maxLength) {
    invalid(`filter is longer than ${FILTER_LIMITS.maxLength} characters`);
  }
  return new Parser(tokenize(src)).parse(false);
}

/** Parses the part of a PATCH path between "[" and "]" (no nested "["). */
export function parseValueFilter(src: string): FilterNode {
  if (src.trim() === '') invalid('empty value filter "[]"');
  if (src.length > FILTER_LIMITS.maxLength) {
    invalid(`filter is longer than ${FILTER_LIMITS.maxLength} characters`);
  }
  return new Parser(tokenize(src)).parse(true);
}
