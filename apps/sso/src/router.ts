/**
 * `/sso` routes (issue 13, OIDC): a thin protocol layer over `@gatehouse/domain`'s SSO use cases.
 *
 * - `GET /sso/authorize?org=&connection=&redirect_uri=&state=`: the adopter sends the browser
 *   here (`org` alone: the org's enabled connection; `email=` alone: the org that verified the
 *   email's domain, I3). The redirect_uri must be exactly on the org's or the instance's allowlist, else an error
 *   page (never a redirect). The state Gatehouse sends the IdP is also set as a cookie, binding
 *   the callback to the browser that started.
 * - `GET /sso/test?ticket=`: a dry sign-in an admin started with `sso.testConnection`.
 * - `GET /sso/callback`: the IdP's answer. The cookie must match the state; the attempt is taken
 *   once; the code goes to the IdP with the PKCE verifier; the ID token is checked; then the
 *   domain provisions and the browser goes to the adopter's redirect_uri with a one-time `code`
 *   and its `state` (or `error=access_denied`).
 */
import { randomBytes } from 'node:crypto';
import {
  completeSsoSignIn,
  DomainError,
  type Services,
  type SsoAttempt,
  type SsoRedirect,
  ssoTestRedirect,
  startSsoSignIn,
  takeSsoAttempt,
  testSsoSignIn,
} from '@gatehouse/domain';
import express, { type Request, type Response } from 'express';
import { OidcClient } from './oidc.js';
import { errorPage, reportPage } from './pages.js';

/** Options of `createSsoHandler`. */
export interface SsoOptions {
  readonly services: Services;
  /** The server's public base URL; the IdP sends browsers to `<it>/sso/callback`. */
  readonly publicUrl: () => string;
  /** Allow `http:` issuers (`GATEHOUSE_SSO_ALLOW_HTTP=1`): tests and local development only. */
  readonly allowHttp?: boolean | undefined;
  /** The instance's redirect allowlist (`GATEHOUSE_SSO_REDIRECT_URIS`), beside each org's own. */
  readonly redirectUris?: readonly string[] | undefined;
  /** Unexpected errors, logged by the server with an id the page shows. */
  readonly onInternalError?: ((err: unknown, id: string) => void) | undefined;
}

/** The cookie holding the state of the browser's sign-in in progress. */
export const STATE_COOKIE = 'gatehouse_sso_state';

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return undefined;
}

/** The `/sso` router; mount it at `/sso`. */
export function createSsoHandler(options: SsoOptions): express.Router {
  const s = options.services;
  const base = () => options.publicUrl().replace(/\/+$/, '');
  const oidc = new OidcClient({
    allowHttp: options.allowHttp ?? false,
    callbackUrl: () => `${base()}/sso/callback`,
  });
  const secure = () => base().startsWith('https:');
  const setStateCookie = (res: Response, state: string) =>
    res.cookie(STATE_COOKIE, state, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secure(),
      path: '/sso',
      maxAge: 10 * 60 * 1000,
    });
  const internal = (res: Response, err: unknown) => {
    const id = `err_${randomBytes(6).toString('hex')}`;
    options.onInternalError?.(err, id);
    errorPage(res, 500, `Something went wrong (error id ${id}).`);
  };
  /** The IdP could not be reached, or its discovery document was refused: 502, logged. */
  const upstream = (res: Response, err: unknown) => {
    const id = `err_${randomBytes(6).toString('hex')}`;
    options.onInternalError?.(err, id);
    errorPage(res, 502, `The identity provider could not be reached (error id ${id}).`);
  };
  /** Domain errors before any redirect is known: a page, never a redirect. */
  const refuse = (res: Response, e: unknown) => {
    if (!(e instanceof DomainError)) return internal(res, e);
    const status = { NOT_FOUND: 404, FORBIDDEN: 403, UNAUTHENTICATED: 401 }[e.code as string];
    errorPage(res, status ?? 400, e.message);
  };
  /** Starts an attempt (domain errors: a page) and sends the browser to the IdP (else 502). */
  const toIdp = async (res: Response, start: () => Promise<SsoRedirect>) => {
    let r: SsoRedirect;
    try {
      r = await start();
    } catch (e) {
      return refuse(res, e);
    }
    try {
      const url = await oidc.authorizationUrl(r);
      setStateCookie(res, r.state);
      res.set('Cache-Control', 'no-store').redirect(302, url.href);
    } catch (e) {
      upstream(res, e);
    }
  };

  const router = express.Router();
  router.get('/authorize', async (req, res) => {
    const q = req.query;
    const [org, connection, email] = [one(q.org), one(q.connection), one(q.email)];
    const redirectUri = one(q.redirect_uri);
    if (!redirectUri || !(org || email)) {
      return errorPage(
        res,
        400,
        'redirect_uri and one of org (with connection) or email are required.',
      );
    }
    await toIdp(res, () =>
      startSsoSignIn(s, {
        orgId: org,
        connectionId: connection,
        email,
        redirectUri,
        clientState: one(q.state),
        instanceRedirectUris: options.redirectUris ?? [],
      }),
    );
  });

  router.get('/test', async (req, res) => {
    const ticket = one(req.query.ticket);
    if (!ticket) return errorPage(res, 400, 'ticket is required.');
    await toIdp(res, () => ssoTestRedirect(s, ticket));
  });

  router.get('/callback', async (req, res) => {
    const state = one(req.query.state);
    const cookie = cookieOf(req, STATE_COOKIE);
    res.clearCookie(STATE_COOKIE, { path: '/sso' });
    if (!state) return errorPage(res, 400, 'The identity provider sent no state.');
    if (!cookie || cookie !== state) {
      return errorPage(res, 400, 'This sign-in was not started in this browser (state mismatch).');
    }
    let attempt: SsoAttempt;
    try {
      attempt = await takeSsoAttempt(s, state);
    } catch (e) {
      return refuse(res, e);
    }
    const query = new URL(req.originalUrl, 'http://x').search;
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    try {
      const claims = await oidc.callback(attempt, query);
      if (attempt.mode === 'test') {
        return reportPage(res, await testSsoSignIn(s, { attempt, claims }), wantsJson);
      }
      const done = await completeSsoSignIn(s, { attempt, claims });
      const to = new URL(done.redirectUri);
      to.searchParams.set('code', done.code);
      if (done.clientState !== null) to.searchParams.set('state', done.clientState);
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
      res.redirect(302, to.href);
    } catch (e) {
      const message = e instanceof DomainError ? e.message : protocolMessage(e);
      if (!(e instanceof DomainError) && !isProtocolError(e)) {
        options.onInternalError?.(e, 'sso-callback');
      }
      if (attempt.mode === 'test') {
        return reportPage(
          res,
          { connectionId: attempt.provider.connectionId, error: message },
          wantsJson,
        );
      }
      // The redirect_uri was allowlisted when the attempt started: the adopter hears of it.
      const to = new URL(attempt.redirectUri);
      to.searchParams.set('error', 'access_denied');
      to.searchParams.set('error_description', message.slice(0, 300));
      if (attempt.clientState !== null) to.searchParams.set('state', attempt.clientState);
      res.set('Cache-Control', 'no-store').redirect(302, to.href);
    }
  });
  return router;
}

/** What an adopter is told when the IdP's answer failed a check (which claim, when known). */
function protocolMessage(e: unknown): string {
  // openid-client wraps oauth4webapi's error, whose message and `cause.claim` say what failed.
  const inner = (e as { cause?: unknown }).cause;
  const detail = inner instanceof Error ? inner : (e as Error);
  const facts = (detail as { cause?: { claim?: unknown; error?: unknown } }).cause;
  const claim = typeof facts?.claim === 'string' ? ` (claim "${facts.claim}")` : '';
  const idpError = typeof facts?.error === 'string' ? ` (${facts.error})` : '';
  return `the identity provider's answer was refused: ${detail.message}${claim}${idpError}`;
}

/** Errors openid-client (oauth4webapi) raises for a bad answer, as opposed to a bug of ours. */
function isProtocolError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('OAUTH_') || code.startsWith('ERR_JWT'));
}
