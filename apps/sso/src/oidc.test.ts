/**
 * I1 (issue 13): plain-http issuers are refused unless the server allows them
 * (`GATEHOUSE_SSO_ALLOW_HTTP=1`, tests and development only), against a real oidc-provider.
 */
import type { SsoRedirect } from '@gatehouse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcClient } from './oidc.js';
import { type DevIdp, startDevIdp } from './testing/index.js';

describe('I1 OIDC client settings', () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startDevIdp({ redirectUris: ['http://127.0.0.1:9/sso/callback'] });
  });
  afterAll(() => idp?.close());

  const redirect = (): SsoRedirect => ({
    state: 's',
    nonce: 'n',
    codeVerifier: 'v'.repeat(43),
    provider: {
      protocol: 'oidc',
      orgId: 'org_x',
      connectionId: 'ssoc_x',
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scopes: ['openid'],
      claims: { email: 'email', emailVerified: 'email_verified', name: 'name', groups: null },
    },
  });
  const callbackUrl = () => 'http://127.0.0.1:9/sso/callback';

  it('I1 an http issuer is refused by default', async () => {
    await expect(
      new OidcClient({ allowHttp: false, callbackUrl, fetch }).authorizationUrl(redirect()),
    ).rejects.toThrow(/https|insecure|HTTP/i);
  });

  it('I1 with allowHttp the authorization URL carries PKCE S256, state and nonce', async () => {
    const url = await new OidcClient({ allowHttp: true, callbackUrl, fetch }).authorizationUrl(
      redirect(),
    );
    expect(url.origin).toBe(idp.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: idp.clientId,
      redirect_uri: callbackUrl(),
      response_type: 'code',
      state: 's',
      nonce: 'n',
      code_challenge_method: 'S256',
    });
  });
});
