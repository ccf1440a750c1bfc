/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.9, §3.4.2.5) applied to rendered resources.
 * Names are case-insensitive and may be URN-qualified (`urn:…:enterprise:2.0:User:department`)
 * or name a sub-attribute (`name.givenName`, `emails.value`). `id` and `schemas` (returned
 * "always") stay; unknown names are ignored, as SCIMMY's own projection fails on URN names.
 */

import { type ResourceSchema, resolvePath } from '@gatehouse/domain';
import { scimError } from './errors.js';

/** What the client asked to see. */
export interface Projection {
  readonly attributes?: readonly string[] | undefined;
  readonly excludedAttributes?: readonly string[] | undefined;
}

interface Target {
  readonly ext: string | null;
  /** Null: the whole extension. */
  readonly attr: string | null;
  readonly sub: string | null;
}

const ALWAYS = new Set(['id', 'schemas']);

/** Splits `a,b, c` (query form) or takes a string array (SearchRequest form). */
export function attributeList(v: unknown, name: string): string[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const parts = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : null;
  if (!parts || parts.some((p) => typeof p !== 'string')) {
    throw scimError(
      400,
      'invalidValue',
      `${name} must be a comma-separated list of attribute names`,
    );
  }
  const list = (parts as string[]).map((p) => p.trim()).filter(Boolean);
  if (list.length > 200) throw scimError(400, 'invalidValue', `${name} lists too many attributes`);
  return list;
}

function targets(schema: ResourceSchema, names: readonly string[]): Target[] {
  const out: Target[] = [];
  for (const n of names) {
    try {
      const r = resolvePath(schema, n, 'invalidValue');
      out.push({ ext: r.ext, attr: r.attr?.name ?? null, sub: r.sub?.name ?? null });
    } catch {
      // RFC 7644 §3.9: unknown attributes are ignored.
    }
  }
  return out;
}

function pick(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) {
    const kept = value
      .map((el) =>
        el && typeof el === 'object' && sub in el
          ? { [sub]: (el as Record<string, unknown>)[sub] }
          : undefined,
      )
      .filter((el) => el !== undefined);
    return kept.length ? kept : undefined;
  }
  if (value && typeof value === 'object' && sub in value) {
    return { [sub]: (value as Record<string, unknown>)[sub] };
  }
  return undefined;
}

function mergeInto(target: Record<string, unknown>, key: string, value: unknown): void {
  const cur = target[key];
  if (cur && typeof cur === 'object' && !Array.isArray(cur) && value && typeof value === 'object') {
    target[key] = { ...(cur as object), ...(value as object) };
  } else if (Array.isArray(cur) && Array.isArray(value)) {
    target[key] = cur.map((el, i) => ({ ...(el as object), ...(value[i] as object) }));
  } else {
    target[key] = value;
  }
}

function include(res: Record<string, unknown>, ts: readonly Target[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(res)) if (ALWAYS.has(k)) out[k] = res[k];
  for (const t of ts) {
    const src = t.ext ? (res[t.ext] as Record<string, unknown> | undefined) : res;
    if (!src || typeof src !== 'object') continue;
    if (t.attr === null) {
      out[t.ext!] = src;
      continue;
    }
    if (!(t.attr in src)) continue;
    const value = t.sub ? pick(src[t.attr], t.sub) : src[t.attr];
    if (value === undefined) continue;
    if (t.ext) {
      if (!out[t.ext]) out[t.ext] = {};
      mergeInto(out[t.ext] as Record<string, unknown>, t.attr, value);
    } else {
      mergeInto(out, t.attr, value);
    }
  }
  return out;
}

function exclude(res: Record<string, unknown>, ts: readonly Target[]): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(res);
  for (const t of ts) {
    if (t.ext && t.attr === null) {
      delete out[t.ext];
      continue;
    }
    const src = (t.ext ? out[t.ext] : out) as Record<string, unknown> | undefined;
    if (!src || typeof src !== 'object' || !t.attr || (!t.ext && ALWAYS.has(t.attr))) continue;
    if (!t.sub) {
      delete src[t.attr];
      continue;
    }
    const v = src[t.attr];
    for (const el of Array.isArray(v) ? v : [v]) {
      if (el && typeof el === 'object') delete (el as Record<string, unknown>)[t.sub];
    }
  }
  return out;
}

/** True when the projection leaves `attr` (a top-level core attribute) out. */
export function excludes(schema: ResourceSchema, p: Projection, attr: string): boolean {
  if (p.attributes?.length) {
    return !targets(schema, p.attributes).some((t) => t.ext === null && t.attr === attr);
  }
  if (p.excludedAttributes?.length) {
    return targets(schema, p.excludedAttributes).some(
      (t) => t.ext === null && t.attr === attr && t.sub === null,
    );
  }
  return false;
}

/** Applies a projection to one rendered resource. */
export function project(
  schema: ResourceSchema,
  res: Record<string, unknown>,
  p: Projection,
): Record<string, unknown> {
  let out = res;
  if (p.attributes?.length) out = include(res, targets(schema, p.attributes));
  else if (p.excludedAttributes?.length) out = exclude(res, targets(schema, p.excludedAttributes));
  if (out !== res && Array.isArray(out.schemas)) {
    out.schemas = (out.schemas as string[]).filter((s) => s === schema.urn || s in out);
  }
  return out;
}
