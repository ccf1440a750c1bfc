/**
 * tRPC-shaped error responses written by the edge, before tRPC runs (a refused credential, a
 * body too large or too deep): the same JSON (through the router's error formatter) and status a
 * procedure's own error would have, one entry per call of a batch, so clients read them alike.
 */

import type { ServerResponse } from 'node:http';
import type { TRPCError } from '@trpc/server';
import {
  getErrorShape,
  getHTTPStatusCodeFromError,
} from '@trpc/server/unstable-core-do-not-import';
import { appRouter } from './root.js';

/** The calls a request names: procedure paths, and whether it is a batch. */
export interface TrpcCalls {
  readonly paths: readonly string[];
  readonly isBatch: boolean;
}

/** Sends `error` as each call's error. */
export function sendTrpcError(
  res: ServerResponse,
  calls: TrpcCalls,
  error: TRPCError,
  headers: Record<string, string> = {},
): void {
  const shapes = calls.paths.map((path) => ({
    error: getErrorShape({
      config: appRouter._def._config,
      error,
      type: 'unknown',
      path,
      input: undefined,
      ctx: undefined,
    }),
  }));
  res.statusCode = getHTTPStatusCodeFromError(error);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(calls.isBatch ? shapes : shapes[0]));
}
