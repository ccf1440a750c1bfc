/**
 * The API's front (issue 15): permission reads (`/trpc/authz.*`, on the read route of
 * read-routes.ts) answered straight from node's HTTP server, before Express. Measured, Express's
 * routing and per-request objects cost a checked request more than everything Gatehouse does
 * for it (docs/benchmarks.md, "A checked request"); the check path is the one callers hit
 * thousands of times a second, so it skips them. The same edge runs (credential throttle,
 * authentication, body limits), the same procedures answer, and the response carries the same
 * headers: the server passes its security headers in.
 *
 * Every other request, and any read the route does not take, goes on to Express untouched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_MAX_JSON_DEPTH } from '@gatehouse/edge';
import { TRPCError } from '@trpc/server';
import { apiCallbacks } from './api-context.js';
import { type ApiOptions, DEFAULT_API_MAX_BODY_BYTES } from './app.js';
import { errorIdOf } from './internal-errors.js';
import { createReadRoute } from './read-routes.js';
import { callsOf, MAX_BATCH_SIZE, runEdge, type TrpcEdgeOptions } from './trpc-edge.js';
import { sendTrpcError, type TrpcCalls } from './trpc-edge-errors.js';

/** Options of the front: the API's, the mount path, and the headers every response carries. */
export interface ApiFrontOptions extends ApiOptions {
  /** Where the API is mounted; default `/trpc`. */
  readonly mount?: string | undefined;
  /** Headers set on every answer (the server's security headers, ...). */
  readonly headers: readonly (readonly [string, string])[];
}

/**
 * Makes the front: `take(req, res)` answers a permission read and returns true, or returns
 * false without touching the request.
 *
 * @example
 * const front = createApiFront({ services, headers });
 * createServer((req, res) => front.take(req, res) || app(req, res));
 */
export function createApiFront(options: ApiFrontOptions) {
  const mount = `${options.mount ?? '/trpc'}/`;
  const prefix = `${mount}authz.`;
  const edge: TrpcEdgeOptions = {
    ...options,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_API_MAX_BODY_BYTES,
    maxJsonDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
  };
  const reads = createReadRoute(options.readRoute, apiCallbacks(options));
  const headers = [...options.headers, ['cache-control', 'no-store'] as const];

  async function answer(req: IncomingMessage, res: ServerResponse, calls: TrpcCalls) {
    if (await runEdge(edge, req, res, calls)) await reads?.serve(req, res, calls);
  }

  return {
    take(req: IncomingMessage, res: ServerResponse): boolean {
      const url = req.url ?? '';
      if (!url.startsWith(prefix)) return false;
      const calls = callsOf(url.slice(mount.length - 1));
      if (!reads || calls.paths.length > MAX_BATCH_SIZE || !reads.serves(req, calls)) return false;
      for (const [name, value] of headers) res.setHeader(name, value);
      answer(req, res, calls).catch((e: unknown) => {
        // The edge and the route answer their own errors; anything else is a 500 with an id.
        const error = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: e });
        options.onInternalError?.(e, calls.paths.join(','), errorIdOf(error));
        if (res.headersSent) res.end();
        else sendTrpcError(res, calls, error);
      });
      return true;
    },
  };
}
