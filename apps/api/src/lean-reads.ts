/**
 * The lean read route (issue 15): permission reads (`authz.*` queries: check, checkMany,
 * explain, ...) are served by calling the same tRPC procedures directly, after the same edge
 * (credential throttle, authentication, body limits), and writing tRPC's wire format, instead of
 * through tRPC's fetch adapter, which builds a web `Request`, streams and an `AbortSignal` per
 * request. Procedures, middleware (authorization, org membership), input validation, the error
 * formatter and status codes are tRPC's own; only the HTTP framing is done here, the way the
 * adapter does it (`lean-reads.test.ts` holds the two to the same answers).
 */
import type { AnyTRPCProcedure } from '@trpc/server';
import { callProcedure } from '@trpc/server/unstable-core-do-not-import';
import type { ApiCallbacks } from './api-context.js';
import { type ReadRoute, readRoute } from './read-framing.js';
import { appRouter } from './root.js';

/** The procedures this route serves: every query of the `authz` router. */
export const LEAN_READ_PROCEDURES: ReadonlySet<string> = new Set(
  Object.entries(appRouter._def.procedures as unknown as Record<string, AnyTRPCProcedure>)
    .filter(([path, p]) => path.startsWith('authz.') && p._def.type === 'query')
    .map(([path]) => path),
);

/** Makes the route from the API handler's context and error hook. */
export function createLeanReads(callbacks: ApiCallbacks): ReadRoute {
  return readRoute(
    callbacks,
    (path) => LEAN_READ_PROCEDURES.has(path),
    ({ path, index, ctx, input }) =>
      callProcedure({
        router: appRouter,
        path,
        ctx,
        type: 'query',
        getRawInput: async () => input(),
        signal: undefined,
        batchIndex: index,
      }),
  );
}
