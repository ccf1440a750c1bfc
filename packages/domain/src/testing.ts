/** Test fixtures of the domain (`@gatehouse/domain/testing`): never imported by product code. */
import type { Caller } from './context.js';

export { appendSyntheticAudit } from './audit/index.js';

/** The instance admin calling through the API. */
export const instanceAdmin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };

/** An org's API client calling through the API, optionally on behalf of a user. */
export function asClient(orgId: string, clientId: string, onBehalfOf?: string): Caller {
  return { principal: { kind: 'client', orgId, clientId }, source: 'api', onBehalfOf };
}

export { startTestDnsServer, type TestDnsServer } from './dns-test-server.js';

/**
 * A `ssoFetch` for tests without a network: every `<issuer>/.well-known/openid-configuration`
 * is a valid discovery document naming that issuer; anything else fails as an unreachable host.
 * Tests of the issuer check itself use a real server (sso/oidc-issuer.test.ts).
 */
export const offlineDiscoveryFetch: typeof fetch = async (input) => {
  const url = String(input instanceof Request ? input.url : input);
  const suffix = '/.well-known/openid-configuration';
  if (!url.endsWith(suffix)) {
    throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
  }
  const issuer = url.slice(0, -suffix.length);
  return new Response(
    JSON.stringify({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    }),
    { headers: { 'content-type': 'application/json' } },
  );
};
