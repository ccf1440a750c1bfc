/**
 * SSRF guard on the OIDC sign-in: a connection saved by services that allow private networks
 * (its issuer, a real OpenID Provider, on loopback) is then used by a `/sso` server on the same
 * database whose services do not. Its sign-in start and its callback do not fetch anything from
 * the issuer (no discovery, token, JWKS or userinfo request), and say why (the setting), as an
 * error page at the start and as `error=access_denied` to the adopter at the callback, never a
 * 500. The server with the allowance does reach the same IdP and signs the person in (so the
 * refusal is the guard's). On PGlite and PostgreSQL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { createServices, createSsoConnection, listAudit, type Services } from '@gatehouse/domain';
import { instanceAdmin, orgWithClients } from '@gatehouse/domain/testing';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSsoHandler, STATE_COOKIE } from './router.js';
import { type DevIdp, startDevIdp } from './testing/index.js';

/** Where the adopter wants the browser back. */
const ADOPTER = 'https://adopter.test/callback';
const REFUSED = /GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK/;
/** What people signing in are told: that the address is not allowed, not which or why. */
const TOLD = /its address is not one this server may connect to/;
const LEAKS = /127\.0\.0\.1|GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK/;

/** A `/sso` server over `services`, on loopback. */
interface SsoServer {
  readonly url: string;
  /** What the handler reported as unexpected. */
  readonly internalErrors: unknown[];
  close(): Promise<void>;
}

async function startSsoServer(services: Services): Promise<SsoServer> {
  const internalErrors: unknown[] = [];
  const app = express();
  app.use(
    '/sso',
    createSsoHandler({
      services,
      publicUrl: () => url,
      allowHttp: true,
      redirectUris: [ADOPTER],
      onInternalError: (e) => void internalErrors.push(e),
    }),
  );
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    internalErrors,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** GET without following redirects. */
const get = (url: string, cookie?: string) =>
  fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

/**
 * Follows the IdP's redirects (keeping its cookies) from `start` until it sends the browser
 * to `until`; returns that URL.
 */
async function throughIdp(start: string, until: string): Promise<URL> {
  const jar = new Map<string, string>();
  let at = new URL(start);
  for (let hop = 0; hop < 10; hop++) {
    if (at.href.startsWith(until)) return at;
    const res = await get(at.href, [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the IdP stopped at ${at.href}: ${res.status}`);
    at = new URL(location, at);
  }
  throw new Error('too many redirects');
}

describe.each(testBackends())(
  'OIDC sign-in without the private-network allowance on $name',
  (backend) => {
    let g: Gatedb;
    /** Services of a deployment that allowed private networks when the connection was saved. */
    let open: Services;
    /** The same database, served by a deployment without the allowance. */
    let strict: Services;
    let openServer: SsoServer;
    let strictServer: SsoServer;
    /** Allows private networks through a `ssoFetch` that records what it fetched. */
    let tracedServer: SsoServer;
    const traced: string[] = [];
    let idp: DevIdp;
    let orgId: string;
    let connectionId: string;

    beforeAll(async () => {
      g = await backend.open();
      // http stays allowed, so what refuses the issuer is the private-network guard alone.
      open = createServices(g.db, {
        publicUrl: 'https://gatehouse.test',
        ssoAllowHttp: true,
        ssoAllowPrivateNetwork: true,
      });
      strict = createServices(g.db, { publicUrl: 'https://gatehouse.test', ssoAllowHttp: true });
      const tracing = createServices(g.db, {
        publicUrl: 'https://gatehouse.test',
        ssoAllowHttp: true,
        ssoFetch: (input, init) => {
          traced.push(new URL(input instanceof Request ? input.url : input.toString()).pathname);
          return fetch(input, init);
        },
      });
      [openServer, strictServer, tracedServer] = await Promise.all([
        startSsoServer(open),
        startSsoServer(strict),
        startSsoServer(tracing),
      ]);
      idp = await startDevIdp({
        redirectUris: [openServer, strictServer, tracedServer].map((x) => `${x.url}/sso/callback`),
        accounts: [{ sub: 'ana', email: 'ana@inside.test', email_verified: true, name: 'Ana' }],
      });
      const o = await orgWithClients(open, { name: 'Inside', ownerEmail: 'owner@inside.test' });
      orgId = o.orgId;
      const { result } = await createSsoConnection(await o.client('org_admin'), {
        name: 'Internal IdP',
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        scopes: ['openid', 'email', 'profile'],
      });
      connectionId = result.id;
    });
    afterAll(async () => {
      await Promise.all([openServer, strictServer, tracedServer, idp].map((x) => x?.close()));
      await g?.close();
    });

    const authorize = (server: SsoServer) =>
      `${server.url}/sso/authorize?${new URLSearchParams({ org: orgId, connection: connectionId, redirect_uri: ADOPTER, state: 'adopter-state' })}`;

    /** A sign-in started on the server that allows private networks, up to the IdP's answer. */
    async function answerFromIdp(server = openServer): Promise<{ query: string; cookie: string }> {
      const res = await get(authorize(server));
      expect(res.status).toBe(302);
      const state = /gatehouse_sso_state=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
      const back = await throughIdp(res.headers.get('location')!, `${server.url}/sso/callback`);
      return { query: back.search, cookie: `${STATE_COOKIE}=${state}` };
    }

    it('the sign-in start fetches nothing from the issuer and says why; the allowed server reaches it', async () => {
      const before = idp.requests.length;
      const res = await get(authorize(strictServer));
      const page = await res.text();
      expect(res.status).toBe(502);
      expect(page).toMatch(TOLD);
      expect(page).not.toMatch(LEAKS);
      expect(idp.requests.length).toBe(before);

      const allowed = await get(authorize(openServer));
      expect(allowed.status).toBe(302);
      expect(allowed.headers.get('location')).toMatch(new RegExp(`^${idp.issuer}/`));
      expect(idp.requests.slice(before)).toContain('/.well-known/openid-configuration');
    });

    it('the callback fetches nothing (no discovery, token or userinfo request) and tells the adopter why; the allowed server signs in', async () => {
      const answer = await answerFromIdp();
      const before = idp.requests.length;
      const res = await get(`${strictServer.url}/sso/callback${answer.query}`, answer.cookie);
      expect(res.status).toBe(302);
      const to = new URL(res.headers.get('location')!);
      expect(`${to.origin}${to.pathname}`).toBe(ADOPTER);
      expect(to.searchParams.get('error')).toBe('access_denied');
      expect(to.searchParams.get('error_description')).toMatch(TOLD);
      expect(to.searchParams.get('error_description')).not.toMatch(LEAKS);
      expect(to.searchParams.get('code')).toBeNull();
      expect(idp.requests.length).toBe(before);
      const refusals = (
        await listAudit({ services: open, caller: instanceAdmin, orgId }, { limit: 50 })
      ).items.filter((e) => e.action === 'SignInRefused');
      expect(refusals.at(0)?.after).toMatchObject({
        code: 'idp_address_not_public',
        reason: expect.stringMatching(REFUSED),
      });

      // The same IdP answer at the server that allows private networks: token, userinfo (the ID
      // token lacks the groups claim), a code. (openid-client takes the ID token from the token
      // endpoint over the back channel without a JWKS request; any JWKS request would go through
      // the same fetch.)
      const again = await answerFromIdp();
      const from = idp.requests.length;
      const ok = await get(`${openServer.url}/sso/callback${again.query}`, again.cookie);
      expect(ok.status).toBe(302);
      const done = new URL(ok.headers.get('location')!);
      expect(done.searchParams.get('error')).toBeNull();
      expect(done.searchParams.get('code')).toBeTruthy();
      expect(idp.requests.slice(from)).toContain('/token');
      expect(idp.requests.slice(from)).toContain('/me');
    });

    it("every request a sign-in makes to the IdP goes through the services' IdP fetch (none bypasses the guard)", async () => {
      const from = idp.requests.length;
      const answer = await answerFromIdp(tracedServer);
      const res = await get(`${tracedServer.url}/sso/callback${answer.query}`, answer.cookie);
      expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy();
      // The browser's requests (authorization, interaction) are not the server's; the rest are.
      const browser = /^\/(auth|interaction)(\/|$)/;
      const backChannel = idp.requests.slice(from).filter((p) => !browser.test(p));
      expect(backChannel).toEqual(['/.well-known/openid-configuration', '/token', '/me']);
      expect(traced).toEqual(backChannel);
    });
  },
);
