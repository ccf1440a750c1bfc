/**
 * `createScimHandler()`: SCIM 2.0 (RFC 7643, RFC 7644) as an Express router, mounted by the
 * server at `/scim/v2`: no caching, authentication from the headers, then the body (size and
 * depth capped), then every route of `./routes.ts`. SCIMMY supplies schemas, validation,
 * coercion and the discovery documents; the routes are Gatehouse's own.
 */
import type { Services } from '@gatehouse/domain';
import {
  type CredentialThrottle,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_JSON_DEPTH,
} from '@gatehouse/edge';
import { type NextFunction, type Request, type Response, Router } from 'express';
import SCIMMY from 'scimmy';
import { sendError } from './errors.js';
import { authenticate, parseBody } from './http.js';
import { MAX_RESULTS } from './list.js';
import { MAX_BULK_OPERATIONS } from './routes/bulk.js';
import { scimRoutes } from './routes.js';

/** Options of the SCIM handler. */
export interface ScimOptions {
  readonly services: Services;
  /** The public origin (`https://gatehouse.example.com`) for `meta.location`; default: the request's. */
  readonly publicUrl?: string | undefined;
  /**
   * Called with unexpected (500) errors, for the server's log; `id` is the opaque id the caller
   * got in the error's `detail`.
   */
  readonly onInternalError?: (error: unknown, id: string) => void;
  /** Largest request body in bytes (`GATEHOUSE_SCIM_MAX_BODY`); default 1 MiB; larger is 413. */
  readonly maxBodyBytes?: number | undefined;
  /** Deepest JSON nesting of a body, checked before parsing; default 64. */
  readonly maxJsonDepth?: number | undefined;
  /** Counts refused tokens per client address and token prefix (429 past the limit). */
  readonly throttle?: CredentialThrottle | undefined;
}

/**
 * What the ServiceProviderConfig advertises (RFC 7643 §5): only what works. PATCH, filters
 * (in SQL, up to 1000 per page), sorting, ETags and bulk (up to 1000 operations, within the
 * body limit) do; password changes do not.
 */
function configure(maxPayloadSize: number): void {
  SCIMMY.Config.set({
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: true,
    bulk: { supported: true, maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: false,
    sort: true,
    etag: true,
    authenticationSchemes: [],
  });
  SCIMMY.Config.set({
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A per-organization SCIM token: "Authorization: Bearer <token>"',
        specUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
        primary: true,
      },
    ],
  });
}

/**
 * The SCIM endpoint. Mount it before any other body parser:
 * `app.use('/scim/v2', createScimHandler({ services }))`.
 */
export function createScimHandler(options: ScimOptions): Router {
  const onInternalError = options.onInternalError ?? (() => {});
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  configure(maxBytes);

  const router = Router();
  // Directory data (and nothing a shared cache or browser history should keep): never stored.
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Authenticate from the headers first: an unauthenticated request's body is never parsed.
  router.use(
    authenticate({
      services: options.services,
      publicUrl: options.publicUrl,
      onInternalError,
      throttle: options.throttle,
    }),
  );
  router.use(
    parseBody({
      maxBytes,
      maxDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
    }),
  );
  router.use(scimRoutes({ maxPayloadSize: maxBytes }));
  // Errors thrown outside a route's own handling (Express itself, the body checks).
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    const id = sendError(res, err);
    if (id) onInternalError(err, id);
  });
  return router;
}
