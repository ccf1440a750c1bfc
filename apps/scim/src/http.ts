/**
 * The SCIM edge's middleware: bearer authentication with `WWW-Authenticate` and a credential
 * throttle (before any body is read), then a JSON body parser whose failures are SCIM errors
 * (size and nesting capped) and a guard against values PostgreSQL cannot store.
 */
import { randomUUID } from 'node:crypto';
import { authenticateScimToken, DomainError, type Services } from '@gatehouse/domain';
import {
  bearerOf,
  type CredentialThrottle,
  hasBody,
  keyPrefixOf,
  parseJsonText,
  readBody,
} from '@gatehouse/edge';
import type { NextFunction, Request, Response } from 'express';
import type { ScimContext } from './context.js';
import { AUTH_CHALLENGE, scimError, sendError } from './errors.js';

/** Limits of SCIM request bodies. */
export interface BodyLimits {
  /** Most bytes (`GATEHOUSE_SCIM_MAX_BODY`); larger bodies are 413. */
  readonly maxBytes: number;
  /** Deepest nesting of arrays and objects, checked before parsing. */
  readonly maxDepth: number;
}

/**
 * RFC 7644 §3.1: bodies are JSON. Read within `limits.maxBytes` (413 past it), nesting checked
 * on the text before parsing, malformed JSON a 400 `invalidSyntax`, and no string PostgreSQL
 * cannot store. Mounted after authentication, so an unauthenticated request is never parsed.
 */
export function parseBody(limits: BodyLimits) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      if (hasBody(req) && !req.readableEnded) {
        const text = (await readBody(req, limits.maxBytes)).toString('utf8');
        req.body = text.trim() === '' ? undefined : parseJsonText(text, limits.maxDepth);
      }
      checkStorable(req.body);
    } catch (e) {
      sendError(res, e);
      return;
    }
    next();
  };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Refuses strings PostgreSQL cannot store (NUL, lone surrogates) and absurd nesting, so bad
 * input is a 400 and never a database error. Iterative: deep input cannot overflow the stack.
 */
export function checkStorable(body: unknown): void {
  const stack: Array<[unknown, number]> = [[body, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > 32) throw scimError(400, 'invalidValue', 'the request body nests too deeply');
    if (typeof v === 'string') {
      if (v.includes('\u0000') || LONE_SURROGATE.test(v)) {
        throw scimError(400, 'invalidValue', 'a string holds a NUL or an unpaired surrogate');
      }
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        stack.push([k, depth + 1]);
        stack.push([x, depth + 1]);
      }
    }
  }
}

/** Options of the authentication middleware. */
export interface AuthOptions {
  readonly services: Services;
  /** Overrides the base URL of `meta.location` (default: from the request's host). */
  readonly publicUrl?: string | undefined;
  readonly onInternalError: (error: unknown, id: string) => void;
  /** Counts failed tokens per client address and token prefix; none: no throttle. */
  readonly throttle?: CredentialThrottle | undefined;
}

/**
 * `Authorization: Bearer <SCIM token>` (RFC 6750): resolves the org; 401 with
 * `WWW-Authenticate: Bearer realm="gatehouse-scim"` otherwise. Runs before the body is read.
 * With a throttle, a client address or token prefix with too many refused tokens gets 429 and
 * `Retry-After` before its token is checked, and each refused token is counted.
 */
export function authenticate(options: AuthOptions) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = bearerOf(req.headers.authorization);
    if (!token) {
      res.setHeader('WWW-Authenticate', AUTH_CHALLENGE);
      sendError(res, scimError(401, null, 'send "Authorization: Bearer <SCIM token>"'));
      return;
    }
    const source = {
      address: req.ip ?? req.socket.remoteAddress,
      keyPrefix: keyPrefixOf(token),
    };
    const refusal = options.throttle?.check(source);
    if (refusal) {
      res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
      sendError(res, scimError(429, null, refusal.message));
      return;
    }
    let who: { orgId: string; tokenId: string };
    try {
      who = await authenticateScimToken(options.services, token);
    } catch (e) {
      if (e instanceof DomainError) {
        options.throttle?.fail(source);
        res.setHeader('WWW-Authenticate', `${AUTH_CHALLENGE}, error="invalid_token"`);
        sendError(res, scimError(401, null, e.message));
      } else {
        const id = sendError(res, e);
        if (id) options.onInternalError(e, id);
      }
      return;
    }
    const rid = req.headers['x-request-id'];
    const requestId = (typeof rid === 'string' && rid ? rid : `req_${randomUUID()}`).slice(0, 200);
    const origin = options.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host')}`;
    const ifMatch = req.headers['if-match'];
    const ctx: ScimContext = {
      services: options.services,
      orgId: who.orgId,
      tokenId: who.tokenId,
      caller: {
        principal: { kind: 'scim', orgId: who.orgId, tokenId: who.tokenId },
        source: 'scim',
        requestId,
      },
      base: `${origin}${req.baseUrl}`,
      query: { ...(req.query as Record<string, unknown>) },
      ifMatch: typeof ifMatch === 'string' ? ifMatch : undefined,
      res,
      onInternalError: options.onInternalError,
    };
    res.locals.scim = ctx;
    next();
  };
}
