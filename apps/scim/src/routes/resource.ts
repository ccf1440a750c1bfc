/**
 * Single User and Group resources over HTTP (RFC 7644 §3.3–§3.6): the id from the path, the
 * body of a POST or PUT validated and coerced by SCIMMY's schema, and the answer coerced by it
 * again on the way out, then given its `ETag`, `Location`, `304` for a matching
 * `If-None-Match` (§3.14) and the asked-for projection (§3.9).
 */
import type { Request, Response } from 'express';
import SCIMMY from 'scimmy';
import { queryProjection, type ScimContext } from '../context.js';
import { scimError, writeJson } from '../errors.js';
import { project } from '../projection.js';
import { plain, schemas } from '../schema.js';

/** The two resource types served one at a time. */
export type ResourceName = 'User' | 'Group';

const SCHEMA = { User: SCIMMY.Schemas.User, Group: SCIMMY.Schemas.Group } as const;

/**
 * The `:id` of the path. As under scimmy-routers, an id that cannot sit in the SCIMMY filter
 * `id eq "…"` (one with a `"`) is a 400 `invalidFilter`, not a lookup.
 */
export function pathId(req: Request): string {
  const id = String(req.params.id);
  new SCIMMY.Types.Filter(`id eq "${id}"`);
  return id;
}

/**
 * Runs a SCIMMY schema coercion; its `TypeError`s are 400 `invalidValue`, its SCIM errors pass,
 * and anything else is a 404 (as SCIMMY's resources answer).
 */
function coerced<T>(id: string | undefined, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof SCIMMY.Types.Error) throw e;
    if (e instanceof TypeError) throw scimError(400, 'invalidValue', e.message);
    throw scimError(404, null, `Resource ${id} not found`);
  }
}

/**
 * The body of a POST (no id) or PUT, checked present and an object, validated and coerced by
 * the resource's SCIMMY schema (RFC 7643 §4), as plain JSON.
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
  const Schema = SCHEMA[type];
  return plain(coerced(id, () => new Schema(body as Record<string, unknown>, 'in')));
}

/**
 * Sends one rendered resource: coerced outbound by SCIMMY's schema (`meta.location` under this
 * request's base URL), with `ETag` = `meta.version`, `Location` on 201, a bare 304 for a GET
 * whose `If-None-Match` holds that version (or `*`), and the query's projection.
 */
export function sendOne(
  req: Request,
  res: Response,
  ctx: ScimContext,
  type: ResourceName,
  rendered: Record<string, unknown>,
  status = 200,
): void {
  const Schema = SCHEMA[type];
  const id = typeof rendered.id === 'string' ? rendered.id : undefined;
  const out = plain(coerced(id, () => new Schema(rendered, 'out', `${ctx.base}/${type}s`)));
  const meta = out.meta as { version?: unknown; location?: unknown } | undefined;
  const version = typeof meta?.version === 'string' ? meta.version : '';
  if (version) res.setHeader('ETag', version);
  if (status === 201 && typeof meta?.location === 'string')
    res.setHeader('Location', meta.location);
  const inm = req.headers['if-none-match'];
  if (req.method === 'GET' && typeof inm === 'string' && version) {
    const tags = inm.split(',').map((t) => t.trim());
    if (tags.includes('*') || tags.includes(version)) {
      res.setHeader('Content-Type', 'application/scim+json');
      res.status(304).end();
      return;
    }
  }
  writeJson(res, status, project(schemas()[type], out, queryProjection(ctx)));
}
