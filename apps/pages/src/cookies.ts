/**
 * The pages' cookies: the signed-in session (`gatehouse_session`, holding the `ses_` token), the
 * CSRF secret and the state of an SSO sign-in started here. All httpOnly and SameSite=Lax, and
 * Secure exactly when the pages are served over https (a cookie marked Secure is never sent back
 * over plain http, which would break a local http deployment).
 */
import type { CookieOptions, Request, Response } from 'express';

/** The signed-in session cookie. */
export const SESSION_COOKIE = 'gatehouse_session';
/** The CSRF secret cookie (double submit). */
export const CSRF_COOKIE = 'gatehouse_csrf';
/** The state of an SSO sign-in these pages started (`state.orgId`). */
export const SSO_STATE_COOKIE = 'gatehouse_pages_sso';
/** A password sign-in waiting for its second factor (the `mfac_` token, 5 minutes). */
export const MFA_COOKIE = 'gatehouse_mfa';

/** A cookie's value from the request, or undefined. */
export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The options every page cookie gets: httpOnly, SameSite=Lax, Secure on https, path /. */
export function cookieOptions(secure: boolean, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}),
  };
}

/** Sets a page cookie. */
export function setCookie(
  res: Response,
  name: string,
  value: string,
  secure: boolean,
  maxAgeMs?: number,
): void {
  res.cookie(name, value, cookieOptions(secure, maxAgeMs));
}

/** Clears a page cookie. */
export function clearCookie(res: Response, name: string, secure: boolean): void {
  res.clearCookie(name, cookieOptions(secure));
}
