/**
 * Values checked and copied as SCIMMY's `Attribute#coerce` (scimmy 1.3.5, `lib/types.js`)
 * would coerce them, for the narrow shapes the fast path takes: a string, a boolean, a
 * resource-type reference, or a non-empty plain object of known sub-attributes (a list of them
 * when multi-valued). Anything else, `null` and `undefined` included, is `UNSURE`: SCIMMY
 * decides. Complex values come out with their sub-attributes in definition order, as SCIMMY's
 * second coercion (on assignment to the schema instance) orders them.
 */
import type { FastAttr } from './attributes.js';

/** What the fast path answers when it cannot vouch for SCIMMY's result. */
export const UNSURE: unique symbol = Symbol('unsure');

/** A checked value, or `UNSURE`. */
export type Checked<T> = T | typeof UNSURE;

/**
 * A JSON object as a parsed body or a stored document holds it: no class, no array. (A null
 * prototype is taken too: fast-check makes such records, so the property tests cover it.)
 */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function scalar(attr: FastAttr, v: unknown): Checked<unknown> {
  if (attr.kind === 'boolean') return typeof v === 'boolean' ? v : UNSURE;
  if (typeof v !== 'string') return UNSURE;
  if (attr.canonical && !attr.canonical.includes(v)) return UNSURE;
  if (attr.kind === 'reference') {
    const types = attr.referenceTypes ?? [];
    return types.some((t) => v.startsWith(t) || v.includes(`/${t}`)) ? v : UNSURE;
  }
  return v;
}

function complex(attr: FastAttr, v: unknown): Checked<Record<string, unknown>> {
  if (!isPlainObject(v)) return UNSURE;
  const out: Record<string, unknown> = {};
  const copied = copyAttrs(attr.sub ?? [], v, out);
  return copied > 0 && copied === Object.keys(v).length ? out : UNSURE;
}

/** `v` coerced for `attr`, or `UNSURE`. */
export function checkValue(attr: FastAttr, v: unknown): Checked<unknown> {
  if (attr.multiValued) {
    if (!Array.isArray(v)) return UNSURE;
    const list: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const el = complex(attr, v[i]);
      if (el === UNSURE) return UNSURE;
      list[i] = el;
    }
    return list;
  }
  return attr.kind === 'complex' ? complex(attr, v) : scalar(attr, v);
}

/**
 * Copies the attributes of `list` that `from` holds (by their exact names) into `to`, in
 * definition order, coerced. Returns how many it copied, or -1 when one was `UNSURE`; the
 * caller compares the count with `from`'s keys to refuse unknown ones.
 */
export function copyAttrs(
  list: readonly FastAttr[],
  from: Record<string, unknown>,
  to: Record<string, unknown>,
): number {
  let copied = 0;
  for (const attr of list) {
    if (!Object.hasOwn(from, attr.name)) continue;
    const v = checkValue(attr, from[attr.name]);
    if (v === UNSURE) return -1;
    to[attr.name] = v;
    copied++;
  }
  return copied;
}
