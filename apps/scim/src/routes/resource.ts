/**
 * Single User and Group resources over HTTP (RFC 7644 §3.3–§3.6): the id from the path, the
 * body of a POST or PUT validated and coerced by SCIMMY's schema, and the answer coerced by it
 * again on the way out, then given its `ETag`, `Location`, `304` for a matching
 * `If-None-Match` (§3.14) and the asked-for projection (§3.9).
 */
import type { Request, Response } from 'express';
import SCIMMY from 'scimmy';
import { fastCoerce } from '../coerce/resource.js';
import { queryProjection, type ScimContext } from '../context.js';
import { scimError, writeJson } from '../errors.js';
import { project } from '../projection.js';
import { plain, schemas } from '../schema.js';
import { coerced, metaOf, outbound, type ResourceName } from './outcome.js';

export type { ResourceName } from './outcome.js';

/**
 * A resource id from a path. As under scimmy-routers, an id that cannot sit in the SCIMMY
 * filter `id eq "…"` (one with a `"`) is a 400 `invalidFilter`, not a lookup.
 */
export function checkId(id: string): string {
  new SCIMMY.Types.Filter(`id eq "${id}"`);
  return id;
}

/** The `:id` of the path, checked by `checkId`. */
export function pathId(req: Request): string {
  return checkId(String(req.params.id));
}

const INBOUND = { way: 'in' } as const;

/**
 * The body of a POST (no id) or PUT, checked present and an object, validated and coerced by
 * the resource's SCIMMY schema (RFC 7643 §4), as plain JSON. Common bodies take the fast path
 * (`../coerce/resource.ts`), which gives SCIMMY's result without running it.
 */
export function inboundBody(
  type: ResourceName,
  body: unknown,
  id?: string,
): Record<string, unknown> {
  const verb = id === undefined ? 'POST' : 'PUT';
  if (body === undefined) {
    throw scimError(400, 'invalidSyntax', `Missing request body payload for ${verb} operation`);
  }
  if (Object(body) !== body || Array.isArray(body)) {
    throw scimError(
      400,
      'invalidSyntax',
      `Operation ${verb} expected request body payload to be single complex value`,
    );
  }
  const fast = fastCoerce(type, body, INBOUND);
  if (fast) return fast;
  const Schema = type === 'User' ? SCIMMY.Schemas.User : SCIMMY.Schemas.Group;
  return plain(coerced(id, () => new Schema(body as Record<string, unknown>, 'in')));
}

/**
 * Sends one resource read by a GET: coerced outbound by SCIMMY's schema (`meta.location` under
 * this request's base URL), with `ETag` = `meta.version`, a bare 304 when `If-None-Match` holds
 * that version (or `*`), and the query's projection. Writes answer with `./outcome.ts`.
 */
export function sendOne(
  req: Request,
  res: Response,
  ctx: ScimContext,
  type: ResourceName,
  rendered: Record<string, unknown>,
): void {
  const out = outbound(ctx, type, rendered);
  const version = metaOf(out).version ?? '';
  if (version) res.setHeader('ETag', version);
  const inm = req.headers['if-none-match'];
  if (req.method === 'GET' && typeof inm === 'string' && version) {
    const tags = inm.split(',').map((t) => t.trim());
    if (tags.includes('*') || tags.includes(version)) {
      res.setHeader('Content-Type', 'application/scim+json');
      res.status(304).end();
      return;
    }
  }
  writeJson(res, 200, project(schemas()[type], out, queryProjection(ctx)));
}
