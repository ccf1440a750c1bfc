/**
 * I1 (issue 13): a SAML connection made from the IdP's metadata URL, end to end against the test
 * IdP (./sso/saml-idp.ts), which publishes its metadata over HTTP on loopback and rotates its
 * signing key. The server's background refresh (`GATEHOUSE_SAML_METADATA_REFRESH_SECONDS`, one
 * second here) picks the new certificate up, so sign-ins signed with the new key go through
 * without anyone editing the connection; a metadata endpoint that breaks is recorded on the
 * connection and sign-ins go on with the certificates it had. `sso.refreshSamlMetadata` and
 * `gatehouse sso refresh-metadata` do the same on demand.
 */
import type { Gatehouse } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, failure, runCli, startTestServer, type TestServer } from './harness.js';
import { type Adopter, type AdopterSession, startAdopter } from './sso/adopter.js';
import { Browser } from './sso/browser.js';
import { type SamlIdp, signingKey, startSamlIdp } from './sso/saml-idp.js';

const pglite = backends[0]!;

/** Polls `check` until it returns a value (not undefined), for at most 15 s. */
async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('I1 SAML metadata by URL: rotation picked up by the background refresh', () => {
  let t: TestServer;
  let idp: SamlIdp;
  let adopter: Adopter;
  let admin: Gatehouse;
  let orgId: string;
  let connectionId: string;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestServer(pglite, {
      ssoAllowHttp: true,
      ssoAllowPrivateNetwork: true,
      samlMetadataRefreshMs: 1000,
    });
    idp = await startSamlIdp();
    const { result: org } = await t.admin.api.orgs.create.mutate({
      name: 'Acme Metadata',
      preset: 'flowcode',
      owner: { email: 'owner@acme-meta.test' },
    });
    orgId = org.id;
    const { result: a } = await t.admin.api.apiClients.create.mutate({
      orgId,
      name: 'admin',
      roles: [{ role: 'org_admin' }],
    });
    admin = t.connect(a.key);
    const { result: app } = await t.admin.api.apiClients.create.mutate({
      orgId,
      name: 'adopter backend',
      roles: [],
    });
    const { result: conn } = await admin.api.sso.createConnection.mutate({
      protocol: 'saml',
      orgId,
      name: 'IdP by metadata URL',
      metadataUrl: idp.metadataUrl,
    });
    connectionId = conn.id;
    adopter = await startAdopter({
      gatehouseUrl: t.url,
      apiKey: app.key,
      orgId,
      connectionId,
      workspaceId: orgId,
    });
    await admin.api.sso.setRedirectUris.mutate({ orgId, uris: [adopter.callbackUrl] });
  });
  afterAll(async () => {
    await adopter?.close();
    await idp?.close();
    await t?.close();
  });

  const view = async () => {
    const c = await admin.api.sso.getConnection.query({ orgId, connectionId });
    if (c.protocol !== 'saml') throw new Error('not SAML');
    return c;
  };
  /** A sign-in through the adopter: the session, or the adopter's error. */
  async function signIn() {
    const n = ++seq;
    idp.signInAs({
      nameId: `meta-${n}`,
      attributes: { email: `m${n}@acme-meta.test`, name: `M${n}` },
    });
    const landing = await new Browser().walk(`${adopter.url}/login`);
    return {
      status: landing.status,
      body: JSON.parse(landing.body) as Partial<AdopterSession> & { description?: string },
    };
  }

  it('I1 the connection reads its IdP settings from the URL and signs people in', async () => {
    const c = await view();
    expect(c).toMatchObject({
      idpEntityId: idp.entityId,
      idpSsoUrl: idp.ssoUrl,
      idpMetadata: { url: idp.metadataUrl, error: null },
    });
    expect(c.idpCertificates).toHaveLength(1);
    const ok = await signIn();
    expect(ok.status).toBe(200);
    expect(ok.body.sessionToken).toMatch(/^ses_/);
  });

  it('I1 a key rotated in the metadata is picked up by the background refresh: no edit of the connection', async () => {
    const oldKey = idp.key;
    const newKey = await signingKey('Rotated IdP key');
    // The IdP signs with its new key before Gatehouse has seen it: refused.
    idp.useKey(newKey);
    const early = await signIn();
    expect(early.status).toBe(403);
    expect(early.body.description).toMatch(/signature/i);
    // It publishes the new certificate beside the old one; the refresh reads it within seconds.
    idp.publish([oldKey, newKey]);
    await until(
      async () => ((await view()).idpCertificates.length === 2 ? true : undefined),
      'the new certificate',
    );
    const after = await signIn();
    expect(after.status).toBe(200);
    // Then the old one goes from the metadata, and from the connection.
    idp.publish([newKey]);
    await until(
      async () => ((await view()).idpCertificates.length === 1 ? true : undefined),
      'the old certificate to go',
    );
    const entries = await admin.api.audit.list.query({ orgId, limit: 50 });
    const refreshed = entries.items.filter(
      (e) => e.action === 'MetadataRefreshed' && e.entityId === connectionId,
    );
    expect(refreshed.length).toBeGreaterThanOrEqual(2);
    expect(refreshed[0]).toMatchObject({ source: 'system' });
  });

  it('I1 a metadata URL that breaks is recorded on the connection; sign-ins go on with the certificates it had; the CLI says why a refresh fails', async () => {
    const env = { GATEHOUSE_URL: t.url, GATEHOUSE_ADMIN_KEY: t.adminKey };
    idp.failMetadata(503);
    try {
      const broken = await until(async () => {
        const c = await view();
        return c.idpMetadata?.error ? c : undefined;
      }, 'the failure to be recorded');
      expect(broken.idpMetadata?.error).toMatch(/HTTP 503/);
      expect(broken.idpCertificates).toHaveLength(1);
      const still = await signIn();
      expect(still.status).toBe(200);
      const cli = await runCli(['sso', 'refresh-metadata', connectionId, '--org', orgId], env);
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toMatch(/answered HTTP 503/);
      expect(
        await failure(admin.api.sso.refreshSamlMetadata.mutate({ orgId, connectionId })),
      ).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/HTTP 503/) });
    } finally {
      idp.failMetadata(null);
    }
    const cli = await runCli(['sso', 'refresh-metadata', connectionId, '--org', orgId], env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`refreshed (unchanged) ${connectionId}`);
    expect(cli.stdout).toContain(`IdP metadata ${idp.metadataUrl} (refreshed `);
    expect((await view()).idpMetadata?.error).toBeNull();
    const entries = await admin.api.audit.list.query({ orgId, limit: 50 });
    expect(
      entries.items.filter(
        (e) => e.action === 'MetadataRefreshFailed' && e.entityId === connectionId,
      ),
    ).toHaveLength(1);
  });

  it('I1 a metadata URL that cannot be read is a clear BAD_REQUEST at creation; nothing is created', async () => {
    const before = await admin.api.sso.listConnections.query({ orgId });
    for (const metadataUrl of [`${idp.metadataUrl}/nope`, 'https://127.0.0.1:1/metadata']) {
      expect(
        await failure(
          admin.api.sso.createConnection.mutate({
            protocol: 'saml',
            orgId,
            name: 'Broken',
            metadataUrl,
          }),
        ),
      ).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/metadataUrl/) });
    }
    expect(await admin.api.sso.listConnections.query({ orgId })).toHaveLength(before.length);
  });
});
