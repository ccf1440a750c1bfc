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
 * - SAML 2.0 connections start at the same `/sso/authorize` (an AuthnRequest over the
 *   HTTP-Redirect binding, RelayState = the attempt's state); `POST /sso/saml/:id/acs` takes the
 *   IdP's Response (HTTP-POST binding) and ends like the OIDC callback (`finish`);
 *   `GET /sso/saml/:id/metadata` publishes Gatehouse's SP metadata for that connection.
 * - Every answer refused at the callback or the ACS (a bad signature, a wrong audience, a replay,
 *   a deactivated member, a state from another browser, …) is audited as `SignInRefused` on the
 *   connection's org, at most 20 per connection per minute (`recordSsoRefusal`).
 */
import { randomBytes } from 'node:crypto';
import {
  completeSsoSignIn,
  consumeSamlAssertion,
  DomainError,
  idpFetchOf,
  nonPublicAddressIn,
  recordSsoRefusal,
  type Services,
  type SsoAttempt,
  type SsoRedirect,
  type SsoRefusalInput,
  samlAttemptFor,
  samlServiceProvider,
  ssoTestRedirect,
  startSsoSignIn,
  takeSsoAttempt,
  testSsoSignIn,
} from '@gatehouse/domain';
import express, { type Request, type Response } from 'express';
import { OidcClient } from './oidc.js';
import { errorPage, reportPage } from './pages.js';
import { SamlRefusedError, samlAuthorizeUrl, samlMetadata, samlValidate } from './saml.js';

/** The largest SAML Response body accepted at the ACS. */
const ACS_BODY_LIMIT = '512kb';

/** Options of `createSsoHandler`. */
export interface SsoOptions {
  readonly services: Services;
  /** The server's public base URL; the IdP sends browsers to `<it>/sso/callback`. */
  readonly publicUrl: () => string;
  /** Allow `http:` issuers (`GATEHOUSE_SSO_ALLOW_HTTP=1`): tests and local development only. */
  readonly allowHttp?: boolean | undefined;
  /** The instance's redirect allowlist (`GATEHOUSE_SSO_REDIRECT_URIS`), beside each org's own. */
  readonly redirectUris?: readonly string[] | (() => readonly string[]) | undefined;
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

/** What people signing in are told of an IdP address the SSRF guard refused. */
const NOT_ALLOWED = 'its address is not one this server may connect to';

/** The `/sso` router; mount it at `/sso`. */
export function createSsoHandler(options: SsoOptions): express.Router {
  const s = options.services;
  const base = () => options.publicUrl().replace(/\/+$/, '');
  const oidc = new OidcClient({
    allowHttp: options.allowHttp ?? false,
    callbackUrl: () => `${base()}/sso/callback`,
    // Public addresses only, unless the deployment allows private networks.
    fetch: idpFetchOf(s),
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
  /**
   * The IdP could not be reached, or its discovery document was refused: 502, logged. An IdP
   * address the SSRF guard refused (not public, and private networks not allowed) is said so;
   * the address and the setting are named only to an admin's dry run (`detailed`), never to the
   * people signing in (the log, under the error id, has them).
   */
  const upstream = (res: Response, err: unknown, detailed: boolean) => {
    const id = `err_${randomBytes(6).toString('hex')}`;
    options.onInternalError?.(err, id);
    const refused = nonPublicAddressIn(err);
    const why = refused ? `: ${detailed ? refused.message : NOT_ALLOWED}` : '';
    errorPage(res, 502, `The identity provider could not be reached${why} (error id ${id}).`);
  };
  /** Audits a refused answer (never fails the response: a failure to audit is logged). */
  const audit = (input: SsoRefusalInput) =>
    recordSsoRefusal(s, input).catch((err: unknown) =>
      options.onInternalError?.(err, `sso-refusal-audit-${randomBytes(6).toString('hex')}`),
    );
  /** Domain errors before any redirect is known: a page, never a redirect. */
  const refuse = (res: Response, e: unknown) => {
    if (!(e instanceof DomainError)) return internal(res, e);
    const status = { NOT_FOUND: 404, FORBIDDEN: 403, UNAUTHENTICATED: 401 }[e.code as string];
    errorPage(res, status ?? 400, e.message);
  };
  /**
   * Starts an attempt (domain errors: a page) and sends the browser to the IdP (else 502,
   * `detailed` for an admin's dry run).
   */
  const toIdp = async (res: Response, start: () => Promise<SsoRedirect>, detailed = false) => {
    let r: SsoRedirect;
    try {
      r = await start();
    } catch (e) {
      return refuse(res, e);
    }
    try {
      // SAML: the ACS is a cross-site POST, which a SameSite=Lax cookie does not reach; the
      // RelayState and InResponseTo bind the answer to the attempt instead.
      const url =
        r.provider.protocol === 'saml'
          ? await samlAuthorizeUrl(r, { allowHttp: options.allowHttp ?? false })
          : await oidc.authorizationUrl(r);
      if (r.provider.protocol === 'oidc') setStateCookie(res, r.state);
      res.set('Cache-Control', 'no-store').redirect(302, url.href);
    } catch (e) {
      upstream(res, e, detailed);
    }
  };

  const instanceUris = () =>
    typeof options.redirectUris === 'function'
      ? options.redirectUris()
      : (options.redirectUris ?? []);
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
        instanceRedirectUris: instanceUris(),
      }),
    );
  });

  router.get('/test', async (req, res) => {
    const ticket = one(req.query.ticket);
    if (!ticket) return errorPage(res, 400, 'ticket is required.');
    await toIdp(res, () => ssoTestRedirect(s, ticket), true);
  });

  router.get('/callback', async (req, res) => {
    const state = one(req.query.state);
    const cookie = cookieOf(req, STATE_COOKIE);
    res.clearCookie(STATE_COOKIE, { path: '/sso' });
    if (!state) return errorPage(res, 400, 'The identity provider sent no state.');
    if (!cookie || cookie !== state) {
      await audit({
        state,
        reason: 'the answer came to a browser that did not start this sign-in (state mismatch)',
        code: 'state_mismatch',
      });
      return errorPage(res, 400, 'This sign-in was not started in this browser (state mismatch).');
    }
    let attempt: SsoAttempt;
    try {
      attempt = await takeSsoAttempt(s, state);
    } catch (e) {
      await audit({ state, reason: (e as Error).message, code: refusalCode(e) });
      return refuse(res, e);
    }
    const query = new URL(req.originalUrl, 'http://x').search;
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    await finish(res, attempt, wantsJson, () => oidc.callback(attempt, query));
  });

  /**
   * After the protocol checked the IdP's answer (`verify` gives the claims, or throws): the
   * dry run's report, or just-in-time provisioning and the browser back to the adopter with a
   * one-time code; any failure goes back to the adopter as `error=access_denied`. Shared by
   * the OIDC callback and the SAML ACS.
   */
  async function finish(
    res: Response,
    attempt: SsoAttempt,
    wantsJson: boolean,
    verify: () => Promise<Record<string, unknown>>,
  ) {
    try {
      const claims = await verify();
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
      const refused = nonPublicAddressIn(e);
      // The audit and an admin's dry run name a refused address; the adopter's redirect does not.
      const unreachable = (why: string) => `the identity provider could not be reached: ${why}`;
      const message =
        e instanceof DomainError
          ? e.message
          : e instanceof SamlRefusedError
            ? `the identity provider's answer was refused: ${e.message}`
            : refused
              ? unreachable(refused.message)
              : protocolMessage(e);
      const told = refused ? unreachable(NOT_ALLOWED) : message;
      if (!(e instanceof DomainError || e instanceof SamlRefusedError) && !isProtocolError(e)) {
        options.onInternalError?.(e, 'sso-callback');
      }
      if (attempt.mode === 'sign_in') {
        await audit({
          connectionId: attempt.provider.connectionId,
          reason: message,
          code: refusalCode(e),
        });
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
      to.searchParams.set('error_description', told.slice(0, 300));
      if (attempt.clientState !== null) to.searchParams.set('state', attempt.clientState);
      res.set('Cache-Control', 'no-store').redirect(302, to.href);
    }
  }

  router.get('/saml/:connectionId/metadata', async (req, res) => {
    try {
      const p = await samlServiceProvider(s, { connectionId: req.params.connectionId });
      res
        .set('Cache-Control', 'no-store')
        .type('application/samlmetadata+xml')
        .send(samlMetadata(p));
    } catch (e) {
      refuse(res, e);
    }
  });

  router.post(
    '/saml/:connectionId/acs',
    express.urlencoded({ extended: false, limit: ACS_BODY_LIMIT, parameterLimit: 10 }),
    async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const samlResponse = one(body.SAMLResponse);
      const relayState = one(body.RelayState);
      if (!samlResponse) return errorPage(res, 400, 'The identity provider sent no SAMLResponse.');
      if (relayState !== undefined && relayState.length > 2000) {
        return errorPage(res, 400, 'RelayState is too long.');
      }
      let found: Awaited<ReturnType<typeof samlAttemptFor>>;
      try {
        found = await samlAttemptFor(s, {
          connectionId: req.params.connectionId,
          relayState,
          instanceRedirectUris: instanceUris(),
        });
      } catch (e) {
        await audit({
          connectionId: req.params.connectionId,
          reason: (e as Error).message,
          code: refusalCode(e),
        });
        return refuse(res, e);
      }
      const { attempt } = found;
      const wantsJson = (req.headers.accept ?? '').includes('application/json');
      await finish(res, attempt, wantsJson, async () => {
        const answer = await samlValidate(attempt, { SAMLResponse: samlResponse });
        if (attempt.provider.protocol === 'saml') {
          await consumeSamlAssertion(s, {
            provider: attempt.provider,
            assertionId: answer.assertionId,
            notOnOrAfter: answer.notOnOrAfter,
          });
        }
        return answer.claims;
      });
    },
  );
  // A body too large or malformed for the ACS: a page, never a 500.
  router.use(
    (
      err: { status?: number; type?: string },
      _req: Request,
      res: Response,
      next: (e?: unknown) => void,
    ) => {
      if (res.headersSent) return next(err);
      const status =
        typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 400;
      errorPage(res, status, 'The request could not be read.');
    },
  );
  return router;
}

/** The short code a refusal is audited with: the domain's reason, or which check refused it. */
function refusalCode(e: unknown): string {
  if (e instanceof DomainError) {
    const reason = e.details?.reason;
    return typeof reason === 'string' && /^[a-z_]{1,50}$/.test(reason)
      ? reason
      : e.code.toLowerCase();
  }
  if (e instanceof SamlRefusedError) return 'saml_refused';
  if (nonPublicAddressIn(e)) return 'idp_address_not_public';
  return isProtocolError(e) ? 'oidc_refused' : 'error';
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
