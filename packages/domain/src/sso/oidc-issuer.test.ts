/**
 * I1 (issue 13): an OIDC connection's issuer is checked when it is created or changed. A real
 * HTTP server on loopback answers discovery requests: a good document, one naming another
 * issuer, one without endpoints, not JSON, a 404, no answer; a closed port is unreachable. Each
 * bad one is a clear INVALID that creates nothing, unless `ignoreIssuerErrors`, when the
 * connection is saved and `warnings` says why. On PGlite and PostgreSQL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSsoConnection, listSsoConnections, updateSsoConnection } from '../index.js';
import { createServices, type Services } from '../services.js';
import { orgWithClients } from '../testing.js';

const WELL_KNOWN = '/.well-known/openid-configuration';

/** Issuers at `<base>/<name>`, each answering discovery its own way. */
async function startDiscoveryServer() {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.push(path);
    const name = path.split('/')[1] ?? '';
    const issuer = `${base}/${name}`;
    const doc = {
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
    };
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path !== `/${name}${WELL_KNOWN}`) return void res.writeHead(404).end();
    if (name === 'good') return json(doc);
    if (name === 'liar') return json({ ...doc, issuer: 'https://someone-else.test' });
    if (name === 'bare') return json({ issuer });
    if (name === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html>sign in</html>');
    }
    if (name === 'slow') return; // never answers
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe.each(testBackends())('OIDC issuer checked at creation on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  let strict: Services;
  let idp: Awaited<ReturnType<typeof startDiscoveryServer>>;
  let closedPort: number;

  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, {
      ssoAllowHttp: true,
      ssoAllowPrivateNetwork: true,
      ssoFetchTimeoutMs: 1000,
    });
    strict = createServices(g.db);
    idp = await startDiscoveryServer();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
  });
  afterAll(async () => {
    await idp?.close();
    await g?.close();
  });

  let n = 0;
  async function org(services = s) {
    const tag = `${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const o = await orgWithClients(services, {
      name: `Issuer ${tag}`,
      ownerEmail: `o-${tag}@issuer.test`,
    });
    const client = (role: string) => o.client(role);
    return { admin: await client('org_admin'), client };
  }

  const conn = (issuer: string, ignoreIssuerErrors?: boolean) => ({
    name: 'IdP',
    issuer,
    clientId: 'gatehouse',
    clientSecret: 'idp-secret-1234567890',
    ...(ignoreIssuerErrors === undefined ? {} : { ignoreIssuerErrors }),
  });

  it('SSRF an issuer on loopback is refused unless private networks are allowed, even with ignoreIssuerErrors; nothing is requested or saved', async () => {
    const noPrivate = createServices(g.db, { ssoAllowHttp: true, ssoFetchTimeoutMs: 1000 });
    const o = await org(noPrivate);
    const before = idp.hits.length;
    const port = new URL(idp.base).port;
    for (const issuer of [`${idp.base}/good`, `http://localhost:${port}/good`]) {
      for (const ignore of [undefined, true]) {
        await expect(
          createSsoConnection(o.admin, conn(issuer, ignore)),
          issuer,
        ).rejects.toMatchObject({
          code: 'INVALID',
          message: expect.stringMatching(
            /127\.0\.0\.1.* is not a public address; set GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1/,
          ),
        });
      }
    }
    expect(idp.hits.length).toBe(before);
    expect(await listSsoConnections(o.admin)).toEqual([]);
    // The same issuer with the allowance (s) is saved.
    const allowed = await org();
    const made = await createSsoConnection(allowed.admin, conn(`${idp.base}/good`));
    expect(made.warnings).toEqual([]);
  });

  it('I1 a reachable issuer whose discovery document names it is saved without warnings', async () => {
    const o = await org();
    const made = await createSsoConnection(o.admin, conn(`${idp.base}/good`));
    expect(made.warnings).toEqual([]);
    expect(made.result).toMatchObject({ protocol: 'oidc', issuer: `${idp.base}/good` });
  });

  it('I1 an unreachable or invalid issuer is a clear INVALID and nothing is saved', async () => {
    const o = await org();
    const cases: Array<[string, RegExp]> = [
      [`${idp.base}/liar`, /issuer/i],
      [`${idp.base}/bare`, /no authorization_endpoint, token_endpoint, jwks_uri/],
      [`${idp.base}/html`, /JSON|content-type/i],
      [`${idp.base}/missing`, /404/],
      [`${idp.base}/slow`, /no answer within 1 s|timed? ?out|abort/i],
      [`http://127.0.0.1:${closedPort}`, /ECONNREFUSED/],
    ];
    for (const [issuer, why] of cases) {
      await expect(createSsoConnection(o.admin, conn(issuer)), issuer).rejects.toMatchObject({
        code: 'INVALID',
        message: expect.stringMatching(why),
        details: { reason: 'issuer_unusable' },
      });
    }
    await expect(createSsoConnection(o.admin, conn(`${idp.base}/missing`))).rejects.toThrow(
      /pass ignoreIssuerErrors to save the connection anyway/,
    );
    expect(await listSsoConnections(o.admin)).toEqual([]);
  });

  it('I1 with ignoreIssuerErrors the connection is saved and the answer carries the problem as a warning', async () => {
    const o = await org();
    const made = await createSsoConnection(o.admin, conn(`${idp.base}/missing`, true));
    expect(made.result).toMatchObject({ issuer: `${idp.base}/missing` });
    expect(made.warnings).toEqual([expect.stringMatching(/^issuer .*\/missing: .*404/)]);
    // A change of issuer is checked the same way.
    await expect(
      updateSsoConnection(o.admin, { connectionId: made.result.id, issuer: `${idp.base}/liar` }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    const changed = await updateSsoConnection(o.admin, {
      connectionId: made.result.id,
      issuer: `${idp.base}/good`,
    });
    expect(changed.warnings).toEqual([]);
    expect(changed.result).toMatchObject({ issuer: `${idp.base}/good` });
    // Other changes fetch nothing.
    const before = idp.hits.length;
    const renamed = await updateSsoConnection(o.admin, { connectionId: made.result.id, name: 'X' });
    expect(renamed.warnings).toEqual([]);
    expect(idp.hits.length).toBe(before);
  });

  it('I1 an http issuer is refused unless the deployment allows http; a caller who may not manage connections makes no request', async () => {
    const o = await org(strict);
    const before = idp.hits.length;
    await expect(createSsoConnection(o.admin, conn(`${idp.base}/good`))).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/not https \(GATEHOUSE_SSO_ALLOW_HTTP=1/),
    });
    const p = await org();
    const user = await p.client('org_user');
    await expect(createSsoConnection(user, conn(`${idp.base}/good`))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(idp.hits.length).toBe(before);
  });
});
