/**
 * SSRF guard after a restart: connections saved by a server started with
 * `GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK` (a SAML metadata URL and an OIDC issuer, both real IdPs on
 * loopback) are then served by a server on the same storage started without it. Its API's
 * metadata refresh is a BAD_REQUEST naming the setting, its background refresh records the
 * refusal on the connection and keeps the certificates, its `/sso/authorize` (and an admin's
 * `/sso/test` dry run) answers a page naming the refusal: the IdPs receive no request and
 * nothing 500s. On PGlite (a data folder) and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import type { ServerConfig } from '@gatehouse/server';
import { type DevIdp, startDevIdp } from '@gatehouse/sso/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, failure, startTestServer } from './harness.js';
import { type SamlIdp, startSamlIdp } from './sso/saml-idp.js';

const REFUSED = /not a public address.*GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1/;
const ADOPTER = 'https://adopter.test/callback';

describe.each(backends)(
  'SSO connections saved with the private-network allowance, served without it ($name)',
  (backend) => {
    /** The storage both servers open, one after the other. */
    let storage: Partial<ServerConfig>;
    let dropStorage: () => Promise<void>;
    let saml: SamlIdp;
    let oidc: DevIdp;
    let orgId: string;
    let adminKey: string;
    let samlId: string;
    let oidcId: string;
    /** The SAML connection's IdP side as the allowed server saved it. */
    let savedCerts: unknown;

    beforeAll(async () => {
      if (backend.name === 'postgres') {
        const db = await freshPostgresDatabase(process.env.DATABASE_URL as string);
        storage = { databaseUrl: db.url };
        dropStorage = db.drop;
      } else {
        const root = mkdtempSync(join(tmpdir(), 'gh-e2e-ssrf-'));
        storage = { dataDir: join(root, 'data') };
        dropStorage = async () => rmSync(root, { recursive: true, force: true });
      }
      saml = await startSamlIdp();
      oidc = await startDevIdp({ redirectUris: ['http://127.0.0.1:9/sso/callback'] });
      const allowed = await startTestServer(backend, {
        ...storage,
        ssoAllowHttp: true,
        ssoAllowPrivateNetwork: true,
      });
      try {
        const { result: org } = await allowed.admin.api.orgs.create.mutate({
          name: 'Inside',
          preset: 'flowcode',
          owner: { email: 'owner@inside.test' },
        });
        orgId = org.id;
        const { result: key } = await allowed.admin.api.apiClients.create.mutate({
          orgId,
          name: 'admin',
          roles: [{ role: 'org_admin' }],
        });
        adminKey = key.key;
        const admin = allowed.connect(adminKey);
        const s = await admin.api.sso.createConnection.mutate({
          protocol: 'saml',
          orgId,
          name: 'Internal SAML',
          metadataUrl: saml.metadataUrl,
        });
        samlId = s.result.id;
        if (s.result.protocol !== 'saml') throw new Error('not SAML');
        savedCerts = s.result.idpCertificates;
        const o = await admin.api.sso.createConnection.mutate({
          orgId,
          name: 'Internal OIDC',
          issuer: oidc.issuer,
          clientId: oidc.clientId,
          clientSecret: oidc.clientSecret,
        });
        oidcId = o.result.id;
        await admin.api.sso.setRedirectUris.mutate({ orgId, uris: [ADOPTER] });
      } finally {
        await allowed.close();
      }
    });
    afterAll(async () => {
      await Promise.all([saml?.close(), oidc?.close()]);
      await dropStorage?.();
    });

    it('the refreshes and the sign-in start reach neither IdP, say why, and change nothing', async () => {
      const fetchesBefore = saml.metadataFetches;
      const requestsBefore = oidc.requests.length;
      expect(fetchesBefore).toBeGreaterThan(0); // the allowed server did reach it
      expect(requestsBefore).toBeGreaterThan(0);
      const t = await startTestServer(backend, {
        ...storage,
        ssoAllowHttp: true,
        samlMetadataRefreshMs: 1000,
      });
      try {
        const admin = t.connect(adminKey);
        expect(
          await failure(admin.api.sso.refreshSamlMetadata.mutate({ orgId, connectionId: samlId })),
        ).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(REFUSED) });

        // The background pass (one second here) records the refusal on the connection.
        const end = Date.now() + 15_000;
        let c = await admin.api.sso.getConnection.query({ orgId, connectionId: samlId });
        while (c.protocol === 'saml' && !c.idpMetadata?.error && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 200));
          c = await admin.api.sso.getConnection.query({ orgId, connectionId: samlId });
        }
        if (c.protocol !== 'saml') throw new Error('not SAML');
        expect(c.idpMetadata?.error).toMatch(REFUSED);
        expect(c.idpCertificates).toEqual(savedCerts);

        const page = await fetch(
          `${t.url}/sso/authorize?${new URLSearchParams({ org: orgId, connection: oidcId, redirect_uri: ADOPTER })}`,
          { redirect: 'manual' },
        );
        expect(page.status).toBe(502);
        // People signing in are told the address is not allowed, not which address or setting.
        const told = await page.text();
        expect(told).toMatch(/its address is not one this server may connect to/);
        expect(told).not.toMatch(/GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK|127\.0\.0\.1/);
        // The admin's dry run (sso.testConnection) starts the same way, and names the setting.
        const { ticket } = await admin.api.sso.testConnection.mutate({
          orgId,
          connectionId: oidcId,
        });
        const dry = await fetch(`${t.url}/sso/test?ticket=${encodeURIComponent(ticket)}`, {
          redirect: 'manual',
        });
        expect(dry.status).toBe(502);
        expect(await dry.text()).toMatch(/GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK/);

        expect(saml.metadataFetches).toBe(fetchesBefore);
        expect(oidc.requests.length).toBe(requestsBefore);
      } finally {
        await t.close();
      }
    });
  },
);
