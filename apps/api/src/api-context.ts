/**
 * What tRPC's adapter and the lean read route (lean-reads.ts) share: the context each call
 * gets, and what is done when a call fails.
 */
import type { IncomingMessage } from 'node:http';
import type { TRPCError } from '@trpc/server';
import type { ApiOptions } from './app.js';
import { REQUEST_ID_HEADER, resolveCaller } from './auth.js';
import { clientAddress } from './edge-auth.js';
import { errorIdOf } from './internal-errors.js';
import type { ApiContext } from './trpc.js';
import { type EdgeRequest, edgeAuthOf } from './trpc-edge.js';

/** The context of a request's calls, and the failed-call hook. */
export interface ApiCallbacks {
  createContext(opts: { req: EdgeRequest }): Promise<ApiContext>;
  onError(opts: { error: TRPCError; path?: string | undefined; req: IncomingMessage }): void;
}

/** Makes both for one API handler. */
export function apiCallbacks(options: ApiOptions): ApiCallbacks {
  return {
    async createContext({ req }) {
      const checked = edgeAuthOf(req);
      const { caller, error } =
        checked && !checked.refusal
          ? checked
          : await resolveCaller(options.services, req.headers, options);
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
    onError({ error, path, req }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        options.onInternalError?.(error.cause ?? error, path, errorIdOf(error));
      }
      // A failed login counts against the address, as a refused key does (edge-auth.ts); so
      // does a wrong current password when changing it.
      if (
        (path === 'sessions.login' || path === 'accounts.changePassword') &&
        error.code === 'UNAUTHORIZED'
      ) {
        options.throttle?.fail({ address: clientAddress(req) });
      }
    },
  };
}
