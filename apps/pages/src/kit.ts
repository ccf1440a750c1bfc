/**
 * What every page route shares: the public base URL and whether it is https, rendering, the
 * CSRF token, the signed-in session from its cookie, and the mapping of domain errors to a
 * message on the page (an unexpected error: a 500 page with an opaque id, logged).
 */
import { randomBytes } from 'node:crypto';
import {
  type AuthenticatedSession,
  authenticateSession,
  type Call,
  DomainError,
  type Services,
} from '@gatehouse/domain';
import type { Request, Response } from 'express';
import { cookieOf, SESSION_COOKIE } from './cookies.js';
import { csrfProblem, csrfToken } from './csrf.js';
import { alertBox, type Html, html, layout, PAGE_CSP } from './html.js';

/** How the pages are set up. */
export interface PagesOptions {
  readonly services: Services;
  /** The public base URL of this server (what emails link to), without a trailing slash. */
  readonly publicUrl: () => string;
  /** Called with an unexpected error and the id shown on the 500 page. */
  readonly onInternalError?: ((err: unknown, id: string) => void) | undefined;
}

/** A signed-in browser: its token, principal and session. */
export interface SignedIn extends AuthenticatedSession {
  readonly token: string;
  /** The call to make as the signed-in user. */
  readonly call: Call;
}

/** The shared tools of the page routes. */
export interface PageKit {
  readonly s: Services;
  readonly base: () => string;
  readonly secure: () => boolean;
  /** Sends a page with `status` (no caching: pages hold tokens and personal data). */
  render(res: Response, title: string, body: Html, status?: number): void;
  /** The browser's CSRF token (set as a cookie on first use). */
  csrf(req: Request, res: Response): string;
  /** True when a POST passes the CSRF check; otherwise a 403 page was sent. */
  checkCsrf(req: Request, res: Response): boolean;
  /** The session the browser's cookie holds, or null (none, ended or expired). */
  signedIn(req: Request): Promise<SignedIn | null>;
  /**
   * The session for a page that needs one, or null when it sent the browser elsewhere: to
   * `/sign-in` without one, to `/account/mfa` when the org requires MFA and the session must
   * enroll first (a restricted session reaches nothing else).
   */
  signedInFully(req: Request, res: Response): Promise<SignedIn | null>;
  /** A domain error's message for the page; anything else is a 500 page (returns null). */
  failure(res: Response, e: unknown): string | null;
  /** The 500 page with an opaque error id. */
  internal(res: Response, e: unknown): void;
}

/** Makes the kit. */
export function pageKit(o: PagesOptions): PageKit {
  const base = () => o.publicUrl().replace(/\/+$/, '');
  const secure = () => base().startsWith('https:');
  const render: PageKit['render'] = (res, title, body, status = 200) => {
    res
      .status(status)
      .set({
        'Cache-Control': 'no-store',
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': PAGE_CSP,
      })
      .send(layout(title, body));
  };
  const internal: PageKit['internal'] = (res, e) => {
    const id = `err_${randomBytes(6).toString('hex')}`;
    o.onInternalError?.(e, id);
    if (res.headersSent) return;
    render(
      res,
      'Something went wrong',
      html`<p>Something went wrong on our side (error id <code>${id}</code>). Try again in a moment.</p>`,
      500,
    );
  };
  return {
    s: o.services,
    base,
    secure,
    render,
    internal,
    csrf: (req, res) => csrfToken(req, res, secure()),
    checkCsrf(req, res) {
      const problem = csrfProblem(req, new URL(base()).origin);
      if (!problem) return true;
      render(res, 'Request refused', alertBox(`Refused: ${problem}.`), 403);
      return false;
    },
    async signedIn(req) {
      const token = cookieOf(req, SESSION_COOKIE);
      if (!token || token.length > 300) return null;
      try {
        const auth = await authenticateSession(o.services, token);
        return {
          ...auth,
          token,
          call: { services: o.services, caller: { principal: auth.principal, source: 'console' } },
        };
      } catch (e) {
        if (e instanceof DomainError) return null;
        throw e;
      }
    },
    async signedInFully(req, res) {
      const signed = await this.signedIn(req);
      if (!signed) {
        res.redirect(303, '/sign-in');
        return null;
      }
      if (signed.principal.restricted === 'mfa_enrollment') {
        res.redirect(303, '/account/mfa');
        return null;
      }
      return signed;
    },
    failure(res, e) {
      if (e instanceof DomainError) return e.message;
      internal(res, e);
      return null;
    },
  };
}

/** One string field of a parsed form or query (the first, when repeated), trimmed to `max`. */
export function one(v: unknown, max = 1000): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'string' ? x.slice(0, max) : undefined;
}
