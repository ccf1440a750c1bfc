/** The API as Express middleware, mounted by the server at `/trpc`. */
import type { Services } from '@gatehouse/domain';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import type { RequestHandler } from 'express';
import { type AuthOptions, REQUEST_ID_HEADER, resolveCaller } from './auth.js';
import { appRouter } from './root.js';
import type { ApiContext } from './trpc.js';

/** Options of the API middleware. */
export interface ApiOptions extends AuthOptions {
  readonly services: Services;
  /** Called with unexpected (500) errors, for the server's log. */
  readonly onInternalError?: (error: unknown, path: string | undefined) => void;
}

/**
 * The tRPC handler. Mount it: `app.use('/trpc', createApiHandler({ services }))`.
 * Every response says `Cache-Control: no-store`: many carry a secret shown once (API client
 * keys, SCIM tokens, session tokens, an org's first credentials) and the rest are access data
 * no shared cache or browser history should keep.
 */
export function createApiHandler(options: ApiOptions): RequestHandler {
  const trpc = createTrpcHandler(options);
  return (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    trpc(req, res, next);
  };
}

function createTrpcHandler(options: ApiOptions): RequestHandler {
  return createExpressMiddleware({
    router: appRouter,
    maxBatchSize: 100,
    allowMethodOverride: true,
    async createContext({ req }): Promise<ApiContext> {
      const { caller, error } = await resolveCaller(options.services, req.headers, options);
      const requestId = req.headers[REQUEST_ID_HEADER];
      return {
        services: options.services,
        caller,
        authError: error,
        request: {
          requestId: caller?.requestId ?? (typeof requestId === 'string' ? requestId : undefined),
          userAgent: req.headers['user-agent'],
          ip: req.ip ?? req.socket.remoteAddress,
        },
      };
    },
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        options.onInternalError?.(error.cause ?? error, path);
    },
  });
}
