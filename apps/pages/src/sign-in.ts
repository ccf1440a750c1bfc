/**
 * Sign in (issue 14 "Pages people land on"): the address first; an address whose domain the org
 * verified goes to the org's SSO (`/sso/authorize`, back to `/sign-in/sso`), everyone else gives
 * a password. An account with an authenticator app is then asked for its code (or a recovery
 * code) at `/sign-in/mfa`, the second step's token waiting in an httpOnly cookie for 5 minutes.
 * The session lands in an httpOnly cookie and the browser goes to `/account`. `POST /sign-out`
 * ends it.
 */
import { randomBytes } from 'node:crypto';
import {
  completeMfaLogin,
  DomainError,
  exchangeSsoCode,
  login,
  logout,
  normalizeEmail,
  signInOptions,
} from '@gatehouse/domain';
import express, { type Request, type Response, type Router } from 'express';
import {
  clearCookie,
  cookieOf,
  MFA_COOKIE,
  SESSION_COOKIE,
  SSO_STATE_COOKIE,
  setCookie,
} from './cookies.js';
import { alertBox, button, field, form, html, noteBox, raw } from './html.js';
import { one, type PageKit } from './kit.js';

const ORG_ID = /^org_[A-Za-z0-9_-]{1,100}$/;

/** What the sign-in form shows. */
interface SignInState {
  readonly step: 'email' | 'password';
  readonly email?: string | undefined;
  readonly org?: string | undefined;
  /** The org id came from the link: not asked for. */
  readonly orgFixed?: boolean | undefined;
  readonly error?: string | null | undefined;
  readonly note?: string | null | undefined;
  /** The org has an SSO connection: offer it beside the password. */
  readonly ssoOffered?: boolean | undefined;
}

/** The session cookie for a new session, until the session expires. */
export function setSessionCookie(
  kit: PageKit,
  res: Response,
  session: { token: string; expiresAt: string },
): void {
  const ms = Math.max(0, new Date(session.expiresAt).getTime() - Date.now());
  setCookie(res, SESSION_COOKIE, session.token, kit.secure(), ms);
}

/** The sign-in routes. */
export function signInRoutes(kit: PageKit): Router {
  const router = express.Router();
  const body = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  const show = (req: Request, res: Response, st: SignInState, status = 200) => {
    const csrf = kit.csrf(req, res);
    const orgField =
      st.orgFixed || st.step === 'password'
        ? raw('')
        : field({
            name: 'org',
            label: 'Organization ID (optional)',
            value: st.org,
            required: false,
            hint: 'The org_… id from your invitation or administrator. Leave it empty if your company signs you in with its identity provider.',
          });
    const fields =
      st.step === 'email'
        ? html`${field({ name: 'email', label: 'Email', type: 'email', value: st.email, autocomplete: 'username', autofocus: true })}${orgField}${button('Continue')}`
        : html`<p>Signing in as <strong>${st.email}</strong>. <a href="/sign-in${st.org ? `?org=${encodeURIComponent(st.org)}` : ''}">Not you?</a></p>${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', autofocus: true })}${button('Sign in')}<p><a href="/password/forgot">Forgot your password?</a></p>`;
    const sso = st.ssoOffered
      ? form(
          '/sign-in',
          csrf,
          html`${button('Sign in with single sign-on instead', 'secondary')}`,
          { step: 'sso', email: st.email, org: st.org },
        )
      : raw('');
    kit.render(
      res,
      'Sign in',
      html`${alertBox(st.error)}${noteBox(st.note)}${form('/sign-in', csrf, fields, {
        step: st.step,
        org: st.step === 'password' || st.orgFixed ? st.org : undefined,
        email: st.step === 'password' ? st.email : undefined,
        fixed: st.orgFixed ? '1' : undefined,
      })}${sso}`,
      status,
    );
  };

  /** Sends the browser to the org's IdP, remembering the state in a cookie. */
  const toSso = (res: Response, orgId: string) => {
    const state = randomBytes(18).toString('base64url');
    setCookie(res, SSO_STATE_COOKIE, `${state}.${orgId}`, kit.secure(), 10 * 60 * 1000);
    const to = new URL('/sso/authorize', kit.base());
    to.searchParams.set('org', orgId);
    to.searchParams.set('redirect_uri', `${kit.base()}/sign-in/sso`);
    to.searchParams.set('state', state);
    res.set('Cache-Control', 'no-store').redirect(303, to.href);
  };

  router.get('/sign-in', async (req, res) => {
    try {
      const org = one(req.query.org, 120);
      const orgFixed = org !== undefined && ORG_ID.test(org);
      const signed = await kit.signedIn(req);
      const note = signed
        ? `You are signed in as ${signed.session.email}; signing in again replaces that session.`
        : null;
      show(req, res, {
        step: 'email',
        email: one(req.query.email, 320),
        org: orgFixed ? org : undefined,
        orgFixed,
        note,
      });
    } catch (e) {
      kit.internal(res, e);
    }
  });

  router.post('/sign-in', body, async (req, res) => {
    if (!kit.checkCsrf(req, res)) return;
    const b = req.body as Record<string, unknown>;
    const step = one(b.step, 20);
    const rawEmail = (one(b.email, 320) ?? '').trim();
    const orgIn = (one(b.org, 120) ?? '').trim() || undefined;
    const orgFixed = one(b.fixed, 2) === '1';
    try {
      let email: string;
      try {
        email = normalizeEmail(rawEmail).email;
      } catch {
        return show(
          req,
          res,
          {
            step: 'email',
            email: rawEmail,
            org: orgIn,
            orgFixed,
            error: 'Enter your email address, like ana@example.com.',
          },
          400,
        );
      }
      if (orgIn !== undefined && !ORG_ID.test(orgIn)) {
        return show(
          req,
          res,
          {
            step: 'email',
            email,
            orgFixed: false,
            error: 'An organization ID starts with org_; check it, or leave the field empty.',
          },
          400,
        );
      }
      const options = await signInOptions(kit.s.db, { email, orgId: orgIn });
      if (!options.orgId) {
        return show(
          req,
          res,
          {
            step: 'email',
            email,
            error:
              'No organization signs in people of this address by single sign-on. Enter the organization ID from your invitation or administrator.',
          },
          400,
        );
      }
      const orgId = options.orgId;
      if (step === 'sso' && options.connectionId) return toSso(res, orgId);
      if (step === 'email' || step === 'sso') {
        if (options.connectionId && options.domainVerified) return toSso(res, orgId);
        if (options.ssoRequired) {
          return show(
            req,
            res,
            {
              step: 'email',
              email,
              org: orgId,
              orgFixed,
              error: `${email.split('@')[1]} requires single sign-on, and this organization has no single sign-on connection enabled; ask its administrator.`,
            },
            403,
          );
        }
        return show(req, res, {
          step: 'password',
          email,
          org: orgId,
          orgFixed,
          ssoOffered: options.connectionId !== null,
        });
      }
      const password = one(b.password, 1000) ?? '';
      try {
        const { result } = await login(
          kit.s,
          { email, password, orgId, userAgent: req.get('user-agent')?.slice(0, 300), ip: req.ip },
          { source: 'console' },
        );
        if (result.mfaRequired) {
          const ms = Math.max(0, new Date(result.expiresAt).getTime() - Date.now());
          setCookie(res, MFA_COOKIE, result.mfaToken, kit.secure(), ms);
          return res.redirect(303, '/sign-in/mfa');
        }
        setSessionCookie(kit, res, { token: result.token, expiresAt: result.session.expiresAt });
        res.redirect(303, '/account');
      } catch (e) {
        const message = kit.failure(res, e);
        if (message === null) return;
        const status = e instanceof DomainError && e.code === 'FORBIDDEN' ? 403 : 401;
        show(
          req,
          res,
          {
            step: 'password',
            email,
            org: orgId,
            orgFixed,
            error: message,
            ssoOffered: options.connectionId !== null,
          },
          status,
        );
      }
    } catch (e) {
      kit.internal(res, e);
    }
  });

  /** The second step's form: the app's code, or (`?recovery=1`) a recovery code. */
  const showMfa = (
    req: Request,
    res: Response,
    recovery: boolean,
    error?: string,
    status = 200,
  ) => {
    const csrf = kit.csrf(req, res);
    const input = recovery
      ? field({
          name: 'recoveryCode',
          label: 'Recovery code',
          autocomplete: 'off',
          hint: 'One of the ten codes you saved when you set up the app, like abcd-efgh-jkmn-pqrs. Each works once.',
          autofocus: true,
        })
      : field({
          name: 'code',
          label: 'Authentication code',
          autocomplete: 'one-time-code',
          inputmode: 'numeric',
          hint: 'The 6-digit code your authenticator app shows for Gatehouse.',
          autofocus: true,
        });
    const other = recovery
      ? html`<p><a href="/sign-in/mfa">Use the code from your app instead</a></p>`
      : html`<p><a href="/sign-in/mfa?recovery=1">Use a recovery code instead</a></p>`;
    kit.render(
      res,
      'Two-step verification',
      html`${alertBox(error)}<p>Your password was right. Now confirm it is you with your authenticator app.</p>${form(
        '/sign-in/mfa',
        csrf,
        html`${input}${button('Verify')}`,
        { recovery: recovery ? '1' : undefined },
      )}${other}<p><a href="/sign-in">Start over</a></p>`,
      status,
    );
  };

  router.get('/sign-in/mfa', (req, res) => {
    if (!cookieOf(req, MFA_COOKIE)) return res.redirect(303, '/sign-in');
    showMfa(req, res, one(req.query.recovery, 2) === '1');
  });

  router.post('/sign-in/mfa', body, async (req, res) => {
    if (!kit.checkCsrf(req, res)) return;
    const b = req.body as Record<string, unknown>;
    const recovery = one(b.recovery, 2) === '1';
    const mfaToken = cookieOf(req, MFA_COOKIE) ?? '';
    const typed = (one(recovery ? b.recoveryCode : b.code, 100) ?? '').trim();
    if (!typed) {
      return showMfa(
        req,
        res,
        recovery,
        recovery ? 'Enter a recovery code.' : 'Enter the 6-digit code from your app.',
        400,
      );
    }
    try {
      const { result } = await completeMfaLogin(
        kit.s,
        {
          mfaToken,
          ...(recovery ? { recoveryCode: typed } : { code: typed }),
          userAgent: req.get('user-agent')?.slice(0, 300),
          ip: req.ip,
        },
        { source: 'console' },
      );
      clearCookie(res, MFA_COOKIE, kit.secure());
      setSessionCookie(kit, res, { token: result.token, expiresAt: result.session.expiresAt });
      res.redirect(303, '/account');
    } catch (e) {
      const message = kit.failure(res, e);
      if (message === null) return;
      const status =
        e instanceof DomainError && e.code === 'TOO_MANY_REQUESTS'
          ? 429
          : e instanceof DomainError && e.code === 'INVALID'
            ? 400
            : 401;
      showMfa(req, res, recovery, message, status);
    }
  });

  // Back from the IdP through /sso: the one-time code is exchanged here, as the system.
  router.get('/sign-in/sso', async (req, res) => {
    const cookie = cookieOf(req, SSO_STATE_COOKIE) ?? '';
    clearCookie(res, SSO_STATE_COOKIE, kit.secure());
    const dot = cookie.indexOf('.');
    const [state, orgId] = dot > 0 ? [cookie.slice(0, dot), cookie.slice(dot + 1)] : ['', ''];
    const retry = html`<p><a href="/sign-in${ORG_ID.test(orgId) ? `?org=${encodeURIComponent(orgId)}` : ''}">Sign in again</a></p>`;
    if (!state || one(req.query.state, 200) !== state || !ORG_ID.test(orgId)) {
      return kit.render(
        res,
        'Sign-in failed',
        html`${alertBox('This sign-in was not started in this browser, or took too long.')}${retry}`,
        400,
      );
    }
    const error = one(req.query.error, 100);
    if (error) {
      const why = one(req.query.error_description, 500) ?? error;
      return kit.render(res, 'Sign-in failed', html`${alertBox(why)}${retry}`, 403);
    }
    const code = one(req.query.code, 300);
    if (!code) {
      return kit.render(
        res,
        'Sign-in failed',
        html`${alertBox('The sign-in sent no code.')}${retry}`,
        400,
      );
    }
    try {
      const { result } = await exchangeSsoCode(
        { services: kit.s, caller: { principal: { kind: 'system' }, source: 'console' }, orgId },
        { code, userAgent: req.get('user-agent')?.slice(0, 300), ip: req.ip },
      );
      setSessionCookie(kit, res, {
        token: result.session.token,
        expiresAt: result.session.session.expiresAt,
      });
      res.redirect(303, '/account');
    } catch (e) {
      const message = kit.failure(res, e);
      if (message !== null)
        kit.render(res, 'Sign-in failed', html`${alertBox(message)}${retry}`, 403);
    }
  });

  router.post('/sign-out', body, async (req, res) => {
    if (!kit.checkCsrf(req, res)) return;
    try {
      const signed = await kit.signedIn(req);
      if (signed) await logout(signed.call);
      clearCookie(res, SESSION_COOKIE, kit.secure());
      kit.render(
        res,
        'Signed out',
        html`${noteBox('You are signed out.')}<p><a href="/sign-in${signed ? `?org=${encodeURIComponent(signed.principal.orgId)}` : ''}">Sign in again</a></p>`,
      );
    } catch (e) {
      kit.internal(res, e);
    }
  });

  return router;
}
