/**
 * Hostile requests to the `/sso` routes (issue 13): odd, repeated, huge and encoded query
 * parameters and state cookies, with real and made-up org and connection ids; for SAML, posts
 * to the ACS (form bodies with hostile or base64-wrapped hostile SAMLResponse and RelayState
 * values, wrong content types) and SP metadata requests. Every answer must be a page (4xx),
 * never a 5xx, and never a redirect to a URI nobody allowed.
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
      'ana@acme.test',
      'ana@xn--80ak6aa92e.test',
      '@',
    ),
    hostileString.filter((s) => s.length < 3000),
  );
  const key = fc.constantFrom(
    'org',
    'connection',
    'email',
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
  const connection = fc.oneof(fc.constantFrom(...world.ssoConnections, 'ssoc_zzz'), value);
  const samlValue = fc.oneof(
    value,
    value.map((v) => Buffer.from(v).toString('base64')),
    fc
      .constantFrom(
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a"/></samlp:Response>',
      )
      .map((x) => Buffer.from(x).toString('base64')),
  );
  const form = fc
    .array(
      fc.tuple(
        fc.constantFrom('SAMLResponse', 'RelayState', 'SAMLResponse[]', '__proto__'),
        samlValue,
      ),
      { maxLength: 4 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${urlEncode(k)}=${urlEncode(v)}`).join('&'));
  const contentType = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/json',
    'text/plain',
  );
  const get = fc.tuple(route, query, cookie).map(
    ([r, q, c]): FuzzRequest => ({
      label: `sso ${r}`,
      method: 'GET',
      path: `${r}?${q}`,
      headers: c ? { cookie: c } : {},
    }),
  );
  const acs = fc.tuple(connection, form, contentType).map(
    ([id, body, type]): FuzzRequest => ({
      label: 'sso POST /sso/saml/:id/acs',
      method: 'POST',
      path: `/sso/saml/${urlEncode(id)}/acs`,
      headers: { 'content-type': type },
      body,
    }),
  );
  const metadata = connection.map(
    (id): FuzzRequest => ({
      label: 'sso GET /sso/saml/:id/metadata',
      method: 'GET',
      path: `/sso/saml/${urlEncode(id)}/metadata`,
    }),
  );
  return fc.sample(fc.oneof(get, get, acs, metadata), { numRuns: count, seed });
}
