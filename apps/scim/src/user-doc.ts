/**
 * SCIM User documents ⇄ the domain's directory users. Inbound bodies are normalized for what
 * identity providers actually send (Entra: `"True"`/`"False"` strings for booleans, the
 * enterprise `manager` as a bare id), validated by SCIMMY's schema (RFC 7643 §4.1, §4.3) and
 * mapped to a `DirectoryUserInput`; the whole document is kept so it round-trips.
 */
import type {
  AttrDef,
  DirectoryGroupRef,
  DirectoryUser,
  DirectoryUserInput,
} from '@gatehouse/domain';
import SCIMMY from 'scimmy';
import { fastCoerce } from './coerce/resource.js';
import { scimError } from './errors.js';
import { ENTERPRISE_URN, plain, schemas, USER_URN } from './schema.js';

/** Keys Gatehouse owns: never stored in the document. */
const OWNED = new Set(['id', 'meta', 'groups', 'password', 'active', 'username', 'externalid']);

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Longest value accepted for attributes that are indexed (bytes, below PostgreSQL's limit). */
const MAX_INDEXED_BYTES = 1000;

/** `"True"` → true, `"False"` → false (Entra), other values unchanged. */
export function booleanish(v: unknown): unknown {
  if (typeof v === 'string') {
    const l = v.trim().toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  return v;
}

/**
 * Normalizes one attribute value for its definition: boolean strings, a bare string for a
 * complex attribute with a `value` (Entra's `manager`), a lone value for a multi-valued one.
 */
export function normalizeValue(attr: AttrDef, v: unknown, asElement = false): unknown {
  if (v === null || v === undefined) return v;
  if (attr.multiValued && !asElement) {
    const list = Array.isArray(v) ? v : [v];
    return list
      .filter((el) => el !== null && el !== undefined)
      .map((el) => normalizeValue(attr, el, true));
  }
  if (attr.type === 'boolean') return booleanish(v);
  if (attr.type === 'complex') {
    // Entra sends a single complex value (the manager) as "id" or as [{ "value": "id" }].
    if (Array.isArray(v) && v.length === 1 && !asElement) return normalizeValue(attr, v[0]);
    if (typeof v === 'string' && attr.sub.some((s) => s.name === 'value')) return { value: v };
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const sub = attr.sub.find((s) => s.name.toLowerCase() === k.toLowerCase());
        if (sub) out[sub.name] = normalizeValue(sub, x);
        else out[k] = x;
      }
      return out;
    }
    // SCIMMY would turn `[1]` or `5` into an empty `{}` element and store it.
    if (asElement)
      throw scimError(400, 'invalidValue', `each value of "${attr.name}" is an object`);
  }
  return v;
}

function normalizeObject(
  list: readonly AttrDef[],
  obj: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const attr = list.find((a) => a.name.toLowerCase() === k.toLowerCase());
    if (v === null) continue;
    out[attr ? attr.name : k] = attr ? normalizeValue(attr, v) : v;
  }
  return out;
}

/** Normalizes a whole inbound User body (POST, PUT, and a PATCHed document) before validation. */
export function normalizeUserBody(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const schema = schemas().User;
  const out = normalizeObject(schema.attrs, body as Record<string, unknown>);
  for (const [urn, attrs] of schema.extensions) {
    const key = Object.keys(out).find((k) => k.toLowerCase() === urn.toLowerCase());
    if (!key) continue;
    const ext = out[key];
    delete out[key];
    if (!ext || typeof ext !== 'object' || Array.isArray(ext)) {
      throw scimError(400, 'invalidValue', `"${urn}" takes an object of attributes`);
    }
    out[urn] = normalizeObject(attrs, ext as Record<string, unknown>);
  }
  return out;
}

/**
 * Validates a User body with SCIMMY's schema; type errors are 400 `invalidValue`. A common body
 * takes the fast path (`./coerce/resource.ts`): SCIMMY's result without running SCIMMY.
 */
export function coerceUser(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw scimError(400, 'invalidSyntax', 'the request body must be a JSON object');
  }
  const fast = fastCoerce('User', body, { way: 'in' });
  if (fast) return fast;
  try {
    return plain(new SCIMMY.Schemas.User(body as Record<string, unknown>, 'in'));
  } catch (e) {
    if (e instanceof SCIMMY.Types.Error) throw e;
    throw scimError(400, 'invalidValue', (e as Error).message);
  }
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function limitIndexed(name: string, v: unknown): void {
  if (typeof v === 'string' && bytes(v) > MAX_INDEXED_BYTES) {
    throw scimError(400, 'invalidValue', `${name} is longer than ${MAX_INDEXED_BYTES} bytes`);
  }
}

function pickEmail(doc: Record<string, unknown>, userName: string): string {
  const emails = Array.isArray(doc.emails) ? (doc.emails as Array<Record<string, unknown>>) : [];
  const valued = emails.filter((e) => typeof e.value === 'string' && EMAIL_RE.test(e.value.trim()));
  const chosen =
    valued.find((e) => e.primary === true) ??
    valued.find((e) => String(e.type ?? '').toLowerCase() === 'work') ??
    valued[0];
  if (chosen) return String(chosen.value).trim();
  if (EMAIL_RE.test(userName.trim())) return userName.trim();
  throw scimError(
    400,
    'invalidValue',
    'a user needs an email address: an "emails" value, or an email-shaped userName',
  );
}

function displayNameOf(doc: Record<string, unknown>): string | null {
  if (typeof doc.displayName === 'string' && doc.displayName.trim()) return doc.displayName.trim();
  const name = (doc.name ?? {}) as Record<string, unknown>;
  if (typeof name.formatted === 'string' && name.formatted.trim()) return name.formatted.trim();
  const parts = [name.givenName, name.familyName].filter((p) => typeof p === 'string' && p.trim());
  return parts.length ? parts.join(' ').trim() : null;
}

/**
 * Maps a validated User document to the domain's input. A document without `active` keeps
 * `activeDefault`: true for a new user, the current state on PUT and PATCH (S5: access changes
 * only when the directory says so, never because an attribute was left out or removed).
 */
export function toDirectoryInput(
  coerced: Record<string, unknown>,
  activeDefault = true,
): DirectoryUserInput {
  const userName = typeof coerced.userName === 'string' ? coerced.userName.trim() : '';
  if (!userName) throw scimError(400, 'invalidValue', 'userName is required');
  if (userName.length > 256)
    throw scimError(400, 'invalidValue', 'userName is longer than 256 characters');
  const rawExternal = coerced.externalId;
  const externalId = typeof rawExternal === 'string' && rawExternal !== '' ? rawExternal : null;
  if (externalId && externalId.length > 256) {
    throw scimError(400, 'invalidValue', 'externalId is longer than 256 characters');
  }
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(coerced)) if (!OWNED.has(k.toLowerCase())) doc[k] = v;
  limitIndexed('displayName', doc.displayName);
  const ext = doc[ENTERPRISE_URN] as Record<string, unknown> | undefined;
  if (ext) {
    limitIndexed('employeeNumber', ext.employeeNumber);
    limitIndexed('department', ext.department);
    limitIndexed('manager.value', (ext.manager as { value?: unknown } | undefined)?.value);
    if (Object.keys(ext).length === 0) delete doc[ENTERPRISE_URN];
  }
  doc.schemas = doc[ENTERPRISE_URN] ? [USER_URN, ENTERPRISE_URN] : [USER_URN];
  const name = displayNameOf(doc);
  return {
    userName,
    externalId,
    email: pickEmail(doc, userName),
    name: name && name.length > 200 ? name.slice(0, 200) : name,
    active: typeof coerced.active === 'boolean' ? coerced.active : activeDefault,
    doc,
  };
}

/** The SCIM representation of a directory user (before any projection). */
export function renderUser(
  u: DirectoryUser,
  groups: readonly DirectoryGroupRef[],
  base: string,
): Record<string, unknown> {
  const { schemas: _ignored, ...doc } = u.doc;
  const ext = doc[ENTERPRISE_URN] !== undefined;
  const body: Record<string, unknown> = {
    schemas: ext ? [USER_URN, ENTERPRISE_URN] : [USER_URN],
    id: u.userId,
    ...(u.externalId !== null ? { externalId: u.externalId } : {}),
    userName: u.userName,
    ...doc,
    active: u.active,
    ...(groups.length
      ? {
          groups: groups.map((g) => ({
            value: g.id,
            display: g.name,
            $ref: `${base}/Groups/${g.id}`,
            type: 'direct',
          })),
        }
      : {}),
    meta: {
      resourceType: 'User',
      created: u.createdAt.toISOString(),
      lastModified: u.lastModified.toISOString(),
      location: `${base}/Users/${u.userId}`,
      version: `W/"${u.version}"`,
    },
  };
  return body;
}

/** The working document a PATCH is applied to: the rendered user minus read-only parts. */
export function patchableUser(u: DirectoryUser): Record<string, unknown> {
  return {
    ...u.doc,
    userName: u.userName,
    ...(u.externalId !== null ? { externalId: u.externalId } : {}),
    active: u.active,
  };
}
