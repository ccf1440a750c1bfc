/**
 * `createScimHandler()`: SCIM 2.0 (RFC 7643, RFC 7644) as an Express router, mounted by the
 * server at `/scim/v2`. scimmy-routers serves discovery (`/ServiceProviderConfig`,
 * `/ResourceTypes`, `/Schemas`) and single resources through the handlers in
 * `./scimmy-handlers.ts`; lists, searches and PATCH are served first by `./routes.ts`.
 */
import type { Services } from '@gatehouse/domain';
import {
  type CredentialThrottle,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_JSON_DEPTH,
  newErrorId,
} from '@gatehouse/edge';
import type express from 'express';
import { type NextFunction, type Request, type Response, Router } from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';
import { scimError, sendError } from './errors.js';
import { authenticate, fixQuery, fixResponses, parseBody } from './http.js';
import { MAX_RESULTS } from './list.js';
import { scimRoutes } from './routes.js';
import { declareResources } from './schema.js';
import { installHandlers } from './scimmy-handlers.js';
import { normalizeUserBody } from './user-doc.js';

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
 * (in SQL, up to 1000 per page), sorting and ETags do; bulk and password changes do not.
 */
function configure(): void {
  SCIMMY.Config.set({
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: true,
    bulk: false,
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

/** RFC 7643 §3: `schemas`, when sent, is an array of URNs (SCIMMY ignores a Group's string). */
function checkSchemas(body: unknown): void {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('schemas' in body)) return;
  const list = (body as { schemas: unknown }).schemas;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
    throw scimError(400, 'invalidSyntax', '"schemas" is an array of schema URNs');
  }
}

/**
 * The SCIM endpoint. Mount it before any other body parser:
 * `app.use('/scim/v2', createScimHandler({ services }))`.
 */
export function createScimHandler(options: ScimOptions): Router {
  declareResources();
  installHandlers();
  const onInternalError = options.onInternalError ?? (() => {});
  const scimmy = new SCIMMYRouters({
    type: 'bearer',
    // Authentication already happened (below); /Me has no user behind a directory token.
    handler: () => undefined as unknown as string,
    context: (req: Request) => (req.res as Response).locals.scim,
    baseUri: (req: Request) => `${req.protocol}://${req.get('host')}`,
  });
  configure();

  const router = Router();
  // Directory data (and nothing a shared cache or browser history should keep): never stored.
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(fixQuery);
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
      maxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      maxDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
    }),
  );
  router.all('/Me', (req, res, next) => {
    if (req.method === 'GET') return next();
    // P17(b): scimmy-routers' `/Me$` route never matches on Express 5.
    sendError(res, scimError(501, null, 'Endpoint Not Implemented'));
  });
  router.use(scimRoutes());
  router.use(['/Users', '/Groups'], (req, _res, next) => {
    if (req.method === 'POST' || req.method === 'PUT') {
      checkSchemas(req.body);
      if (/\/users$/i.test(req.baseUrl)) req.body = normalizeUserBody(req.body);
    }
    next();
  });
  router.use(fixResponses);
  router.use(scimmy as unknown as express.RequestHandler);
  // P18: scimmy-routers answers a 5xx and then calls next(err); errors before it land here too.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (res.headersSent) {
      if ((status ?? 500) >= 500 && status !== 501) {
        onInternalError(err, (res.locals.scimErrorId as string | undefined) ?? newErrorId());
      }
      return;
    }
    const id = sendError(res, err);
    if (id) onInternalError(err, id);
  });
  return router;
}
