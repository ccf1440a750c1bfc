/**
 * Express middleware around scimmy-routers on Express 5: the query fix-up (TOOLCHAIN P17),
 * a JSON body parser whose failures are SCIM errors, a guard against values PostgreSQL cannot
 * store, bearer authentication with `WWW-Authenticate`, and the response fix-ups SCIMMY lacks
 * (`Location`, `ETag` from `meta.version`, `If-None-Match`, attribute projection).
 */
import { randomUUID } from 'node:crypto';
import { authenticateScimToken, DomainError, type Services } from '@gatehouse/domain';
import {
  bearerOf,
  type CredentialThrottle,
  hasBody,
  internalErrorMessage,
  keyPrefixOf,
  newErrorId,
  parseJsonText,
  readBody,
} from '@gatehouse/edge';
import type { NextFunction, Request, Response } from 'express';
import { contextOf, queryProjection, type ScimContext } from './context.js';
import { AUTH_CHALLENGE, ERROR_URN, scimError, sendError, writeJson } from './errors.js';
import { project } from './projection.js';
import { schemas } from './schema.js';

/** Query parameters served by Gatehouse itself, hidden from SCIMMY's parsers. */
const OWN_PARAMS = ['filter', 'attributes', 'excludedAttributes'];

/**
 * P17: Express 5 re-parses `req.query` on each access, so scimmy-routers' number casts are lost.
 * Gives the request a fixed plain copy, keeps the original for Gatehouse's handlers, and hides
 * the parameters SCIMMY would mis-handle (its filter parser, its URN-blind projection).
 */
export function fixQuery(req: Request, res: Response, next: NextFunction): void {
  const original: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
  const q: Record<string, unknown> = { ...original };
  for (const k of ['startIndex', 'count']) {
    const v = q[k];
    if (typeof v === 'string' && v !== '' && !Number.isNaN(+v)) q[k] = +v;
  }
  for (const k of Object.keys(q)) if (OWN_PARAMS.includes(k)) delete q[k];
  Object.defineProperty(req, 'query', {
    value: q,
    writable: true,
    configurable: true,
    enumerable: true,
  });
  res.locals.scimQuery = original;
  next();
}

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
      query: (res.locals.scimQuery as Record<string, unknown>) ?? {},
      ifMatch: typeof ifMatch === 'string' ? ifMatch : undefined,
      res,
      onInternalError: options.onInternalError,
    };
    res.locals.scim = ctx;
    next();
  };
}

const ENDPOINTS: Record<string, string> = { User: '/Users', Group: '/Groups' };

/**
 * Fixes what scimmy-routers sends for single resources: `meta.location` from this request's
 * base URL, `ETag` = `meta.version`, `Location` on 201, `304` for a matching `If-None-Match`,
 * the `attributes`/`excludedAttributes` projection, and `WWW-Authenticate` on a 401.
 */
export function fixResponses(req: Request, res: Response, next: NextFunction): void {
  const send = (body: unknown) => {
    writeJson(res, res.statusCode, body);
    return res;
  };
  res.json = (body: unknown) => {
    if (!body || typeof body !== 'object') return send(body);
    let out = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    const schemasOf = Array.isArray(out.schemas) ? (out.schemas as string[]) : [];
    if (schemasOf.includes(ERROR_URN)) {
      if (res.statusCode === 401 && !res.getHeader('WWW-Authenticate')) {
        res.setHeader('WWW-Authenticate', AUTH_CHALLENGE);
      }
      const detail = typeof out.detail === 'string' ? out.detail : '';
      if (
        res.statusCode >= 500 &&
        res.statusCode !== 501 &&
        !detail.startsWith('internal error (id ')
      ) {
        // SCIMMY answered a 5xx with its own text: the caller gets an id, the log the detail.
        const id = newErrorId();
        res.locals.scimErrorId = id;
        out.detail = internalErrorMessage(id);
      }
      return send(out);
    }
    const meta = out.meta as Record<string, unknown> | undefined;
    const type = typeof meta?.resourceType === 'string' ? meta.resourceType : '';
    if (meta && typeof out.id === 'string' && ENDPOINTS[type] && res.locals.scim) {
      const ctx = contextOf(res);
      meta.location = `${ctx.base}${ENDPOINTS[type]}/${out.id}`;
      if (typeof meta.version === 'string') res.setHeader('ETag', meta.version);
      if (res.statusCode === 201) res.setHeader('Location', meta.location as string);
      const inm = req.headers['if-none-match'];
      if (req.method === 'GET' && typeof inm === 'string' && meta.version) {
        const tags = inm.split(',').map((t) => t.trim());
        if (tags.includes('*') || tags.includes(meta.version as string)) {
          res.status(304).end();
          return res;
        }
      }
      const schema = type === 'User' ? schemas().User : schemas().Group;
      out = project(schema, out, queryProjection(ctx));
    }
    return send(out);
  };
  next();
}
