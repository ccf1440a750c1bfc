/**
 * Evaluates a value filter against one element of a multi-valued attribute in memory, for PATCH
 * paths like `emails[type eq "work"].value` on the one document being patched. Same semantics
 * as the SQL compiler (`@gatehouse/domain`, `scim/filter-sql.ts`): `caseExact` honoured, `ne`/`not` true when absent.
 */
import type { AttrDef, CompareOp, FilterNode, Literal } from '@gatehouse/domain';
import { scimError } from '../errors.js';

function invalid(detail: string): never {
  throw scimError(400, 'invalidFilter', detail);
}

/** True for a value that counts as present (`pr`). */
export function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function subOf(attr: AttrDef, path: string): AttrDef | null {
  const name = path.toLowerCase().startsWith(`${attr.name.toLowerCase()}.`)
    ? path.slice(attr.name.length + 1)
    : path;
  if (attr.type !== 'complex') {
    if (name.toLowerCase() === 'value') return null;
    invalid(`"${attr.name}" has no sub-attribute "${path}"`);
  }
  const sub = attr.sub.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (!sub) invalid(`"${attr.name}" has no sub-attribute "${path}"`);
  return sub;
}

function compare(def: AttrDef, op: Exclude<CompareOp, 'ne'>, actual: unknown, v: Literal): boolean {
  if (!isPresent(actual)) return false;
  switch (def.type) {
    case 'boolean':
      if (typeof v !== 'boolean' || op !== 'eq')
        invalid(`"${def.name}" is a boolean; use eq true/false`);
      return actual === v || String(actual).toLowerCase() === String(v);
    case 'integer':
    case 'decimal': {
      if (typeof v !== 'number') invalid(`"${def.name}" is a number`);
      const a = Number(actual);
      return op === 'eq'
        ? a === v
        : op === 'gt'
          ? a > v
          : op === 'ge'
            ? a >= v
            : op === 'lt'
              ? a < v
              : op === 'le'
                ? a <= v
                : invalid(`"${op}" does not apply to numbers`);
    }
    case 'dateTime': {
      const a = Date.parse(String(actual));
      const b = typeof v === 'string' ? Date.parse(v) : Number.NaN;
      if (Number.isNaN(b)) invalid(`${JSON.stringify(v)} is not a dateTime`);
      return op === 'eq'
        ? a === b
        : op === 'gt'
          ? a > b
          : op === 'ge'
            ? a >= b
            : op === 'lt'
              ? a < b
              : op === 'le'
                ? a <= b
                : invalid(`"${op}" does not apply to dateTimes`);
    }
    default: {
      if (typeof v === 'boolean') invalid(`"${def.name}" is a string`);
      const norm = (x: unknown) => (def.caseExact ? String(x) : String(x).toLowerCase());
      const a = norm(actual);
      const b = norm(v);
      switch (op) {
        case 'eq':
          return a === b;
        case 'co':
          return a.includes(b);
        case 'sw':
          return a.startsWith(b);
        case 'ew':
          return a.endsWith(b);
        case 'gt':
          return a > b;
        case 'ge':
          return a >= b;
        case 'lt':
          return a < b;
        case 'le':
          return a <= b;
      }
    }
  }
}

/** True when `element` (one value of `attr`) satisfies `node`. */
export function matchElement(node: FilterNode, element: unknown, attr: AttrDef): boolean {
  switch (node.kind) {
    case 'and':
      return matchElement(node.left, element, attr) && matchElement(node.right, element, attr);
    case 'or':
      return matchElement(node.left, element, attr) || matchElement(node.right, element, attr);
    case 'not':
      return !matchElement(node.expr, element, attr);
    case 'valuePath':
      return invalid(`nested filter "${node.path}[...]"`);
    case 'present':
    case 'compare': {
      const sub = subOf(attr, node.path);
      const actual =
        sub === null
          ? element
          : element && typeof element === 'object'
            ? caseless(element as Record<string, unknown>, sub.name)
            : undefined;
      const def = sub ?? attr;
      if (node.kind === 'present') return isPresent(actual);
      if (node.value === null) {
        if (node.op === 'eq') return !isPresent(actual);
        if (node.op === 'ne') return isPresent(actual);
        invalid(`"${node.op} null" is not a comparison`);
      }
      if (node.op === 'ne') return !compare(def, 'eq', actual, node.value);
      return compare(def, node.op, actual, node.value);
    }
  }
}

/** `obj[name]`, matching the key case-insensitively. */
export function caseless(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}
