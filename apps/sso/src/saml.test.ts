/**
 * I1 (issue 13): a SAML connection whose IdP sign-in URL is plain http is refused unless the
 * server allows http (`GATEHOUSE_SSO_ALLOW_HTTP=1`, tests and development only), as OIDC
 * issuers are.
 */
import type { SsoRedirect } from '@gatehouse/domain';
import { describe, expect, it } from 'vitest';
import { samlAuthorizeUrl } from './saml.js';

const redirect = (idpSsoUrl: string): SsoRedirect => ({
  state: 'relay-state',
  nonce: '_request1',
  codeVerifier: '',
  provider: {
    protocol: 'saml',
    orgId: 'org_x',
    connectionId: 'ssoc_x',
    claims: { email: 'email', emailVerified: 'email_verified', name: 'name', groups: 'groups' },
    idpEntityId: 'https://idp.test/entity',
    idpSsoUrl,
    idpCerts: [],
    spEntityId: 'https://gatehouse.test/sso/saml/ssoc_x/metadata',
    acsUrl: 'https://gatehouse.test/sso/saml/ssoc_x/acs',
    wantEncrypted: false,
    decryptionKey: null,
    spCert: null,
    allowIdpInitiated: false,
  },
});

describe('I1 SAML IdP sign-in URL', () => {
  it('I1 an http IdP URL is refused by default; https goes, carrying the request and RelayState', async () => {
    await expect(
      samlAuthorizeUrl(redirect('http://idp.test/sso'), { allowHttp: false }),
    ).rejects.toThrow(/not https/);
    const url = await samlAuthorizeUrl(redirect('https://idp.test/sso'), { allowHttp: false });
    expect(url.origin + url.pathname).toBe('https://idp.test/sso');
    expect(url.searchParams.get('RelayState')).toBe('relay-state');
    expect(url.searchParams.get('SAMLRequest')).toBeTruthy();
    const dev = await samlAuthorizeUrl(redirect('http://127.0.0.1:9/sso'), { allowHttp: true });
    expect(dev.protocol).toBe('http:');
  });
});
