/** The API as Express middleware, mounted by the server at `/trpc`. */
import type { Services } from '@gatehouse/domain';
import { type CredentialThrottle, DEFAULT_MAX_JSON_DEPTH } from '@gatehouse/edge';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import type { RequestHandler } from 'express';
import { apiCallbacks } from './api-context.js';
import type { AuthOptions } from './auth.js';
import { createReadRoute, type ReadRouteKind } from './read-routes.js';
import { retryAfterHeaders } from './retry-after.js';
import { appRouter } from './root.js';
import { callsOf, createTrpcEdge, MAX_BATCH_SIZE } from './trpc-edge.js';

/**
 * The API's default body limit: 4 MiB. The largest valid request, `authz.checkMany` with its
 * 10,000 checks, takes 1–3 MB of JSON; SCIM bodies are smaller (1 MiB there).
 */
export const DEFAULT_API_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Options of the API middleware. */
export interface ApiOptions extends AuthOptions {
  readonly services: Services;
  /**
   * Called with unexpected (500) errors, for the server's log; `id` is the opaque id the caller
   * was given (`internal error (id err_…)`).
   */
  readonly onInternalError?: (error: unknown, path: string | undefined, id: string) => void;
  /** Largest request body (`GATEHOUSE_API_MAX_BODY`); default 4 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /** Deepest JSON nesting of a body or `?input=`; default 64. */
  readonly maxJsonDepth?: number | undefined;
  /** Counts failed credentials and logins; none: nothing is throttled at the edge. */
  readonly throttle?: CredentialThrottle | undefined;
  /**
   * Which route answers `authz.*` reads (read-routes.ts): `direct` (default), `lean`, or
   * `trpc`, tRPC's adapter for every call (for comparison, `pnpm bench:check`).
   */
  readonly readRoute?: ReadRouteKind | undefined;
}

/**
 * The tRPC handler behind its edge (trpc-edge.ts). Mount it:
 * `app.use('/trpc', createApiHandler({ services }))`, with no body parser before it.
 * Every response says `Cache-Control: no-store`: many carry a secret shown once (API client
 * keys, SCIM tokens, session tokens, an org's first credentials) and the rest are access data
 * no shared cache or browser history should keep.
 */
export function createApiHandler(options: ApiOptions): RequestHandler {
  const edge = createTrpcEdge({
    ...options,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_API_MAX_BODY_BYTES,
    maxJsonDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
  });
  const { createContext, onError } = apiCallbacks(options);
  const trpc = createExpressMiddleware({
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    maxBodySize: options.maxBodyBytes ?? DEFAULT_API_MAX_BODY_BYTES,
    allowMethodOverride: true,
    createContext,
    responseMeta: ({ errors }) => ({ headers: retryAfterHeaders(errors) }),
    onError,
  });
  const reads = createReadRoute(options.readRoute, { createContext, onError });
  return (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    edge(req, res, (err?: unknown) => {
      if (err) return next(err);
      const calls = reads && callsOf(req.url);
      if (!reads || !calls || !reads.serves(req, calls)) return trpc(req, res, next);
      reads.serve(req, res, calls).catch(next);
    });
  };
}
