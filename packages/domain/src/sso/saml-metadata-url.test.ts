/**
 * I1 (issue 13): SAML IdP metadata by URL. A real HTTP server on loopback publishes IdP metadata
 * that changes (a certificate rotation); connections created with `metadataUrl` read it,
 * `refreshSamlMetadata` and the background pass pick up what changed, and a URL that fails
 * (unreachable, slow, too large, not metadata, http where https is required) is a clear INVALID
 * that changes nothing, or, in the background, is recorded while the connection keeps its
 * certificates. On PGlite and PostgreSQL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSamlConnection,
  getSsoConnection,
  listAudit,
  listSsoConnections,
  refreshDueSamlMetadata,
  refreshSamlMetadata,
  runSamlMetadataRefresh,
  type SsoConnectionView,
  updateSamlConnection,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin, orgWithClients } from '../testing.js';

/** A self-signed certificate body (base64 DER), as metadata carries it. */
async function certificate(cn: string): Promise<string> {
  const pems = await generate([{ name: 'commonName', value: cn }], { keySize: 2048 });
  return pems.cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
}

const metadataXml = (entityId: string, ssoUrl: string, certs: string[]) =>
  `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${certs
    .map(
      (c) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join(
      '',
    )}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/></md:IDPSSODescriptor></md:EntityDescriptor>`;

/** The IdP's metadata endpoint: what it serves can change, or fail, between requests. */
interface MetadataServer {
  readonly url: string;
  /** Requests seen per path. */
  readonly hits: Map<string, number>;
  certs: string[];
  /** When set, `/metadata` answers this status instead. */
  failWith: number | null;
  close(): Promise<void>;
}

async function startMetadataServer(certs: string[]): Promise<MetadataServer> {
  const state = { certs, failWith: null as number | null };
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/metadata') {
      if (state.failWith) return void res.writeHead(state.failWith).end('secret body');
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
      return void res.end(metadataXml(`${base}/entity`, `${base}/sso`, state.certs));
    }
    if (path === '/slow') return; // never answers
    if (path === '/big') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write(`<x>${' '.repeat(600 * 1024)}`);
      return void res.end('</x>');
    }
    if (path === '/html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html><body>sign in</body></html>');
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url: base,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
}

describe.each(testBackends())('SAML metadata by URL on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  let strict: Services;
  let idp: MetadataServer;
  let certA: string;
  let certB: string;

  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, {
      publicUrl: 'https://gatehouse.test',
      ssoAllowHttp: true,
      ssoAllowPrivateNetwork: true,
      ssoFetchTimeoutMs: 500,
    });
    strict = createServices(g.db, { publicUrl: 'https://gatehouse.test' });
    [certA, certB] = await Promise.all([certificate('IdP key A'), certificate('IdP key B')]);
    idp = await startMetadataServer([certA]);
  });
  afterAll(async () => {
    await idp?.close();
    await g?.close();
  });

  let n = 0;
  async function org(services = s) {
    const tag = `${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const o = await orgWithClients(services, {
      name: `Meta ${tag}`,
      ownerEmail: `owner-${tag}@meta.test`,
    });
    const client = (role: string) => o.client(role);
    return { orgId: o.orgId, admin: await client('org_admin'), client };
  }

  const saml = (v: SsoConnectionView) => {
    if (v.protocol !== 'saml') throw new Error('not SAML');
    return v;
  };
  const actions = async (orgId: string, connectionId: string) =>
    (await listAudit({ services: s, caller: admin, orgId }, { limit: 100 })).items
      .filter((e) => e.entityId === connectionId)
      .map((e) => e.action);

  it('I1 a connection made from a metadata URL reads the entity id, SSO URL and certificates from it', async () => {
    const o = await org();
    const { result } = await createSamlConnection(o.admin, {
      name: 'By URL',
      metadataUrl: `${idp.url}/metadata`,
    });
    const c = saml(result);
    expect(c).toMatchObject({
      idpEntityId: `${idp.url}/entity`,
      idpSsoUrl: `${idp.url}/sso`,
      idpMetadata: { url: `${idp.url}/metadata`, error: null },
    });
    expect(c.idpCertificates).toHaveLength(1);
    expect(c.idpMetadata?.refreshedAt).toBe(c.idpMetadata?.checkedAt);
    // The audit entry names the URL, not the times of its fetches.
    const entry = (
      await listAudit({ services: s, caller: admin, orgId: o.orgId }, { limit: 10 })
    ).items.find((e) => e.action === 'Created' && e.entityId === c.id);
    expect(entry?.after).toMatchObject({ idpMetadata: { url: `${idp.url}/metadata` } });
    expect(JSON.stringify(entry?.after)).not.toContain('checkedAt');
  });

  it('I1 a metadata URL that fails is a clear INVALID and nothing is created', async () => {
    const o = await org();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const cases: Array<[string, RegExp]> = [
      [`${idp.url}/missing`, /answered HTTP 404/],
      [`${idp.url}/slow`, /no answer within 0\.5 s/],
      [`${idp.url}/big`, /larger than 524288 bytes/],
      [`${idp.url}/html`, /metadata at .*: metadata has no IDPSSODescriptor/],
      [`http://127.0.0.1:${closedPort}/metadata`, /could not be fetched: ECONNREFUSED/],
      ['not a url', /is not a URL/],
      ['ftp://idp.test/metadata', /must be https/],
    ];
    for (const [metadataUrl, why] of cases) {
      await expect(
        createSamlConnection(o.admin, { name: 'Bad', metadataUrl }),
        metadataUrl,
      ).rejects.toMatchObject({ code: 'INVALID', message: expect.stringMatching(why) });
    }
    expect(await listSsoConnections(o.admin)).toEqual([]);
  });

  it('SSRF a metadata URL on loopback is refused unless private networks are allowed; nothing is requested or created', async () => {
    const noPrivate = createServices(g.db, {
      publicUrl: 'https://gatehouse.test',
      ssoAllowHttp: true,
      ssoFetchTimeoutMs: 500,
    });
    const o = await org(noPrivate);
    const before = idp.hits.get('/metadata') ?? 0;
    const port = new URL(idp.url).port;
    for (const url of [`${idp.url}/metadata`, `http://localhost:${port}/metadata`]) {
      await expect(
        createSamlConnection(o.admin, { name: 'Private', metadataUrl: url }),
        url,
      ).rejects.toMatchObject({
        code: 'INVALID',
        message: expect.stringMatching(
          /127\.0\.0\.1.* is not a public address; set GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1/,
        ),
      });
    }
    expect(idp.hits.get('/metadata') ?? 0).toBe(before);
    expect(await listSsoConnections(o.admin)).toEqual([]);
  });

  it('I1 plain http is refused unless the deployment allows it (ssoAllowHttp)', async () => {
    const o = await org(strict);
    const before = idp.hits.get('/metadata') ?? 0;
    await expect(
      createSamlConnection(o.admin, { name: 'Http', metadataUrl: `${idp.url}/metadata` }),
    ).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/must be https \(GATEHOUSE_SSO_ALLOW_HTTP=1/),
    });
    expect(idp.hits.get('/metadata') ?? 0).toBe(before);
  });

  it('I1 only a connection admin makes the server fetch a URL: anyone else is FORBIDDEN before any request', async () => {
    const o = await org();
    const user = await o.client('org_user');
    const before = idp.hits.get('/metadata') ?? 0;
    await expect(
      createSamlConnection(user, { name: 'No', metadataUrl: `${idp.url}/metadata` }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const { result } = await createSamlConnection(o.admin, {
      name: 'Yes',
      metadataUrl: `${idp.url}/metadata`,
    });
    const fetchedOnce = (idp.hits.get('/metadata') ?? 0) - before;
    await expect(refreshSamlMetadata(user, { connectionId: result.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((idp.hits.get('/metadata') ?? 0) - before).toBe(fetchedOnce);
  });

  it('I1 refreshSamlMetadata picks up a rotated certificate, audited; a failing refresh changes nothing', async () => {
    const o = await org();
    idp.certs = [certA];
    const { result } = await createSamlConnection(o.admin, {
      name: 'Rotating',
      metadataUrl: `${idp.url}/metadata`,
    });
    const fp = (v: SsoConnectionView) => saml(v).idpCertificates.map((x) => x.fingerprint);
    const [fpA] = fp(result);
    // The IdP publishes the new certificate beside the old one, then the new one alone.
    idp.certs = [certA, certB];
    const r1 = await refreshSamlMetadata(o.admin, { connectionId: result.id });
    expect(r1.result.changed).toEqual(['idpCertificates']);
    expect(fp(r1.result.connection)).toHaveLength(2);
    idp.certs = [certB];
    const r2 = await refreshSamlMetadata(o.admin, { connectionId: result.id });
    expect(fp(r2.result.connection)).not.toContain(fpA);
    expect(r2.revision).toBeGreaterThan(r1.revision);
    const same = await refreshSamlMetadata(o.admin, { connectionId: result.id });
    expect(same.result.changed).toEqual([]);
    expect(await actions(o.orgId, result.id)).toEqual([
      'MetadataRefreshed',
      'MetadataRefreshed',
      'MetadataRefreshed',
      'Created',
    ]);
    idp.failWith = 500;
    try {
      await expect(refreshSamlMetadata(o.admin, { connectionId: result.id })).rejects.toMatchObject(
        { code: 'INVALID', message: expect.stringMatching(/HTTP 500/) },
      );
    } finally {
      idp.failWith = null;
    }
    const after = saml(await getSsoConnection(o.admin, { connectionId: result.id }));
    expect(fp(after)).toEqual(fp(r2.result.connection));
    expect(after.idpMetadata?.error).toBeNull();
    expect(await actions(o.orgId, result.id)).toHaveLength(4);
  });

  it('I1 a connection without a URL cannot be refreshed; metadataUrl: null forgets the URL and keeps the settings', async () => {
    const o = await org();
    idp.certs = [certA];
    const { result } = await createSamlConnection(o.admin, {
      name: 'Forget',
      metadataUrl: `${idp.url}/metadata`,
    });
    const { result: updated } = await updateSamlConnection(o.admin, {
      connectionId: result.id,
      metadataUrl: null,
    });
    expect(saml(updated)).toMatchObject({ idpMetadata: null, idpEntityId: `${idp.url}/entity` });
    await expect(refreshSamlMetadata(o.admin, { connectionId: result.id })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/no metadata URL/),
    });
    // An update may name a URL again (fetched then).
    const { result: again } = await updateSamlConnection(o.admin, {
      connectionId: result.id,
      metadataUrl: `${idp.url}/metadata`,
    });
    expect(saml(again).idpMetadata?.url).toBe(`${idp.url}/metadata`);
    await expect(
      updateSamlConnection(o.admin, { connectionId: result.id, metadataUrl: `${idp.url}/missing` }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    expect(
      saml(await getSsoConnection(o.admin, { connectionId: result.id })).idpMetadata?.url,
    ).toBe(`${idp.url}/metadata`);
  });

  it('I1 the background pass picks up a new certificate, records a failure without breaking the connection, and clears it once the URL answers again', async () => {
    const o = await org();
    idp.certs = [certA];
    const { result } = await createSamlConnection(o.admin, {
      name: 'Background',
      metadataUrl: `${idp.url}/metadata`,
    });
    const id = result.id;
    const view = async () => saml(await getSsoConnection(o.admin, { connectionId: id }));
    const mine = <T extends { connectionId: string }>(xs: readonly T[]) =>
      xs.filter((x) => x.connectionId === id);
    // Not due yet: checked just now.
    const quiet = await refreshDueSamlMetadata(s, { intervalMs: 3_600_000 });
    expect(mine(quiet.changed)).toEqual([]);
    idp.certs = [certA, certB];
    const pass = await refreshDueSamlMetadata(s, { intervalMs: 0 });
    expect(mine(pass.changed)).toEqual([expect.objectContaining({ fields: ['idpCertificates'] })]);
    expect((await view()).idpCertificates).toHaveLength(2);
    // The IdP's metadata endpoint breaks: twice; the certificates stay, the error shows.
    idp.failWith = 503;
    try {
      for (let i = 0; i < 2; i++) {
        const failing = await refreshDueSamlMetadata(s, { intervalMs: 0 });
        expect(mine(failing.failed)).toEqual([
          expect.objectContaining({ error: expect.stringMatching(/HTTP 503/) }),
        ]);
      }
    } finally {
      idp.failWith = null;
    }
    const broken = await view();
    expect(broken.idpCertificates).toHaveLength(2);
    expect(broken.idpMetadata?.error).toMatch(/HTTP 503/);
    expect(broken.idpMetadata?.error).not.toContain('secret body');
    expect(new Date(broken.idpMetadata!.checkedAt!).getTime()).toBeGreaterThan(
      new Date(broken.idpMetadata!.refreshedAt!).getTime() - 1,
    );
    // Back: the error clears, and an unchanged document writes no audit entry.
    const back = await refreshDueSamlMetadata(s, { intervalMs: 0 });
    expect(mine(back.changed)).toEqual([]);
    expect(mine(back.failed)).toEqual([]);
    expect((await view()).idpMetadata?.error).toBeNull();
    expect(await actions(o.orgId, id)).toEqual([
      'MetadataRefreshFailed',
      'MetadataRefreshed',
      'Created',
    ]);
  });

  it('I1 the periodic job runs one pass per interval across processes (job_claims)', async () => {
    const first = await runSamlMetadataRefresh(s, { intervalMs: 60_000, owner: 'a' });
    expect(first).not.toBeNull();
    expect(await runSamlMetadataRefresh(s, { intervalMs: 60_000, owner: 'b' })).toBeNull();
  });
});
