/**
 * Compiles a parsed SCIM filter to one SQL condition (Kysely `sql` fragments), so filters run in
 * the database (S2). Each attribute resolves to an operand of its resource's SQL mapping
 * (`./filter-columns.ts`): a column, a path into the stored SCIM document (jsonb), or a set of
 * elements (`emails`, `groups`, `members`) tested with `EXISTS`.
 *
 * Semantics (RFC 7644 §3.4.2.2): string comparisons honour `caseExact` (`userName`,
 * `emails.value` ... compare `lower()` forms, matching the expression indexes); `co sw ew`
 * become escaped `LIKE`; `gt ge lt le` order strings bytewise (`collate "C"`), numbers and
 * dateTimes by value, and are refused for booleans and binary; `pr` means a non-empty value;
 * `ne` and `not` hold when the attribute is absent; a multi-valued attribute matches when any
 * element does (`emails co "x"` tests `emails.value`).
 */
import { type RawBuilder, sql } from '@gatehouse/db';
import { scimInvalid } from './errors.js';
import type { CompareOp, FilterNode, Literal } from './filter.js';
import type { AttrDef } from './schema.js';

/** A SQL fragment. */
export type Sql = RawBuilder<unknown>;

/** A single value: its text form, its jsonb form (when it lives in a document), its type. */
export interface Scalar {
  readonly text: Sql;
  /** Set for document values: the jsonb node. */
  readonly json?: Sql;
  /** Set for columns of a native type (timestamptz, boolean). */
  readonly native?: Sql;
  readonly type: AttrDef['type'];
  readonly caseExact: boolean;
}

/** The elements of a multi-valued attribute. */
export interface Elements {
  readonly attr: AttrDef;
  /** A sub-attribute of one element (or the element itself, for simple multi-valued ones). */
  scalar(sub: AttrDef | null): Scalar;
  /** `EXISTS` an element satisfying `pred`. */
  exists(pred: Sql): Sql;
  /**
   * For arrays stored as jsonb: a condition every row with an element whose string value
   * contains `literal` satisfies (the array's text contains it, case-insensitively), which a
   * trigram index can serve. Added beside `exists`, it never changes the result.
   */
  hint?(literal: string): Sql;
}

/** What an attribute path denotes in a compile context. */
export type Operand =
  | { readonly kind: 'scalar'; readonly scalar: Scalar }
  | { readonly kind: 'multi'; readonly elements: Elements; readonly sub: AttrDef | null }
  /** A complex value (or a whole extension) without a sub-attribute: only `pr` applies. */
  | { readonly kind: 'complex'; readonly json: Sql; readonly attr: AttrDef | null };

/** Resolves paths in one context: a resource row, or the elements inside `attr[...]`. */
export interface CompileContext {
  operand(path: string): Operand;
  /** The context for `path[...]`. */
  valuePath(path: string): { elements: Elements; inner: CompileContext };
}

function invalid(detail: string): never {
  throw scimInvalid('invalidFilter', detail);
}

const TRUE = sql`true`;

/** `LIKE` pattern text for a literal. */
export function likeEscape(v: string): string {
  return v.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A non-empty jsonb value. */
export function jsonPresent(json: Sql): Sql {
  return sql`coalesce(jsonb_typeof(${json}) <> 'null' and ${json} not in ('""'::jsonb, '[]'::jsonb, '{}'::jsonb), false)`;
}

function present(s: Scalar): Sql {
  if (s.json) return jsonPresent(s.json);
  if (s.native) return sql`(${s.native} is not null)`;
  return sql`coalesce(${s.text} <> '', false)`;
}

const SQL_OPS: Record<'eq' | 'gt' | 'ge' | 'lt' | 'le', Sql> = {
  eq: sql.raw('='),
  gt: sql.raw('>'),
  ge: sql.raw('>='),
  lt: sql.raw('<'),
  le: sql.raw('<='),
};

function dateValue(v: Literal, path: string): string {
  const d = typeof v === 'string' ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime()))
    invalid(`"${path}" compares dateTimes: ${JSON.stringify(v)} is not one`);
  return d.toISOString();
}

/** `scalar op value`, without `ne` (callers negate `eq`). */
function comparePositive(s: Scalar, op: Exclude<CompareOp, 'ne'>, v: Literal, path: string): Sql {
  switch (s.type) {
    case 'boolean': {
      if (typeof v !== 'boolean') invalid(`"${path}" is a boolean; compare it with true or false`);
      if (op !== 'eq') invalid(`"${op}" does not apply to the boolean "${path}"`);
      if (s.native) return sql`(${s.native}) = ${v}`;
      if (s.json) return sql`(${s.json}) = ${v ? 'true' : 'false'}::jsonb`;
      return sql`lower(${s.text}) = ${String(v)}`;
    }
    case 'dateTime': {
      if (op === 'co' || op === 'sw' || op === 'ew')
        invalid(`"${op}" does not apply to the dateTime "${path}"`);
      const iso = dateValue(v, path);
      const left = s.native ?? sql`(${s.text})::timestamptz`;
      return sql`${left} ${SQL_OPS[op]} ${iso}::timestamptz`;
    }
    case 'integer':
    case 'decimal': {
      if (typeof v !== 'number') invalid(`"${path}" is a number; compare it with a number`);
      if (op === 'co' || op === 'sw' || op === 'ew')
        invalid(`"${op}" does not apply to the number "${path}"`);
      const left = s.json
        ? sql`(case when jsonb_typeof(${s.json}) = 'number' then (${s.json})::numeric end)`
        : (s.native ?? s.text);
      return sql`${left} ${SQL_OPS[op]} ${v}::numeric`;
    }
    default: {
      // A number against a string would compare as text: `members[value gt 5]` matches every
      // member id ("usr_…" > "5"), and a PATCH remove with it would empty the group.
      if (typeof v !== 'string') invalid(`"${path}" is a string; compare it with a string`);
      if (s.type === 'binary' && op !== 'eq')
        invalid(`"${op}" does not apply to the binary "${path}"`);
      const text = String(v);
      const ci = !s.caseExact;
      const left = ci ? sql`lower(${s.text})` : s.text;
      if (op === 'co' || op === 'sw' || op === 'ew') {
        const p = likeEscape(text);
        const pattern = op === 'co' ? `%${p}%` : op === 'sw' ? `${p}%` : `%${p}`;
        return ci ? sql`${left} like lower(${pattern})` : sql`${left} like ${pattern}`;
      }
      const right = ci ? sql`lower(${text})` : sql`${text}`;
      if (op === 'eq') return sql`${left} = ${right}`;
      return sql`${left} collate "C" ${SQL_OPS[op]} ${right} collate "C"`;
    }
  }
}

function compareScalar(s: Scalar, op: CompareOp, v: Literal, path: string): Sql {
  if (v === null) {
    if (op === 'eq') return sql`not ${present(s)}`;
    if (op === 'ne') return present(s);
    invalid(`"${op} null" is not a comparison; use "pr" or "eq null"`);
  }
  if (op === 'ne') return sql`not coalesce(${comparePositive(s, 'eq', v, path)}, false)`;
  // Left bare (NULL when absent, which WHERE treats as false) so indexes on the expression
  // apply; only negations need two-valued logic, and they wrap in coalesce.
  return comparePositive(s, op, v, path);
}

function elementSub(o: { elements: Elements; sub: AttrDef | null }, path: string): AttrDef | null {
  if (o.sub) return o.sub;
  const attr = o.elements.attr;
  if (attr.type !== 'complex') return null;
  const value = attr.sub.find((a) => a.name === 'value');
  if (!value) invalid(`"${path}" has no "value"; name a sub-attribute`);
  return value;
}

/**
 * Compiles `node` in `ctx` to a SQL condition. It may be NULL where an attribute is absent
 * (false in WHERE); `not` and `ne` coalesce first, so absent attributes satisfy them.
 */
export function compileFilter(node: FilterNode, ctx: CompileContext): Sql {
  switch (node.kind) {
    case 'and':
      return sql`(${compileFilter(node.left, ctx)} and ${compileFilter(node.right, ctx)})`;
    case 'or':
      return sql`(${compileFilter(node.left, ctx)} or ${compileFilter(node.right, ctx)})`;
    case 'not':
      return sql`(not coalesce(${compileFilter(node.expr, ctx)}, false))`;
    case 'present': {
      const o = ctx.operand(node.path);
      if (o.kind === 'scalar') return present(o.scalar);
      if (o.kind === 'complex') return jsonPresent(o.json);
      const sub = o.sub;
      return o.elements.exists(sub ? present(o.elements.scalar(sub)) : TRUE);
    }
    case 'compare': {
      const o = ctx.operand(node.path);
      if (o.kind === 'scalar') return compareScalar(o.scalar, node.op, node.value, node.path);
      if (o.kind === 'complex') {
        invalid(`"${node.path}" is complex; compare one of its sub-attributes`);
      }
      const sub = elementSub(o, node.path);
      const scalar = o.elements.scalar(sub);
      if (node.op === 'ne' && node.value !== null) {
        const eq = compareScalar(scalar, 'eq', node.value, node.path);
        return sql`(not ${o.elements.exists(eq)})`;
      }
      const test = o.elements.exists(compareScalar(scalar, node.op, node.value, node.path));
      const literal = hintable(scalar, node.op, node.value);
      return literal && o.elements.hint ? sql`(${o.elements.hint(literal)} and ${test})` : test;
    }
    case 'valuePath': {
      const { elements, inner } = ctx.valuePath(node.path);
      const test = elements.exists(compileFilter(node.filter, inner));
      const literal = elements.hint ? necessaryLiteral(node.filter, inner) : null;
      return literal && elements.hint ? sql`(${elements.hint(literal)} and ${test})` : test;
    }
  }
}

/**
 * The string a matching element must contain, when `op` on `scalar` needs one: a positive
 * string comparison (not `ne`, not `gt`…) with a literal of at least 3 characters that JSON
 * writes as itself (no quote, backslash or control character).
 */
function hintable(scalar: Scalar, op: CompareOp, value: Literal): string | null {
  if (op !== 'eq' && op !== 'co' && op !== 'sw' && op !== 'ew') return null;
  if (scalar.type !== 'string' && scalar.type !== 'reference') return null;
  if (typeof value !== 'string' || value.length < 3) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes exactly these.
  return /["\\\u0000-\u001f]/.test(value) ? null : value;
}

/** A literal every element matching `node` contains (the longest of an `and`), or null. */
function necessaryLiteral(node: FilterNode, ctx: CompileContext): string | null {
  if (node.kind === 'and') {
    const a = necessaryLiteral(node.left, ctx);
    const b = necessaryLiteral(node.right, ctx);
    return a && b ? (a.length >= b.length ? a : b) : (a ?? b);
  }
  if (node.kind !== 'compare') return null;
  const o = ctx.operand(node.path);
  return o.kind === 'scalar' ? hintable(o.scalar, node.op, node.value) : null;
}

/** A context over one element's sub-attributes (inside `attr[...]`, and in PATCH filters). */
export function elementContext(elements: Elements): CompileContext {
  const attr = elements.attr;
  return {
    operand(path) {
      const name =
        path.includes('.') && path.toLowerCase().startsWith(`${attr.name.toLowerCase()}.`)
          ? path.slice(attr.name.length + 1)
          : path;
      if (attr.type !== 'complex') {
        if (name.toLowerCase() === 'value')
          return { kind: 'scalar', scalar: elements.scalar(null) };
        invalid(`"${attr.name}" has no sub-attribute "${path}"`);
      }
      const sub = attr.sub.find((a) => a.name.toLowerCase() === name.toLowerCase());
      if (!sub) invalid(`"${attr.name}" has no sub-attribute "${path}"`);
      return { kind: 'scalar', scalar: elements.scalar(sub) };
    },
    valuePath(path) {
      return invalid(`nested filter "${path}[...]" inside "${attr.name}[...]"`);
    },
  };
}
