/**
 * A real OpenID Provider (oidc-provider v9) on loopback, for tests and the `pnpm start` dev mode
 * (`GATEHOUSE_DEV_IDP=1`): accounts with email, email_verified, name and a `groups` claim; no
 * login form: the interaction signs in the account `signInAs` chose (or the first one) and
 * consents at once, so a test follows the redirects with fetch and a cookie jar. `tamper`
 * rewrites the next ID tokens the token endpoint returns (re-signed with the IdP's own key), so
 * tests can prove Gatehouse refuses a wrong issuer, audience, nonce or an expired token that is
 * otherwise perfectly signed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/** A person the IdP knows. */
export interface DevIdpAccount {
  readonly sub: string;
  readonly email: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  readonly groups?: readonly string[];
}

/** Options of `startDevIdp`. */
export interface DevIdpOptions {
  /** The relying party's redirect URIs (Gatehouse: `<url>/sso/callback`). */
  readonly redirectUris: readonly string[];
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly accounts?: readonly DevIdpAccount[];
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
}

/** A running dev IdP. */
export interface DevIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The path of every request it received, in order (discovery, token, JWKS, userinfo…). */
  readonly requests: readonly string[];
  /** Adds or replaces an account (by `sub`). */
  upsert(account: DevIdpAccount): void;
  /** The account the next interaction signs in; null: the user cancels (access_denied). */
  signInAs(sub: string | null): void;
  /** Rewrites the claims of ID tokens the token endpoint returns, until called with null. */
  tamper(fn: ((claims: Record<string, unknown>) => Record<string, unknown>) | null): void;
  close(): Promise<void>;
}

/**
 * Starts the IdP; resolves once it listens.
 *
 * @example
 * const idp = await startDevIdp({ redirectUris: [`${gatehouseUrl}/sso/callback`],
 *   accounts: [{ sub: 'ana', email: 'ana@acme.test', email_verified: true, groups: ['eng'] }] });
 */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const accounts = new Map<string, DevIdpAccount>();
  for (const a of options.accounts ?? []) accounts.set(a.sub, a);
  let next: string | null | undefined;
  let tamper: ((claims: Record<string, unknown>) => Record<string, unknown>) | null = null;
  const clientId = options.clientId ?? 'gatehouse';
  const clientSecret = options.clientSecret ?? 'dev-idp-client-secret-0123456789abcdef';

  const server: Server = createServer();
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${options.host ?? '127.0.0.1'}:${port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'dev-idp-1', alg: 'RS256', use: 'sig' };
  const signingKey = await importJWK(jwk, 'RS256');

  const config: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['dev-idp-cookie-key-0123456789'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    // Claims the scopes grant go into the ID token too, as many IdPs do.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: a.email,
          email_verified: a.email_verified ?? false,
          name: a.name,
          groups: [...(a.groups ?? [])],
        }),
      };
    },
  };
  const provider = new Provider(issuer, config);
  // Tests: rewrite the ID token on its way out, signed again with the IdP's key.
  provider.use(async (ctx, nextMw) => {
    await nextMw();
    const body = ctx.body as { id_token?: string } | undefined;
    if (!tamper || ctx.path !== '/token' || !body?.id_token) return;
    const header = decodeProtectedHeader(body.id_token);
    const claims = tamper({ ...decodeJwt(body.id_token) });
    body.id_token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: header.kid ?? 'dev-idp-1' })
      .sign(signingKey);
  });
  const callback = provider.callback();
  const requests: string[] = [];
  server.on('request', async (req, res) => {
    requests.push(new URL(req.url ?? '/', issuer).pathname);
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      const sub = next === undefined ? [...accounts.keys()][0] : next;
      if (sub === null || sub === undefined || !accounts.has(sub)) {
        await provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: 'the user cancelled',
        });
        return;
      }
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ??
          new provider.Grant({ accountId: sub, clientId }))
        : new provider.Grant({ accountId: sub, clientId });
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
      };
      grant.addOIDCScope((missing.missingOIDCScope ?? ['openid']).join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: sub }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (e) {
      res.statusCode = 400;
      res.end(`interaction failed: ${(e as Error).message}`);
    }
  });
  return {
    issuer,
    clientId,
    clientSecret,
    requests,
    upsert: (a) => void accounts.set(a.sub, a),
    signInAs: (sub) => {
      next = sub;
    },
    tamper: (fn) => {
      tamper = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
