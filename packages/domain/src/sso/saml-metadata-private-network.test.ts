/**
 * SSRF guard on the SAML metadata refreshes: a connection saved by services that allow private
 * networks (its metadata URL on a loopback "internal service") is then refreshed by services
 * that do not: the admin's `refreshSamlMetadata` is an INVALID naming the setting, the
 * background pass records that refusal as the connection's metadata error, the internal service
 * receives no request, and the connection keeps its certificates. With the allowance the same
 * calls do reach it (so the refusal is the guard's). On PGlite and PostgreSQL.
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
  refreshDueSamlMetadata,
  refreshSamlMetadata,
  runSamlMetadataRefresh,
  type SsoConnectionView,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin, orgWithClients } from '../testing.js';

/** A self-signed certificate body (base64 DER), as metadata carries it. */
async function certificate(cn: string): Promise<string> {
  const pems = await generate([{ name: 'commonName', value: cn }], { keySize: 2048 });
  return pems.cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
}

const metadataXml = (base: string, cert: string) =>
  `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${base}/entity"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;

/** The loopback "internal service": publishes metadata with `cert` and counts requests. */
interface InternalService {
  readonly url: string;
  requests: number;
  cert: string;
  close(): Promise<void>;
}

async function startInternalService(cert: string): Promise<InternalService> {
  const state = { requests: 0, cert };
  const server: Server = createServer((_req, res) => {
    state.requests++;
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
    res.end(metadataXml(base, state.cert));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url: base,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
}

const REFUSED = /not a public address.*GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1/;

describe.each(testBackends())(
  'SAML metadata refreshes without the private-network allowance on $name',
  (backend) => {
    let g: Gatedb;
    /** Services of a deployment that allowed private networks when the connection was saved. */
    let open: Services;
    /** The same database, served by a deployment without the allowance. */
    let strict: Services;
    let internal: InternalService;
    let certA: string;
    let certB: string;

    beforeAll(async () => {
      g = await backend.open();
      open = createServices(g.db, {
        publicUrl: 'https://gatehouse.test',
        ssoAllowHttp: true,
        ssoAllowPrivateNetwork: true,
        ssoFetchTimeoutMs: 2_000,
      });
      // http stays allowed, so what refuses the URL is the private-network guard alone.
      strict = createServices(g.db, {
        publicUrl: 'https://gatehouse.test',
        ssoAllowHttp: true,
        ssoFetchTimeoutMs: 2_000,
      });
      [certA, certB] = await Promise.all([certificate('Internal A'), certificate('Internal B')]);
      internal = await startInternalService(certA);
    });
    afterAll(async () => {
      await internal?.close();
      await g?.close();
    });

    let n = 0;
    /** A SAML connection saved (with the allowance) from the internal service's metadata. */
    async function savedConnection(host = '127.0.0.1') {
      const tag = `${++n}-${Math.random().toString(36).slice(2, 8)}`;
      const o = await orgWithClients(open, {
        name: `Inside ${tag}`,
        ownerEmail: `o-${tag}@in.test`,
      });
      const admin = await o.client('org_admin');
      internal.cert = certA;
      const { result } = await createSamlConnection(admin, {
        name: 'Internal metadata',
        metadataUrl: `${internal.url.replace('127.0.0.1', host)}/metadata`,
      });
      const strictAdmin = { ...admin, services: strict };
      const view = async () => saml(await getSsoConnection(admin, { connectionId: result.id }));
      const actions = async () =>
        (
          await listAudit({ services: open, caller: instanceAdmin, orgId: o.orgId }, { limit: 100 })
        ).items
          .filter((e) => e.entityId === result.id)
          .map((e) => e.action);
      return { id: result.id, admin, strictAdmin, view, actions, saved: saml(result) };
    }

    const saml = (v: SsoConnectionView) => {
      if (v.protocol !== 'saml') throw new Error('not SAML');
      return v;
    };
    const idpSide = (v: ReturnType<typeof saml>) => ({
      idpEntityId: v.idpEntityId,
      idpSsoUrl: v.idpSsoUrl,
      idpCertificates: v.idpCertificates,
    });

    // By IP literal (refused before any connection) and by a name resolving to loopback (refused
    // on the resolved address, as a name whose DNS later points inside would be).
    it.each(['127.0.0.1', 'localhost'])(
      "an admin's refresh of a URL on %s is INVALID naming the setting; no request, nothing changed or audited",
      async (host) => {
        const c = await savedConnection(host);
        internal.cert = certB; // what a refresh would pick up, if it reached the service
        const before = internal.requests;
        await expect(
          refreshSamlMetadata(c.strictAdmin, { connectionId: c.id }),
        ).rejects.toMatchObject({ code: 'INVALID', message: expect.stringMatching(REFUSED) });
        expect(internal.requests).toBe(before);
        const after = await c.view();
        expect(idpSide(after)).toEqual(idpSide(c.saved));
        expect(after.idpMetadata).toEqual(c.saved.idpMetadata);
        expect(await c.actions()).toEqual(['Created']);

        // With the allowance the same refresh reaches the service and picks up the new certificate.
        const { result } = await refreshSamlMetadata(c.admin, { connectionId: c.id });
        expect(internal.requests).toBe(before + 1);
        expect(result.changed).toEqual(['idpCertificates']);
        expect(await c.actions()).toEqual(['MetadataRefreshed', 'Created']);
      },
    );

    it('the background pass records the refusal as the metadata error and keeps the certificates; no request', async () => {
      const c = await savedConnection();
      internal.cert = certB;
      const before = internal.requests;
      const pass = await refreshDueSamlMetadata(strict, { intervalMs: 0 });
      expect(internal.requests).toBe(before);
      const mine = pass.failed.find((f) => f.connectionId === c.id);
      expect(mine?.error).toMatch(REFUSED);
      expect(pass.errors).toEqual([]);
      expect(pass.changed.find((x) => x.connectionId === c.id)).toBeUndefined();
      const after = await c.view();
      expect(idpSide(after)).toEqual(idpSide(c.saved));
      expect(after.idpMetadata?.error).toMatch(REFUSED);
      expect(after.idpMetadata?.refreshedAt).toBe(c.saved.idpMetadata?.refreshedAt);
      expect(await c.actions()).toEqual(['MetadataRefreshFailed', 'Created']);

      // The claimed periodic job (what the server runs) refuses the same way.
      const job = await runSamlMetadataRefresh(strict, { intervalMs: 0, owner: 'strict' });
      expect(job?.failed.find((f) => f.connectionId === c.id)?.error).toMatch(REFUSED);
      expect(internal.requests).toBe(before);
      expect(idpSide(await c.view())).toEqual(idpSide(c.saved));

      // With the allowance the pass reaches the service, applies the document, clears the error.
      const allowed = await runSamlMetadataRefresh(open, {
        intervalMs: 0,
        passIntervalMs: 0,
        owner: 'open',
      });
      expect(internal.requests).toBeGreaterThan(before);
      expect(allowed?.changed.find((x) => x.connectionId === c.id)?.fields).toEqual([
        'idpCertificates',
      ]);
      const fixed = await c.view();
      expect(fixed.idpMetadata?.error).toBeNull();
      expect(fixed.idpCertificates).not.toEqual(c.saved.idpCertificates);
    });
  },
);
