/**
 * CSRF protection of every form (OWASP "double submit cookie", plus a same-origin check): each
 * browser gets a random secret in an httpOnly cookie; forms carry it in a hidden field; a POST
 * whose field does not equal the cookie, or that a browser marks as sent from another site
 * (`Sec-Fetch-Site: cross-site`, or an `Origin` of another origin), is refused with 403 and
 * changes nothing. Another site can make a browser post, but it can neither read nor set the
 * cookie, so it cannot know the field's value.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { CSRF_COOKIE, cookieOf, setCookie } from './cookies.js';

/** The browser's CSRF secret, made and set on first use (a page showing a form calls this). */
export function csrfToken(req: Request, res: Response, secure: boolean): string {
  const have = cookieOf(req, CSRF_COOKIE);
  if (have && /^[A-Za-z0-9_-]{32,64}$/.test(have)) return have;
  const made = randomBytes(24).toString('base64url');
  setCookie(res, CSRF_COOKIE, made, secure);
  return made;
}

/** Why a POST is refused, or null when it carries the browser's secret from this origin. */
export function csrfProblem(req: Request, ownOrigin: string): string | null {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site') return 'this form was sent from another site';
  const origin = req.headers.origin;
  if (origin && origin !== 'null' && origin !== ownOrigin) {
    return 'this form was sent from another site';
  }
  const cookie = cookieOf(req, CSRF_COOKIE);
  const field = (req.body as Record<string, unknown> | undefined)?.csrf;
  if (!cookie || typeof field !== 'string') {
    return 'this form has expired or cookies are off; reload the page and try again';
  }
  const a = Buffer.from(cookie);
  const b = Buffer.from(field);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return 'this form has expired or cookies are off; reload the page and try again';
  }
  return null;
}
