/** Test fixtures of the domain (`@gatehouse/domain/testing`): never imported by product code. */
import { createApiClient } from './api-clients/index.js';
import type { OrgCall } from './call.js';
import type { Caller } from './context.js';
import type { WriteResult } from './org-write.js';
import { createOrg } from './orgs/index.js';
import type { Services } from './services.js';
import { login, type SessionLogin } from './sessions/index.js';

export { appendSyntheticAudit } from './audit/index.js';

/** The instance admin calling through the API. */
export const instanceAdmin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };

/** An org's API client calling through the API, optionally on behalf of a user. */
export function asClient(orgId: string, clientId: string, onBehalfOf?: string): Caller {
  return { principal: { kind: 'client', orgId, clientId }, source: 'api', onBehalfOf };
}

export { startTestDnsServer, type TestDnsServer } from './dns-test-server.js';

/**
 * A new org (Flowcode unless `preset` says otherwise) created by the instance admin, and
 * `client(roles, name?)`, which mints one of its API clients holding `roles` (a role key, or a
 * list of roles) and returns it as a call on the org. `name` defaults to the role key.
 */
export async function orgWithClients(
  services: Services,
  o: { readonly name: string; readonly ownerEmail: string; readonly preset?: string },
) {
  const { result: org } = await createOrg(
    { services, caller: instanceAdmin },
    { name: o.name, preset: o.preset ?? 'flowcode', owner: { email: o.ownerEmail } },
  );
  const client = async (
    roles: string | ReadonlyArray<{ readonly role: string }>,
    name?: string,
  ): Promise<OrgCall> => {
    const list = typeof roles === 'string' ? [{ role: roles }] : roles.map((r) => ({ ...r }));
    const { result } = await createApiClient(
      { services, caller: instanceAdmin, orgId: org.id },
      {
        name: name ?? (typeof roles === 'string' ? roles : list.map((r) => r.role).join('+')),
        roles: list,
      },
    );
    return { services, caller: asClient(org.id, result.client.id), orgId: org.id };
  };
  return { orgId: org.id, client };
}

/**
 * A self-signed certificate (base64 DER, valid until 2125; its key was thrown away) that the
 * offline IdP's SAML metadata lists: a connection can be made from it, never signed in through.
 */
export const OFFLINE_IDP_CERTIFICATE = [
  'MIIDLTCCAhWgAwIBAgIUIwNAUawPkvG+oEg5KEggm4wWrewwDQYJKoZIhvcNAQELBQAwJTEjMCEGA1UEAwwaR2F0ZW',
  'hvdXNlIG9mZmxpbmUgdGVzdCBJZFAwIBcNMjYxMjA0MTUwNDQ5WhgPMjEyNjExMTAxNTA0NDlaMCUxIzAhBgNVBAMM',
  'GkdhdGVob3VzZSBvZmZsaW5lIHRlc3QgSWRQMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnfM0FJuwRI',
  'cFD+RzYDKCuyEsNPwOzrEhbUjQ8FTefFFRTBQgAj2zGmyFPw3PgphK9R7rsxgPG9Ewl8lIJ5VGFyUoDtaTps2HO+Sr',
  'wHdhx3lnNQPxqyHusASbEzSQJFncTHsRP8vKELpOTLTwgb7aSiRxvTdQEAImik94UjP6Cqt3omwuAgHrraSFOVdArr',
  'pjZzmbSy87ePPveDNzqpjCJ+ZU7603oU5ruRG0ceDNXKb9f7sO1LM9F3UPCuTVpY26XFGSWRcPMYfyEClIEdwABN5l',
  'cA2ehPVzGrBaeJBnzuIq1gjDUaSbJC5V9dz3zWsJ389FKtPljLeFmHorZ/XxLwIDAQABo1MwUTAdBgNVHQ4EFgQUNq',
  'aGoYJdOaXWzVbWz4eouKNmSbAwHwYDVR0jBBgwFoAUNqaGoYJdOaXWzVbWz4eouKNmSbAwDwYDVR0TAQH/BAUwAwEB',
  '/zANBgkqhkiG9w0BAQsFAAOCAQEAMAOhoguRJfx6D48F6jmPxUQih/pUIey9fF/Ipkt4rUjrrcgPGXbAiFOdPyiXiq',
  'nag1gZlv0q0QYdZTukBEpgWb2NkWgGavjFiF7QEStoqSOIWwKMAiilvvjA3pbZnbReiLSDmNny5YRKxDRwwTV1yvIj',
  'PQWp85tYOSKz6rNfrn3UBt0CC+3z+IaKRM3LnpmwmdDH3DMuZ8SteatRFBMvBN5WqdUMn+8UfbqCK/DlcdvH/frTJ7',
  'U/Bg7VDug+WYihlB4tHgk+QQBTUSleYBABART3utPYj+QCoxpttyDPQOXWrgKeE6GPrTb8CtpgIUCLb0MnxkS4JtBm',
  'gdAR3ID+Qw==',
].join('');

/**
 * A `ssoFetch` for tests without a network: every `<issuer>/.well-known/openid-configuration`
 * is a valid discovery document naming that issuer, and every `<base>/saml/metadata` is SAML IdP
 * metadata (entity id `<base>/saml`, SSO URL `<base>/saml/sso`, `OFFLINE_IDP_CERTIFICATE`);
 * anything else fails as an unreachable host. Tests of the fetches themselves use real servers
 * (sso/oidc-issuer.test.ts, sso/saml-metadata-url.test.ts).
 */
export const offlineIdpFetch: typeof fetch = async (input) => {
  const url = String(input instanceof Request ? input.url : input);
  const discovery = '/.well-known/openid-configuration';
  const metadata = '/saml/metadata';
  if (url.endsWith(metadata)) {
    const base = url.slice(0, -metadata.length);
    return new Response(
      `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${base}/saml"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${OFFLINE_IDP_CERTIFICATE}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/saml/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`,
      { headers: { 'content-type': 'application/samlmetadata+xml' } },
    );
  }
  if (!url.endsWith(discovery)) {
    throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
  }
  const issuer = url.slice(0, -discovery.length);
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

/**
 * `login` for an account without an authenticator, typed as the session it then gets; throws
 * when the login asks for a second factor instead.
 */
export async function sessionLogin(
  ...args: Parameters<typeof login>
): Promise<WriteResult<SessionLogin>> {
  const { result, revision } = await login(...args);
  if (result.mfaRequired) throw new Error('this login asks for a second factor');
  return { result, revision };
}
