/**
 * What every SCIM route shares: the handler shape, the wrapper that turns whatever a handler
 * throws into a SCIM error body (reporting unexpected ones under their opaque id), and the
 * writer of a resource or list body with its `ETag` and (on 201) `Location`.
 */
import type { Request, Response } from 'express';
import { contextOf, type ScimContext } from '../context.js';
import { scimError, sendError, writeJson } from '../errors.js';

/** A route handler, called after authentication with the request's SCIM context. */
export type Handler = (req: Request, res: Response, ctx: ScimContext) => Promise<void>;

/** Wraps a handler: errors become SCIM error bodies; unexpected ones are reported. */
export function handle(fn: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    let ctx: ScimContext | undefined;
    try {
      ctx = contextOf(res);
      await fn(req, res, ctx);
    } catch (e) {
      const id = sendError(res, e);
      if (id) ctx?.onInternalError(e, id);
    }
  };
}

/** Sends a SCIM JSON body, with the resource's ETag and (on 201) its Location. */
export function sendResource(res: Response, status: number, body: Record<string, unknown>): void {
  const meta = body.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) res.setHeader('ETag', meta.version);
  if (status === 201 && meta?.location) res.setHeader('Location', meta.location);
  writeJson(res, status, body);
}

/** The 404 of a path no route serves (RFC 7644 §3.12). */
export function endpointNotFound(_req: Request, res: Response): void {
  sendError(res, scimError(404, null, 'Endpoint Not Found'));
}

/** The 501 of what this server does not implement (`/Me`, RFC 7644 §3.11). */
export function notImplemented(_req: Request, res: Response): void {
  sendError(res, scimError(501, null, 'Endpoint Not Implemented'));
}
