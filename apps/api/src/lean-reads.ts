/**
 * The lean read route (issue 15): permission reads (`authz.*` queries: check, checkMany,
 * explain, ...) are served by calling the same tRPC procedures directly, after the same edge
 * (credential throttle, authentication, body limits), and writing tRPC's wire format, instead of
 * through tRPC's fetch adapter, which builds a web `Request`, streams and an `AbortSignal` per
 * request. Procedures, middleware (authorization, org membership), input validation, the error
 * formatter and status codes are tRPC's own; only the HTTP framing is done here, the way the
 * adapter does it (`lean-reads.test.ts` holds the two to the same answers).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AnyTRPCProcedure, TRPCError } from '@trpc/server';
import {
  callProcedure,
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
} from '@trpc/server/unstable-core-do-not-import';
import type { ApiCallbacks } from './api-context.js';
import { retryAfterHeaders } from './retry-after.js';
import { appRouter } from './root.js';
import { type EdgeRequest, edgeInputOf } from './trpc-edge.js';
import type { TrpcCalls } from './trpc-edge-errors.js';

/** The procedures this route serves: every query of the `authz` router. */
export const LEAN_READ_PROCEDURES: ReadonlySet<string> = new Set(
  Object.entries(appRouter._def.procedures as unknown as Record<string, AnyTRPCProcedure>)
    .filter(([path, p]) => path.startsWith('authz.') && p._def.type === 'query')
    .map(([path]) => path),
);

type Answer = { result: { data: unknown } } | { error: unknown };

/** Each call's raw input, read as tRPC's JSON content handler reads it. */
function inputsOf(req: EdgeRequest, calls: TrpcCalls): () => unknown[] {
  // Parsed once, at the edge (an empty body or `?input=` is no input, as for tRPC).
  const raw = edgeInputOf(req);
  let inputs: unknown[] | undefined;
  return () => {
    inputs ??= split();
    return inputs;
  };
  function split(): unknown[] {
    if (raw === undefined) return [];
    if (!calls.isBatch) return [raw];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: '"input" needs to be an object when doing a batch call',
      });
    }
    return calls.paths.map((_, i) => (raw as Record<string, unknown>)[i]);
  }
}

/** The route: `serves` says whether it takes a request (before its body is read). */
export interface LeanReads {
  serves(req: IncomingMessage, calls: TrpcCalls): boolean;
  /** Answers a request `serves` took, after the edge passed it. */
  serve(req: EdgeRequest, res: ServerResponse, calls: TrpcCalls): Promise<void>;
}

/** Makes the route from the API handler's context and error hook. */
export function createLeanReads(callbacks: ApiCallbacks): LeanReads {
  const config = appRouter._def._config;
  return {
    serves(req, calls) {
      return (
        (req.method === 'GET' || req.method === 'POST') &&
        req.headers['trpc-accept'] === undefined &&
        calls.paths.every((p) => LEAN_READ_PROCEDURES.has(p))
      );
    },
    async serve(req, res, calls) {
      const inputs = inputsOf(req, calls);
      const ctx = await callbacks.createContext({ req });
      const errors: (TRPCError | undefined)[] = [];
      const answers = await Promise.all(
        calls.paths.map(async (path, batchIndex): Promise<Answer> => {
          let input: unknown;
          try {
            const data: unknown = await callProcedure({
              router: appRouter,
              path,
              ctx,
              type: 'query',
              getRawInput: async () => {
                input = inputs()[batchIndex];
                return input;
              },
              signal: undefined,
              batchIndex,
            });
            return { result: { data } };
          } catch (e) {
            const error = getTRPCErrorFromUnknown(e);
            errors[batchIndex] = error;
            callbacks.onError({ error, path, req });
            return { error: getErrorShape({ config, error, type: 'query', path, input, ctx }) };
          }
        }),
      );
      const json = calls.isBatch ? answers : answers[0]!;
      const failed = errors.filter((e): e is TRPCError => e !== undefined);
      const body = JSON.stringify(json);
      res.writeHead(getHTTPStatusCode(json as never, errors as TRPCError[]), {
        vary: 'trpc-accept, accept',
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...retryAfterHeaders(failed),
      });
      res.end(body);
    },
  };
}
