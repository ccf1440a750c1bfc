/**
 * Hostile requests to the pages people land on (issue 14: sign-in with its second step, MFA
 * enrollment, passwords, invitations): every page route by GET and POST, form bodies with the
 * pages' own field names and hostile values (often with a matching CSRF cookie and field, so
 * the handlers behind the CSRF check run), odd content types, and the session, MFA-challenge and
 * SSO-state cookies real, made up or hostile. Every answer must be a page or a redirect, never a
 * 5xx. `/sign-out` never gets the real session, so the other requests keep reaching the signed-in
 * pages.
 */
import fc from 'fast-check';
import type { FuzzRequest } from './client.js';
import type { FuzzWorld } from './fixture.js';
import { hostileString, urlEncode } from './hostile.js';

/** A CSRF secret of the shape the pages mint; sent as cookie and field alike. */
const CSRF = 'fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz';

const ROUTES = [
  '/sign-in',
  '/sign-in/mfa',
  '/sign-in/sso',
  '/sign-out',
  '/account',
  '/account/password',
  '/account/mfa',
  '/account/mfa/enroll',
  '/account/mfa/confirm',
  '/account/mfa/disable',
  '/account/mfa/recovery-codes',
  '/password/forgot',
  '/password/reset',
  '/invitations/accept',
] as const;

const FIELDS = [
  'csrf',
  'email',
  'password',
  'current',
  'name',
  'org',
  'code',
  'recoveryCode',
  'token',
  'code[]',
  '__proto__',
] as const;

/** `count` requests to the pages. */
export function pageRequests(world: FuzzWorld, count: number, seed: number): FuzzRequest[] {
  const value = fc.oneof(
    fc.constantFrom(
      world.orgA.orgId,
      world.orgB.orgId,
      'ana@acme.test',
      '123456',
      '000000',
      'abcd-efgh-ijkl',
      'https://evil.test/',
      '',
    ),
    hostileString.filter((s) => s.length < 3000),
  );
  const pairs = fc
    .array(fc.tuple(fc.constantFrom(...FIELDS), value), { maxLength: 6 })
    .map((list) => list.map(([k, v]) => `${urlEncode(k)}=${urlEncode(v)}`).join('&'));
  const form = fc
    .tuple(fc.boolean(), pairs)
    .map(([withCsrf, rest]) => (withCsrf ? `csrf=${CSRF}${rest ? `&${rest}` : ''}` : rest));
  const session = fc.oneof(
    fc.constant(world.keys.session),
    fc.constant(undefined),
    value.map((v) => `ses_${v}`),
  );
  const cookieOf = (real: string | undefined, mfa: string | undefined, csrf: boolean) =>
    [
      csrf ? `gatehouse_csrf=${CSRF}` : '',
      real ? `gatehouse_session=${urlEncode(real)}` : '',
      mfa ? `gatehouse_mfa=${urlEncode(mfa)}` : '',
    ]
      .filter(Boolean)
      .join('; ');
  const request = fc
    .tuple(
      fc.constantFrom(...ROUTES),
      fc.constantFrom('GET', 'POST', 'POST', 'POST'),
      form,
      session,
      fc.option(value, { nil: undefined }),
      fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'),
      fc.option(
        pairs.map((q) => `?${q}`),
        { nil: '' },
      ),
    )
    .map(([route, method, body, ses, mfa, type, query]): FuzzRequest => {
      const real = route === '/sign-out' && ses === world.keys.session ? undefined : ses;
      const headers: Record<string, string> = {};
      const cookie = cookieOf(real, mfa, body.startsWith('csrf='));
      if (cookie) headers.cookie = cookie;
      if (method === 'POST') headers['content-type'] = type;
      return {
        label: `pages ${method} ${route}`,
        method,
        path: `${route}${query}`,
        headers,
        ...(method === 'POST' ? { body } : {}),
      };
    });
  return fc.sample(request, { numRuns: count, seed });
}
