/**
 * The common attributes of RFC 7643 §3.1 (`schemas`, `id`, `externalId`, `meta`) as SCIMMY's
 * `SchemaDefinition#coerce` and `Schema` constructor treat them, for the fast path.
 */
import { type Checked, isPlainObject, UNSURE } from './values.js';

const META_KEYS = new Set(['resourceType', 'created', 'lastModified', 'location', 'version']);

/** A timestamp exactly as `Date#toISOString` writes it (what SCIMMY turns a dateTime into). */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The coerced `schemas`: the core URN, then the extensions the body carries, then the body's
 * own list, without repeats. The body's list, when sent, holds only `allowed` URNs and, when
 * not empty, the core one (else SCIMMY refuses the body).
 */
export function schemasOf(
  body: Record<string, unknown>,
  core: string,
  carried: readonly string[],
  allowed: ReadonlySet<string>,
): Checked<string[]> {
  let sent: readonly unknown[] = [];
  if (Object.hasOwn(body, 'schemas')) {
    const list = body.schemas;
    if (!Array.isArray(list)) return UNSURE;
    for (const s of list) if (typeof s !== 'string' || !allowed.has(s)) return UNSURE;
    if (list.length > 0 && !list.includes(core)) return UNSURE;
    sent = list;
  }
  return [...new Set([core, ...carried, ...(sent as string[])])];
}

/** `externalId` when sent: a string, kept as is. */
export function externalIdOf(body: Record<string, unknown>): Checked<string | undefined> {
  if (!Object.hasOwn(body, 'externalId')) return undefined;
  return typeof body.externalId === 'string' ? body.externalId : UNSURE;
}

function metaShape(meta: unknown): meta is Record<string, unknown> {
  if (!isPlainObject(meta)) return false;
  for (const k in meta) if (!META_KEYS.has(k)) return false;
  return true;
}

/** A timestamp SCIMMY's dateTime coercion leaves unchanged. */
function isIsoTimestamp(v: unknown): v is string {
  if (typeof v !== 'string' || !ISO.test(v)) return false;
  // "2020-13-45T…" has the shape but no date (toISOString would throw); "2020-02-30T…" moves.
  const t = Date.parse(v);
  return !Number.isNaN(t) && new Date(t).toISOString() === v;
}

/**
 * The inbound `meta`: SCIMMY keeps only its `resourceType` (the rest is returned-only), and
 * ignores a sent one. Sent, it must be a plain object of string meta attributes.
 */
export function metaIn(body: Record<string, unknown>, resourceType: string): Checked<object> {
  if (Object.hasOwn(body, 'meta')) {
    const meta = body.meta;
    if (!metaShape(meta)) return UNSURE;
    for (const k in meta) if (typeof meta[k] !== 'string') return UNSURE;
  }
  return { resourceType };
}

/**
 * The outbound `meta`: `resourceType` from the schema, the timestamps (ISO strings) and
 * `version` as rendered, and `location` = `<basepath>/<id>`, in definition order.
 */
export function metaOut(
  body: Record<string, unknown>,
  resourceType: string,
  location: string,
): Checked<Record<string, unknown>> {
  const meta = body.meta;
  if (!metaShape(meta)) return UNSURE;
  const out: Record<string, unknown> = { resourceType };
  if (Object.hasOwn(meta, 'resourceType') && typeof meta.resourceType !== 'string') return UNSURE;
  for (const k of ['created', 'lastModified'] as const) {
    if (!Object.hasOwn(meta, k)) continue;
    if (!isIsoTimestamp(meta[k])) return UNSURE;
    out[k] = meta[k];
  }
  if (Object.hasOwn(meta, 'location') && typeof meta.location !== 'string') return UNSURE;
  out.location = location;
  if (Object.hasOwn(meta, 'version')) {
    if (typeof meta.version !== 'string') return UNSURE;
    out.version = meta.version;
  }
  return out;
}
