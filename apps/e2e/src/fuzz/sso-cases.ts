/**
 * Hostile requests to the `/sso` routes (issue 13): odd, repeated, huge and encoded query
 * parameters and state cookies, with real and made-up org and connection ids. Every answer must
 * be a page (4xx), never a 5xx, and never a redirect to a URI nobody allowed.
 */
import fc from 'fast-check';
import type { FuzzRequest } from './client.js';
import type { FuzzWorld } from './fixture.js';
import { hostileString, urlEncode } from './hostile.js';

/** `count` requests to /sso/authorize, /sso/test and /sso/callback. */
export function ssoRequests(world: FuzzWorld, count: number, seed: number): FuzzRequest[] {
  const value = fc.oneof(
    fc.constantFrom(
      world.orgA.orgId,
      world.orgB.orgId,
      ...world.ssoConnections,
      'ssoc_zzz',
      'https://evil.test/cb',
      'javascript:alert(1)',
      '//evil.test',
    ),
    hostileString.filter((s) => s.length < 3000),
  );
  const key = fc.constantFrom(
    'org',
    'connection',
    'redirect_uri',
    'state',
    'ticket',
    'code',
    'iss',
    'error',
    'org[]',
    '__proto__',
  );
  const route = fc.constantFrom('/sso/authorize', '/sso/test', '/sso/callback');
  const query = fc
    .array(fc.tuple(key, value), { maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => `${urlEncode(k)}=${urlEncode(v)}`).join('&'));
  const cookie = fc.option(
    value.map((v) => `gatehouse_sso_state=${urlEncode(v)}`),
    { nil: undefined },
  );
  return fc.sample(fc.tuple(route, query, cookie), { numRuns: count, seed }).map(
    ([r, q, c]): FuzzRequest => ({
      label: `sso ${r}`,
      method: 'GET',
      path: `${r}?${q}`,
      headers: c ? { cookie: c } : {},
    }),
  );
}
