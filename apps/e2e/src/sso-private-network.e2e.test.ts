/**
 * SSRF over HTTP: a server started without `GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK` refuses, through
 * the real API, every IdP address an org admin types that is not public (an OIDC issuer, a SAML
 * metadata URL; by IP literal, by a name resolving to loopback, by the integer form of
 * 127.0.0.1), as a BAD_REQUEST naming the address and the setting, even with
 * `ignoreIssuerErrors`; nothing is saved and the loopback server behind those URLs receives no
 * request. The same issuer is accepted by a server that allows private networks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gatehouse } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, failure, startTestServer, type TestServer } from './harness.js';

const pglite = backends[0]!;

describe('SSO fetches reach public addresses only (SSRF guard, over HTTP)', () => {
  let t: TestServer;
  let lab: Server;
  let port: number;
  let admin: Gatehouse;
  let orgId: string;
  const seen: string[] = [];

  beforeAll(async () => {
    // A loopback "internal service" that would answer anything it is asked.
    lab = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => lab.listen(0, '127.0.0.1', resolve));
    port = (lab.address() as AddressInfo).port;
    t = await startTestServer(pglite, { ssoAllowHttp: true });
    const { result: org } = await t.admin.api.orgs.create.mutate({
      name: 'Guarded',
      preset: 'flowcode',
      owner: { email: 'owner@guarded.test' },
    });
    orgId = org.id;
    const { result: key } = await t.admin.api.apiClients.create.mutate({
      orgId,
      name: 'admin',
      roles: [{ role: 'org_admin' }],
    });
    admin = t.connect(key.key);
  });

  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => lab?.close(resolve));
  });

  it('an OIDC issuer or SAML metadata URL on loopback is a BAD_REQUEST naming the setting; nothing is saved or sent', async () => {
    const hosts = ['127.0.0.1', 'localhost', '2130706433'];
    for (const host of hosts) {
      for (const ignoreIssuerErrors of [false, true]) {
        expect(
          await failure(
            admin.api.sso.createConnection.mutate({
              orgId,
              name: 'Internal',
              issuer: `http://${host}:${port}/issuer`,
              clientId: 'x',
              clientSecret: 'x-secret',
              ignoreIssuerErrors,
            }),
          ),
        ).toMatchObject({
          code: 'BAD_REQUEST',
          message: expect.stringMatching(
            /not a public address.*GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK/,
          ),
        });
      }
      expect(
        await failure(
          admin.api.sso.createConnection.mutate({
            protocol: 'saml',
            orgId,
            name: 'Internal metadata',
            metadataUrl: `http://${host}:${port}/metadata`,
          }),
        ),
      ).toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/not a public address/),
      });
    }
    expect(await admin.api.sso.listConnections.query({ orgId })).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('a server that allows private networks does reach the same address (the guard is what refused)', async () => {
    const open = await startTestServer(pglite, {
      ssoAllowHttp: true,
      ssoAllowPrivateNetwork: true,
    });
    try {
      const { result: org } = await open.admin.api.orgs.create.mutate({
        name: 'Open',
        preset: 'flowcode',
        owner: { email: 'owner@open.test' },
      });
      const { result: key } = await open.admin.api.apiClients.create.mutate({
        orgId: org.id,
        name: 'admin',
        roles: [{ role: 'org_admin' }],
      });
      // Not an IdP: discovery fails on its answer, after the request reached it.
      const err = await failure(
        open.connect(key.key).api.sso.createConnection.mutate({
          orgId: org.id,
          name: 'Internal',
          issuer: `http://127.0.0.1:${port}/issuer`,
          clientId: 'x',
          clientSecret: 'x-secret',
        }),
      );
      expect(err.code).toBe('BAD_REQUEST');
      expect(err.message).not.toMatch(/not a public address/);
      expect(seen.length).toBeGreaterThan(0);
    } finally {
      await open.close();
    }
  });
});
