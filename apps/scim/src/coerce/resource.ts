/**
 * The fast path of SCIMMY's schema coercion (issue 15) for the User and Group bodies that
 * identity providers send (inbound, POST/PUT) and that our renderers produce (outbound):
 * `fastCoerce` returns exactly what `plain(new SCIMMY.Schemas.User|Group(body, direction,
 * basepath))` returns, same keys, values and key order, without running SCIMMY; for anything
 * it is not sure of (an unknown or differently cased attribute, a wrong type, a `null`, an
 * attribute it does not handle) it returns undefined and the caller runs SCIMMY, so errors
 * stay SCIMMY's word for word. `inbound.test.ts` and `outbound.test.ts` hold it to SCIMMY on generated bodies.
 */
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from '../schema.js';
import {
  ENTERPRISE_ATTRS,
  type FastAttr,
  GROUP_ATTRS,
  USER_GROUPS,
  USER_HEAD,
  USER_MULTI,
  USER_TAIL,
} from './attributes.js';
import { externalIdOf, metaIn, metaOut, schemasOf } from './common.js';
import { checkValue, copyAttrs, isPlainObject, UNSURE } from './values.js';

/** Which way a body goes: from a client (`in`) or to one (`out`, with its `meta.location`). */
export type Direction = { readonly way: 'in' } | { readonly way: 'out'; readonly basepath: string };

const USER_SCHEMAS: ReadonlySet<string> = new Set([USER_URN, ENTERPRISE_URN]);
const GROUP_SCHEMAS: ReadonlySet<string> = new Set([GROUP_URN]);

/** Accumulates the coerced body and counts the body's keys it accounted for. */
class Coercion {
  readonly out: Record<string, unknown> = {};
  known = 0;
  sure = true;

  constructor(readonly body: Record<string, unknown>) {}

  /** Copies the attributes of `list` the body holds. */
  attrs(list: readonly FastAttr[]): void {
    const n = copyAttrs(list, this.body, this.out);
    if (n < 0) this.sure = false;
    else this.known += n;
  }

  /** Accounts for a key SCIMMY drops (returned-only inbound, `password` never returned). */
  dropped(name: string, ok: (v: unknown) => boolean): void {
    if (!Object.hasOwn(this.body, name)) return;
    if (ok(this.body[name])) this.known++;
    else this.sure = false;
  }

  /** The coerced body when every key was accounted for and `required` is there. */
  result(required: string): Record<string, unknown> | undefined {
    const whole = this.known === Object.keys(this.body).length;
    return this.sure && whole && Object.hasOwn(this.out, required) ? this.out : undefined;
  }
}

/** The common attributes, in definition order; false when unsure. */
function common(c: Coercion, type: 'User' | 'Group', dir: Direction, carried: string[]): boolean {
  const { body, out } = c;
  const schemas = schemasOf(
    body,
    type === 'User' ? USER_URN : GROUP_URN,
    carried,
    type === 'User' ? USER_SCHEMAS : GROUP_SCHEMAS,
  );
  if (schemas === UNSURE) return false;
  out.schemas = schemas;
  if (Object.hasOwn(body, 'schemas')) c.known++;
  const id = body.id;
  if (dir.way === 'out') {
    if (typeof id !== 'string' || id === '') return false;
    out.id = id;
    c.known++;
  } else c.dropped('id', (v) => typeof v === 'string');
  const externalId = externalIdOf(body);
  if (externalId === UNSURE) return false;
  if (externalId !== undefined) {
    out.externalId = externalId;
    c.known++;
  }
  const meta =
    dir.way === 'out' ? metaOut(body, type, `${dir.basepath}/${id}`) : metaIn(body, type);
  if (meta === UNSURE) return false;
  out.meta = meta;
  if (Object.hasOwn(body, 'meta')) c.known++;
  return true;
}

function enterprise(c: Coercion): void {
  if (!Object.hasOwn(c.body, ENTERPRISE_URN)) return;
  const ext = c.body[ENTERPRISE_URN];
  const out: Record<string, unknown> = {};
  const n = isPlainObject(ext) ? copyAttrs(ENTERPRISE_ATTRS, ext, out) : -1;
  // An extension with nothing in it changes `schemas` in SCIMMY: left to it.
  if (n <= 0 || n !== Object.keys(ext as object).length) c.sure = false;
  else {
    c.out[ENTERPRISE_URN] = out;
    c.known++;
  }
}

function user(c: Coercion, dir: Direction): Record<string, unknown> | undefined {
  const carried = Object.hasOwn(c.body, ENTERPRISE_URN) ? [ENTERPRISE_URN] : [];
  if (!common(c, 'User', dir, carried)) return undefined;
  c.attrs(USER_HEAD);
  // password is write-only: coerced (a string) inbound, never returned; never rendered.
  c.dropped('password', (v) => dir.way === 'in' && typeof v === 'string');
  c.attrs(USER_MULTI);
  if (dir.way === 'in') c.dropped('groups', () => true);
  else if (Object.hasOwn(c.body, 'groups')) {
    const groups = checkValue(USER_GROUPS, c.body.groups);
    if (groups === UNSURE) c.sure = false;
    else {
      c.out.groups = groups;
      c.known++;
    }
  }
  c.attrs(USER_TAIL);
  enterprise(c);
  return c.result('userName');
}

function group(c: Coercion, dir: Direction): Record<string, unknown> | undefined {
  if (!common(c, 'Group', dir, [])) return undefined;
  c.attrs(GROUP_ATTRS);
  return c.result('displayName');
}

/**
 * `body` coerced as SCIMMY's User or Group schema would coerce it in `dir`, as plain JSON;
 * undefined when the fast path is not sure (then run SCIMMY).
 */
export function fastCoerce(
  type: 'User' | 'Group',
  body: unknown,
  dir: Direction,
): Record<string, unknown> | undefined {
  if (!isPlainObject(body)) return undefined;
  const c = new Coercion(body);
  return type === 'User' ? user(c, dir) : group(c, dir);
}
