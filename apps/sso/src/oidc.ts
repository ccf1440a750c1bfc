/**
 * The OpenID Connect side of a sign-in, through openid-client (v6): discovery (cached per
 * issuer), the authorization URL with PKCE (S256), state and nonce, and the callback: the code
 * exchanged at the IdP with the connection's secret (client_secret_basic), the ID token checked
 * (signature, issuer, audience, expiry, nonce; the RFC 9207 `iss` parameter when the IdP sends
 * it), and claims completed from userinfo when the ID token lacks the email or the groups.
 *
 * Plain-http issuers are refused unless the server allows them (`GATEHOUSE_SSO_ALLOW_HTTP=1`,
 * for tests and local development only). Every request to the IdP (discovery, token, JWKS,
 * userinfo) goes through `settings.fetch`: the server gives the services' `idpFetchOf`, which
 * connects to public addresses only unless `GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1`.
 */
import type { OidcProvider, SsoAttempt, SsoProvider, SsoRedirect } from '@gatehouse/domain';
import * as client from 'openid-client';

/** How the server talks to IdPs. */
export interface OidcSettings {
  /** Allow `http:` issuers (tests, the dev IdP); never in production. */
  readonly allowHttp: boolean;
  /** Gatehouse's own callback: `<public URL>/sso/callback`. */
  readonly callbackUrl: () => string;
  /** Per request to the IdP; default 10 s. */
  readonly timeoutMs?: number | undefined;
  /**
   * How requests reach the IdP: the server gives `idpFetchOf(services)` (public addresses only
   * unless the deployment allows private networks). It has no default, so a client cannot reach
   * IdPs unguarded by leaving it out.
   */
  readonly fetch: typeof fetch;
}

/** Discovery documents are read again after this long. */
const METADATA_TTL_MS = 10 * 60 * 1000;

const oidcOf = (p: SsoProvider): OidcProvider => {
  if (p.protocol !== 'oidc') throw new Error(`connection ${p.connectionId} is not OIDC`);
  return p;
};

/** An OIDC client for one server's connections. */
export class OidcClient {
  private readonly metadata = new Map<string, { at: number; doc: client.ServerMetadata }>();
  constructor(private readonly settings: OidcSettings) {}

  private async config(any: SsoProvider): Promise<client.Configuration> {
    const p = oidcOf(any);
    const execute = this.settings.allowHttp ? [client.allowInsecureRequests] : [];
    const own = this.settings.fetch;
    const customFetch: client.CustomFetch = (url, options) => own(url, options as RequestInit);
    const timeout = Math.ceil((this.settings.timeoutMs ?? 10_000) / 1000);
    const cached = this.metadata.get(p.issuer);
    let config: client.Configuration;
    if (cached && Date.now() - cached.at < METADATA_TTL_MS) {
      config = new client.Configuration(
        cached.doc,
        p.clientId,
        undefined,
        client.ClientSecretBasic(p.clientSecret),
      );
      for (const f of execute) f(config);
      config[client.customFetch] = customFetch;
    } else {
      config = await client.discovery(
        new URL(p.issuer),
        p.clientId,
        undefined,
        client.ClientSecretBasic(p.clientSecret),
        { execute, timeout, [client.customFetch]: customFetch },
      );
      this.metadata.set(p.issuer, { at: Date.now(), doc: config.serverMetadata() });
    }
    config.timeout = timeout;
    return config;
  }

  /** The IdP URL to send the browser to. */
  async authorizationUrl(r: SsoRedirect): Promise<URL> {
    const config = await this.config(r.provider);
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.callbackUrl(),
      scope: oidcOf(r.provider).scopes.join(' '),
      response_type: 'code',
      state: r.state,
      nonce: r.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(r.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /** The callback: the claims the IdP vouched for, or an error saying what failed. */
  async callback(attempt: SsoAttempt, query: string): Promise<Record<string, unknown>> {
    const config = await this.config(attempt.provider);
    const current = new URL(this.settings.callbackUrl());
    current.search = query;
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: attempt.codeVerifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    });
    const claims: Record<string, unknown> = { ...tokens.claims() };
    const names = attempt.provider.claims;
    const lacking =
      claims[names.email] === undefined ||
      (names.groups !== null && claims[names.groups] === undefined);
    if (lacking && config.serverMetadata().userinfo_endpoint) {
      const info = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub));
      for (const [k, v] of Object.entries(info)) if (claims[k] === undefined) claims[k] = v;
    }
    return claims;
  }
}
