/**
 * The per-request SCIM context: which org the bearer token belongs to, the caller the domain
 * audits (`source: scim`, actor = token id), the base URL for `meta.location`, the query as
 * sent, and the If-Match precondition (RFC 7644 §3.14).
 */
import type { Caller, OrgCall, Services } from '@gatehouse/domain';
import type { Response } from 'express';
import { scimError } from './errors.js';
import type { Projection } from './projection.js';
import { attributeList } from './projection.js';

/** What every SCIM handler knows about its request; it is the `OrgCall` domain reads take. */
export interface ScimContext extends OrgCall {
  readonly services: Services;
  readonly orgId: string;
  readonly tokenId: string;
  readonly caller: Caller;
  /** `https://host/scim/v2`, without a trailing slash. */
  readonly base: string;
  /** The query string as sent (parsed once). */
  readonly query: Readonly<Record<string, unknown>>;
  /** The `If-Match` header, when sent. */
  readonly ifMatch: string | undefined;
  readonly res: Response;
  /** Reports unexpected errors (the server logs them under the opaque id the caller got). */
  readonly onInternalError: (error: unknown, id: string) => void;
}

/** The context attached to a response by the auth middleware. */
export function contextOf(res: Response): ScimContext {
  const ctx = res.locals.scim as ScimContext | undefined;
  if (!ctx) throw scimError(401, null, 'not authenticated');
  return ctx;
}

/** The projection asked for in the query string. */
export function queryProjection(ctx: ScimContext): Projection {
  return {
    attributes: attributeList(ctx.query.attributes, 'attributes'),
    excludedAttributes: attributeList(ctx.query.excludedAttributes, 'excludedAttributes'),
  };
}

/** The opaque versions an `If-Match` lists; `*` matches any. */
function ifMatchVersions(header: string): string[] | '*' {
  if (header.trim() === '*') return '*';
  return header
    .split(',')
    .map((t) =>
      t
        .trim()
        .replace(/^W\//i, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .filter(Boolean);
}

/**
 * Checks `If-Match` against the current version: a mismatch is 412; returns the version a
 * write must still find (so the check holds until the write commits), or undefined.
 */
export function precondition(ctx: ScimContext, current: string): string | undefined {
  if (ctx.ifMatch === undefined) return undefined;
  const wanted = ifMatchVersions(ctx.ifMatch);
  if (wanted === '*') return undefined;
  if (!wanted.includes(current)) {
    throw scimError(412, null, `If-Match does not match the current version W/"${current}"`);
  }
  return current;
}

/** Sets the revision header a write committed as (for `authz.check` with `minRevision`, C6). */
export function setRevision(ctx: ScimContext, revision: number): void {
  if (!ctx.res.headersSent) ctx.res.setHeader('X-Gatehouse-Revision', String(revision));
}
