/**
 * The edge in front of tRPC (`/trpc`): authenticate before parsing, then bound the body.
 *
 * 1. The calls are read from the URL (`/trpc/a.b,c.d?batch=1`), so no body is needed to know them.
 * 2. The credential throttle and the bearer credential are checked from the headers. A request
 *    that names only procedures needing a caller and has none is answered 401 unread; a request
 *    naming a public procedure (`health`, `sessions.login`, `sessions.completeMfaLogin`, `invitations.accept`, the password
 *    reset ones) goes on.
 * 3. The body (any method but GET/HEAD) must be `application/json`, at most `maxBodyBytes`, and
 *    nest at most `maxJsonDepth` deep; `?input=` of a GET likewise. The checked text is handed to
 *    tRPC as `req.body`, so tRPC never reads the socket itself.
 *
 * Errors leave in tRPC's shape (trpc-edge-errors.ts); unexpected ones as INTERNAL_SERVER_ERROR
 * with an opaque id that `onInternalError` logs with the detail.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CredentialThrottle,
  EdgeError,
  formatBytes,
  parseJsonText,
  readBody,
} from '@gatehouse/edge';
import { TRPCError } from '@trpc/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  authenticateAtEdge,
  clientAddress,
  type EdgeAuth,
  type EdgeAuthOptions,
} from './edge-auth.js';
import { errorIdOf } from './internal-errors.js';
import { sendTrpcError, type TrpcCalls } from './trpc-edge-errors.js';

/** Procedures anyone may call without a credential. */
export const PUBLIC_PROCEDURES: ReadonlySet<string> = new Set([
  'health',
  'sessions.login',
  'sessions.completeMfaLogin',
  'invitations.accept',
  'accounts.requestPasswordReset',
  'accounts.inspectPasswordReset',
  'accounts.resetPassword',
]);

/** Most calls in one batch. */
export const MAX_BATCH_SIZE = 100;

/** Options of the edge. */
export interface TrpcEdgeOptions extends EdgeAuthOptions {
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
  readonly onInternalError?:
    | ((error: unknown, path: string | undefined, id: string) => void)
    | undefined;
}

const NO_CREDENTIAL =
  'send "Authorization: Bearer <instance admin key, API client key or session token>"';

/**
 * The calls named by a URL relative to the API's mount (`/authz.check,members.list?batch=1`).
 */
export function callsOf(url: string): TrpcCalls {
  const q = url.indexOf('?');
  let path = (q < 0 ? url : url.slice(0, q)).replace(/^\/+/, '');
  try {
    path = decodeURIComponent(path);
  } catch {
    // tRPC reports the unknown procedure.
  }
  const isBatch = q >= 0 && new URLSearchParams(url.slice(q + 1)).get('batch') === '1';
  return { paths: isBatch ? path.split(',') : [path], isBatch };
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

const checkedAtEdge = new WeakMap<IncomingMessage, EdgeAuth>();
const parsedAtEdge = new WeakMap<IncomingMessage, unknown>();

/**
 * The request's input as the edge parsed it (the body, or a GET's `?input=`); undefined when
 * there was none. The lean read route reads it instead of parsing the text again.
 */
export function edgeInputOf(req: IncomingMessage): unknown {
  return parsedAtEdge.get(req);
}

/** What the edge hands on to tRPC's `createContext`. */
export function edgeAuthOf(req: IncomingMessage): EdgeAuth | undefined {
  return checkedAtEdge.get(req);
}

/** A request as the edge reads it: Express's, or node's own (the API front, front.ts). */
export type EdgeRequest = IncomingMessage & { ip?: string | undefined; body?: unknown };

/** The edge middleware (see the module comment). */
export function createTrpcEdge(options: TrpcEdgeOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    runEdge(options, req, res, callsOf(req.url)).then((pass) => pass && next(), next);
  };
}

/**
 * The edge's checks on one request: true when it may go on to the procedures, false when the
 * edge has answered it (an error in tRPC's shape).
 */
export async function runEdge(
  options: TrpcEdgeOptions,
  req: EdgeRequest,
  res: ServerResponse,
  calls: TrpcCalls,
): Promise<boolean> {
  const throttle: CredentialThrottle | undefined = options.throttle;
  try {
    if (calls.paths.length > MAX_BATCH_SIZE) {
      const message = `a batch holds at most ${MAX_BATCH_SIZE} calls`;
      // One error for the whole request: one per call would multiply a 16 KB URL's worth.
      const whole = { paths: [calls.paths.slice(0, 3).join(',')], isBatch: false };
      sendTrpcError(res, whole, new TRPCError({ code: 'BAD_REQUEST', message }));
      return false;
    }
    // Logins are credentials too: a locked-out address gets no password checked.
    const signIn = calls.paths.some(
      (p) => p === 'sessions.login' || p === 'sessions.completeMfaLogin',
    );
    if (throttle && !req.headers.authorization && signIn) {
      const refusal = throttle.check({ address: clientAddress(req) });
      if (refusal) return tooMany(res, calls, refusal.message, refusal.retryAfterSeconds);
    }
    const auth = await authenticateAtEdge(options, req);
    if (auth.refusal) {
      return tooMany(res, calls, auth.refusal.message, auth.refusal.retryAfterSeconds);
    }
    checkedAtEdge.set(req, auth);
    if (!auth.caller && calls.paths.every((p) => !PUBLIC_PROCEDURES.has(p))) {
      const message = auth.error ?? NO_CREDENTIAL;
      sendTrpcError(res, calls, new TRPCError({ code: 'UNAUTHORIZED', message }));
      return false;
    }
    const url = req.url ?? '';
    if (req.method === 'GET' || req.method === 'HEAD') {
      const input = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('input');
      if (url.includes('?') && input) {
        parsedAtEdge.set(req, parseJsonText(input, options.maxJsonDepth));
      }
    } else {
      if (!isJson(req.headers['content-type'])) {
        throw new EdgeError(
          415,
          'unsupported_media_type',
          'send JSON with "Content-Type: application/json"',
        );
      }
      const text = await bodyText(req, options.maxBodyBytes);
      if (text) parsedAtEdge.set(req, parseJsonText(text, options.maxJsonDepth));
      req.body = text;
    }
    return true;
  } catch (e) {
    if (e instanceof EdgeError) {
      const code =
        e.status === 413
          ? 'PAYLOAD_TOO_LARGE'
          : e.status === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : 'BAD_REQUEST';
      sendTrpcError(res, calls, new TRPCError({ code, message: e.message }));
      return false;
    }
    const error = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: e });
    options.onInternalError?.(e, calls.paths.join(','), errorIdOf(error));
    sendTrpcError(res, calls, error);
    return false;
  }
}

/**
 * The body as text: read here within the limit, or, when a body parser mounted before this one
 * already read it, what that parser made of it (re-serialized and held to the same limit).
 */
async function bodyText(req: EdgeRequest, limit: number): Promise<string> {
  const parsed = req.body;
  if (parsed === undefined && !req.readableEnded) {
    return (await readBody(req, limit)).toString('utf8');
  }
  const text = typeof parsed === 'string' ? parsed : (JSON.stringify(parsed) ?? '');
  if (Buffer.byteLength(text) > limit) {
    throw new EdgeError(413, 'too_large', `the request body is larger than ${formatBytes(limit)}`);
  }
  return text;
}

function tooMany(
  res: ServerResponse,
  calls: TrpcCalls,
  message: string,
  retryAfterSeconds: number,
): false {
  sendTrpcError(res, calls, new TRPCError({ code: 'TOO_MANY_REQUESTS', message }), {
    'retry-after': String(retryAfterSeconds),
  });
  return false;
}
