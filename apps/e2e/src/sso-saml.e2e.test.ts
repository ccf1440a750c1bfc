/**
 * I1 I2 (issue 13, SAML): SAML 2.0 single sign-on end to end against a test IdP that signs real
 * Responses with a generated key pair and self-signed certificate (./sso/saml-idp.ts, xml-crypto)
 * and the real server: the sample adopter app (./sso/adopter.ts) sends the browser to
 * `/sso/authorize`, Gatehouse sends an AuthnRequest (HTTP-Redirect), the IdP posts its Response
 * to the ACS (HTTP-POST), Gatehouse provisions just in time, and the adopter exchanges the
 * one-time code through the SDK and asks `gh.can()` about a role an IdP group attribute mapped.
 * Then every refusal the issue lists, each its own test: wrong issuer, wrong audience, expired
 * and not-yet-valid assertions, a replayed assertion, unsigned assertion and response, XML
 * signature wrapping, a certificate not in the connection, org A's connection used for org B,
 * and IdP-initiated sign-in while disabled (and accepted once enabled).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gatehouse } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, failure, runCli, startTestServer, type TestServer } from './harness.js';
import { type Adopter, type AdopterSession, startAdopter } from './sso/adopter.js';
import { Browser } from './sso/browser.js';
import {
  assertionXml,
  encryptAssertion,
  newSamlId,
  type ResponseSpec,
  readAuthnRequest,
  responseXml,
  type SamlIdp,
  type SamlPerson,
  samlResponse,
  signingKey,
  signXml,
  startSamlIdp,
} from './sso/saml-idp.js';

const pglite = backends[0]!;

describe('I1 I2 SAML single sign-on against a signing test IdP', () => {
  let t: TestServer;
  let idp: SamlIdp;
  let adopter: Adopter;
  let admin: Gatehouse;
  let orgId: string;
  let workspaceId: string;
  let connectionId: string;
  let spEntityId: string;
  let acsUrl: string;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestServer(pglite, { ssoAllowHttp: true, ssoAllowPrivateNetwork: true });
    idp = await startSamlIdp();
    const { result: org } = await t.admin.api.orgs.create.mutate({
      name: 'Acme SAML',
      preset: 'flowcode',
      owner: { email: 'owner@acme-saml.test' },
    });
    orgId = org.id;
    const { result: adminClient } = await t.admin.api.apiClients.create.mutate({
      orgId,
      name: 'admin',
      roles: [{ role: 'org_admin' }],
    });
    admin = t.connect(adminClient.key);
    const { result: app } = await t.admin.api.apiClients.create.mutate({
      orgId,
      name: 'adopter backend',
      roles: [],
    });
    const { result: ws } = await admin.api.scopes.create.mutate({
      orgId,
      kind: 'workspace',
      name: 'Marketing',
      parentId: orgId,
    });
    workspaceId = ws.id;
    const { result: conn } = await admin.api.sso.createConnection.mutate({
      protocol: 'saml',
      orgId,
      name: 'Test SAML IdP',
      metadataXml: idp.metadata,
    });
    if (conn.protocol !== 'saml') throw new Error('not SAML');
    connectionId = conn.id;
    spEntityId = conn.spEntityId;
    acsUrl = conn.acsUrl;
    const { result: g } = await admin.api.groups.create.mutate({ orgId, name: 'Engineering' });
    await admin.api.assignments.assign.mutate({
      orgId,
      subjectId: g.id,
      role: 'workspace_editor',
      scopeId: workspaceId,
    });
    await admin.api.sso.setGroupMapping.mutate({
      orgId,
      connectionId,
      idpGroup: 'eng',
      groupId: g.id,
    });
    adopter = await startAdopter({
      gatehouseUrl: t.url,
      apiKey: app.key,
      orgId,
      connectionId,
      workspaceId,
    });
    await admin.api.sso.setRedirectUris.mutate({ orgId, uris: [adopter.callbackUrl] });
  });
  afterAll(async () => {
    await adopter?.close();
    await idp?.close();
    await t?.close();
  });

  const person = (groups: string[]): SamlPerson => {
    const n = ++seq;
    return {
      nameId: `saml-p-${n}`,
      attributes: { email: `s${n}@acme-saml.test`, name: `S${n}`, groups },
    };
  };
  /** A sign-in started through the adopter, stopped where the browser reaches the IdP. */
  async function startAttempt() {
    const b = new Browser();
    const l = await b.walk(`${adopter.url}/login`, { stop: (u) => u.href.startsWith(idp.ssoUrl) });
    const at = new URL(l.location!);
    return { requestId: readAuthnRequest(at).id, relayState: at.searchParams.get('RelayState')! };
  }
  const spec = (over: Partial<ResponseSpec> = {}): ResponseSpec => ({
    person: person([]),
    acsUrl,
    audience: spEntityId,
    issuer: idp.entityId,
    key: idp.key,
    ...over,
  });
  async function postAcs(fields: Record<string, string>, to = acsUrl) {
    const res = await fetch(to, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const location = res.headers.get('location');
    return {
      status: res.status,
      location: location ? new URL(location) : null,
      body: await res.text(),
    };
  }
  /** A Response for a fresh attempt, built by `make`, posted to the ACS. */
  async function answer(
    make: (s: ResponseSpec) => string | Promise<string>,
    over: Partial<ResponseSpec> = {},
  ) {
    const a = await startAttempt();
    const xml = await make(spec({ inResponseTo: a.requestId, ...over }));
    return postAcs({ SAMLResponse: xml, RelayState: a.relayState });
  }
  const refusedWith = (r: Awaited<ReturnType<typeof postAcs>>, why: RegExp) => {
    expect(r.status).toBe(302);
    expect(r.location?.href.startsWith(adopter.callbackUrl)).toBe(true);
    expect(r.location?.searchParams.get('code')).toBeNull();
    expect(r.location?.searchParams.get('error')).toBe('access_denied');
    expect(r.location?.searchParams.get('error_description')).toMatch(why);
  };
  const b64 = (xml: string) => Buffer.from(xml).toString('base64');

  it('I1 the connection view shows the SP metadata and ACS URLs, certificates by fingerprint, never a key; the SP metadata is published', async () => {
    const c = await admin.api.sso.getConnection.query({ orgId, connectionId });
    expect(c).toMatchObject({
      protocol: 'saml',
      idpEntityId: idp.entityId,
      idpSsoUrl: idp.ssoUrl,
      acsUrl: `${t.url}/sso/saml/${connectionId}/acs`,
      metadataUrl: `${t.url}/sso/saml/${connectionId}/metadata`,
      allowIdpInitiated: false,
      wantEncryptedAssertions: false,
    });
    if (c.protocol !== 'saml') throw new Error('not SAML');
    expect(c.idpCertificates).toHaveLength(1);
    expect(c.idpCertificates[0]!.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(JSON.stringify(c)).not.toMatch(/PRIVATE KEY|spPrivateKey/);
    const res = await fetch(c.metadataUrl);
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain(`entityID="${c.spEntityId}"`);
    expect(xml).toContain(`Location="${c.acsUrl}"`);
    expect((await fetch(`${t.url}/sso/saml/ssoc_nope/metadata`)).status).toBe(404);
  });

  it('I1 I2 end to end through the SDK: authorize → IdP → ACS → exchange → gh.can on a role the IdP group attribute mapped', async () => {
    const p = person(['eng', 'unmapped']);
    idp.signInAs(p);
    const landing = await new Browser().walk(`${adopter.url}/login`);
    expect(landing.status).toBe(200);
    const got = JSON.parse(landing.body) as AdopterSession;
    expect(got).toMatchObject({ email: p.attributes.email, canWriteFlows: true });
    expect(got.sessionToken).toMatch(/^ses_/);
    const idpHop = landing.visited.find((u) => u.href.startsWith(idp.ssoUrl))!;
    expect(idpHop.searchParams.get('SAMLRequest')).toBeTruthy();
    expect(landing.visited.some((u) => u.href === acsUrl)).toBe(true);
    // The IdP drops the group: the next sign-in removes the person from the mapped group.
    idp.signInAs({ ...p, attributes: { ...p.attributes, groups: [] } });
    const again = JSON.parse((await new Browser().walk(`${adopter.url}/login`)).body);
    expect(again).toMatchObject({ userId: got.userId, canWriteFlows: false });
  });

  it('I2 a wrong issuer is refused', async () => {
    refusedWith(await answer(samlResponse, { issuer: 'https://evil.test/idp' }), /issuer/);
  });

  it('I2 a wrong audience is refused', async () => {
    refusedWith(await answer(samlResponse, { audience: 'https://other-sp.test' }), /audience/i);
  });

  it('I2 an expired assertion is refused', async () => {
    const now = Date.now();
    refusedWith(
      await answer(samlResponse, {
        notBefore: new Date(now - 20 * 60_000),
        notOnOrAfter: new Date(now - 10 * 60_000),
      }),
      /expired/i,
    );
  });

  it('I2 a not-yet-valid assertion is refused', async () => {
    const now = Date.now();
    refusedWith(
      await answer(samlResponse, {
        notBefore: new Date(now + 10 * 60_000),
        notOnOrAfter: new Date(now + 20 * 60_000),
      }),
      /not yet valid/i,
    );
  });

  it('I2 a replayed Response is refused (the attempt and the assertion id are single use)', async () => {
    const a = await startAttempt();
    const assertionId = newSamlId();
    const body = await samlResponse(spec({ inResponseTo: a.requestId, assertionId }));
    const first = await postAcs({ SAMLResponse: body, RelayState: a.relayState });
    expect(first.location?.searchParams.get('code')).toMatch(/^ssox_/);
    const replay = await postAcs({ SAMLResponse: body, RelayState: a.relayState });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatch(/already completed/);
    // The same assertion id again, answering a new request: refused as a replay.
    const b = await startAttempt();
    refusedWith(
      await postAcs({
        SAMLResponse: await samlResponse(spec({ inResponseTo: b.requestId, assertionId })),
        RelayState: b.relayState,
      }),
      /already used/,
    );
  });

  it('I2 an unsigned assertion, signed neither in the Response nor itself, is refused', async () => {
    refusedWith(await answer(samlResponse, { sign: 'none' }), /signature/i);
  });

  it('I2 a signed Response whose assertion is unsigned is refused (signed assertions required)', async () => {
    refusedWith(await answer(samlResponse, { sign: 'response' }), /signature/i);
  });

  it('I2 XML signature wrapping: a signed assertion moved aside and an unsigned one added is refused', async () => {
    const victim = person(['eng']);
    const attacker = person(['eng']);
    // The signed assertion hidden in Extensions, the forged one where the SP reads.
    refusedWith(
      await answer((s) => {
        const signed = signXml(assertionXml({ ...s, person: victim }), 'Assertion', s.key);
        const forged = assertionXml({ ...s, person: attacker });
        return b64(responseXml(s, `<samlp:Extensions>${signed}</samlp:Extensions>${forged}`));
      }),
      /signature/i,
    );
    // Both side by side: a Response may carry one assertion only.
    refusedWith(
      await answer((s) => {
        const signed = signXml(assertionXml({ ...s, person: victim }), 'Assertion', s.key);
        return b64(responseXml(s, `${assertionXml({ ...s, person: attacker })}${signed}`));
      }),
      /signature|multiple/i,
    );
    // The forged assertion carrying the signed one inside it.
    refusedWith(
      await answer((s) => {
        const signed = signXml(assertionXml({ ...s, person: victim }), 'Assertion', s.key);
        const forged = assertionXml({ ...s, person: attacker }).replace(
          '</saml:Assertion>',
          `${signed}</saml:Assertion>`,
        );
        return b64(responseXml(s, forged));
      }),
      /signature/i,
    );
  });

  it('I2 an assertion signed with a certificate not in the connection is refused; after rotation it is accepted', async () => {
    const rogue = await signingKey('Another IdP key');
    refusedWith(await answer(samlResponse, { key: rogue }), /signature/i);
    // Rotation: the connection trusts both certificates, then the new one alone.
    await admin.api.sso.updateConnection.mutate({
      protocol: 'saml',
      orgId,
      connectionId,
      idpCertificates: [idp.key.cert, rogue.cert],
    });
    const ok = await answer(samlResponse, { key: rogue });
    expect(ok.location?.searchParams.get('code')).toMatch(/^ssox_/);
    await admin.api.sso.updateConnection.mutate({
      protocol: 'saml',
      orgId,
      connectionId,
      idpCertificates: [idp.key.cert],
    });
    refusedWith(await answer(samlResponse, { key: rogue }), /signature/i);
  });

  it("I2 org A's connection never opens org B: not at authorize, not at another connection's ACS, not with another audience", async () => {
    const { result: orgB } = await t.admin.api.orgs.create.mutate({
      name: 'Other SAML',
      preset: 'flowcode',
      owner: { email: 'o@other-saml.test' },
    });
    const { result: bAdmin } = await t.admin.api.apiClients.create.mutate({
      orgId: orgB.id,
      name: 'b',
      roles: [{ role: 'org_admin' }],
    });
    const gb = t.connect(bAdmin.key);
    const { result: connB } = await gb.api.sso.createConnection.mutate({
      protocol: 'saml',
      orgId: orgB.id,
      name: 'Same IdP, org B',
      metadataXml: idp.metadata,
    });
    if (connB.protocol !== 'saml') throw new Error('not SAML');
    await gb.api.sso.setRedirectUris.mutate({ orgId: orgB.id, uris: [adopter.callbackUrl] });
    // Org A's connection named for org B at /sso/authorize: not found.
    const wrong = await fetch(
      `${t.url}/sso/authorize?${new URLSearchParams({ org: orgB.id, connection: connectionId, redirect_uri: adopter.callbackUrl })}`,
      { redirect: 'manual' },
    );
    expect(wrong.status).toBe(404);
    // Org A's attempt answered at org B's ACS: refused before anything is read.
    const a = await startAttempt();
    const toB = await postAcs(
      {
        SAMLResponse: await samlResponse(
          spec({ inResponseTo: a.requestId, audience: connB.spEntityId, acsUrl: connB.acsUrl }),
        ),
        RelayState: a.relayState,
      },
      connB.acsUrl,
    );
    expect(toB.status).toBe(401);
    expect(toB.body).toMatch(/another connection/);
    // Org B's own attempt answered with a Response meant for org A's SP: wrong audience.
    const b = new Browser();
    const l = await b.walk(
      `${t.url}/sso/authorize?${new URLSearchParams({ org: orgB.id, connection: connB.id, redirect_uri: adopter.callbackUrl, state: 'b' })}`,
      { stop: (u) => u.href.startsWith(idp.ssoUrl) },
    );
    const at = new URL(l.location!);
    const r = await postAcs(
      {
        SAMLResponse: await samlResponse(spec({ inResponseTo: readAuthnRequest(at).id })),
        RelayState: at.searchParams.get('RelayState')!,
      },
      connB.acsUrl,
    );
    refusedWith(r, /audience/i);
  });

  it('I2 IdP-initiated sign-in is refused while disabled (the default) and accepted once the connection allows it; its assertion works once', async () => {
    const unsolicited = () => samlResponse(spec({ person: person(['eng']) }));
    const off = await postAcs({
      SAMLResponse: await unsolicited(),
      RelayState: adopter.callbackUrl,
    });
    expect(off.status).toBe(403);
    expect(off.body).toMatch(/IdP-initiated/);
    await admin.api.sso.updateConnection.mutate({
      protocol: 'saml',
      orgId,
      connectionId,
      allowIdpInitiated: true,
    });
    try {
      const body = await unsolicited();
      const on = await postAcs({ SAMLResponse: body, RelayState: adopter.callbackUrl });
      expect(on.status).toBe(302);
      const code = on.location!.searchParams.get('code')!;
      expect(code).toMatch(/^ssox_/);
      const { result } = await admin.api.sso.exchange.mutate({ orgId, code });
      expect(result.member.status).toBe('active');
      refusedWith(
        await postAcs({ SAMLResponse: body, RelayState: adopter.callbackUrl }),
        /already used/,
      );
      // An unsolicited Response must not claim to answer a request.
      refusedWith(
        await postAcs({
          SAMLResponse: await samlResponse(spec({ inResponseTo: newSamlId() })),
          RelayState: adopter.callbackUrl,
        }),
        /InResponseTo/,
      );
      // The browser goes only to an allowlisted redirect URI.
      const evil = await postAcs({
        SAMLResponse: await unsolicited(),
        RelayState: 'https://evil.test/cb',
      });
      expect(evil.status).toBe(400);
      expect(evil.location).toBeNull();
    } finally {
      await admin.api.sso.updateConnection.mutate({
        protocol: 'saml',
        orgId,
        connectionId,
        allowIdpInitiated: false,
      });
    }
  });

  it('I1 I2 encrypted assertions end to end: the IdP encrypts to the SP certificate, Gatehouse decrypts and signs in; while required, an unencrypted assertion is refused', async () => {
    const sp = await signingKey('Gatehouse SP encryption');
    await admin.api.sso.updateConnection.mutate({
      protocol: 'saml',
      orgId,
      connectionId,
      wantEncryptedAssertions: true,
      spPrivateKey: sp.key,
      spCertificate: sp.cert,
    });
    try {
      const c = await admin.api.sso.getConnection.query({ orgId, connectionId });
      expect(c).toMatchObject({ wantEncryptedAssertions: true });
      expect(JSON.stringify(c)).not.toMatch(/PRIVATE KEY/);
      // The SP metadata carries the encryption certificate the IdP encrypts to.
      const metadata = await (await fetch(`${t.url}/sso/saml/${connectionId}/metadata`)).text();
      expect(metadata).toMatch(/<(\w+:)?KeyDescriptor use="encryption"/);
      expect(metadata.replace(/\s/g, '')).toContain(
        sp.cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''),
      );
      // Through the browser and the adopter: the IdP encrypts, Gatehouse decrypts and signs in.
      const p = person(['eng']);
      idp.signInAs(p);
      idp.encryptTo(sp.cert);
      const landing = await new Browser().walk(`${adopter.url}/login`);
      expect(landing.status, landing.body).toBe(200);
      expect(JSON.parse(landing.body)).toMatchObject({
        email: p.attributes.email,
        canWriteFlows: true,
      });
      // The same answer, built by hand: accepted encrypted; its plain twin is refused.
      const ok = await answer(samlResponse, { encryptTo: sp.cert });
      expect(ok.location?.searchParams.get('code')).toMatch(/^ssox_/);
      refusedWith(await answer(samlResponse), /requires an encrypted assertion/);
      // Encrypted to another key: Gatehouse cannot read it, a clear refusal (never a 500).
      const other = await signingKey('Not the SP');
      refusedWith(await answer(samlResponse, { encryptTo: other.cert }), /refused/);
      // A plain signed assertion beside a decoy EncryptedAssertion hidden elsewhere: refused.
      refusedWith(
        await answer(async (s) => {
          const signed = signXml(assertionXml(s), 'Assertion', s.key);
          const decoy = await encryptAssertion(assertionXml(s), sp.cert);
          return b64(responseXml(s, `<samlp:Extensions>${decoy}</samlp:Extensions>${signed}`));
        }),
        /requires an encrypted assertion/,
      );
      // An encrypted assertion whose content is not signed: refused (signed assertions required).
      refusedWith(await answer(samlResponse, { encryptTo: sp.cert, sign: 'none' }), /signature/i);
      // A connection that holds the key without requiring encryption takes both.
      await admin.api.sso.updateConnection.mutate({
        protocol: 'saml',
        orgId,
        connectionId,
        wantEncryptedAssertions: false,
      });
      const plain = await answer(samlResponse);
      expect(plain.location?.searchParams.get('code')).toMatch(/^ssox_/);
      const sealed = await answer(samlResponse, { encryptTo: sp.cert });
      expect(sealed.location?.searchParams.get('code')).toMatch(/^ssox_/);
    } finally {
      idp.encryptTo(null);
      await admin.api.sso.updateConnection.mutate({
        protocol: 'saml',
        orgId,
        connectionId,
        wantEncryptedAssertions: false,
      });
    }
  });

  it('I2 every refused sign-in is audited as SignInRefused with its reason and no secret, at most 20 per connection per minute', async () => {
    // A connection of its own, so that the refusals of the tests above do not count here.
    const { result: c } = await admin.api.sso.createConnection.mutate({
      protocol: 'saml',
      orgId,
      name: 'Audited refusals',
      metadataXml: idp.metadata,
    });
    if (c.protocol !== 'saml') throw new Error('not SAML');
    const b = new Browser();
    const start = async () => {
      const l = await b.walk(
        `${t.url}/sso/authorize?${new URLSearchParams({ org: orgId, connection: c.id, redirect_uri: adopter.callbackUrl })}`,
        { stop: (u) => u.href.startsWith(idp.ssoUrl) },
      );
      const at = new URL(l.location!);
      return { requestId: readAuthnRequest(at).id, relayState: at.searchParams.get('RelayState')! };
    };
    const mine = (over: Partial<ResponseSpec> = {}) =>
      spec({ acsUrl: c.acsUrl, audience: c.spEntityId, ...over });
    const post = async (
      make: (s: ResponseSpec) => Promise<string>,
      over: Partial<ResponseSpec> = {},
    ) => {
      const a = await start();
      const body = await make(mine({ inResponseTo: a.requestId, ...over }));
      return { body, r: await postAcs({ SAMLResponse: body, RelayState: a.relayState }, c.acsUrl) };
    };
    const posted: string[] = [];
    const refused = async (
      make: (s: ResponseSpec) => Promise<string>,
      over: Partial<ResponseSpec> = {},
    ) => {
      const { body, r } = await post(make, over);
      posted.push(body);
      expect(r.location?.searchParams.get('error')).toBe('access_denied');
      return body;
    };
    await refused(samlResponse, { key: await signingKey('Forger') });
    await refused(samlResponse, { audience: 'https://other-sp.test' });
    // A replay: the same Response again, for the same attempt and for a new one.
    const a = await start();
    const once = await samlResponse(mine({ inResponseTo: a.requestId }));
    const ok = await postAcs({ SAMLResponse: once, RelayState: a.relayState }, c.acsUrl);
    const userId = (
      await admin.api.sso.exchange.mutate({ orgId, code: ok.location!.searchParams.get('code')! })
    ).result.member.userId;
    expect((await postAcs({ SAMLResponse: once, RelayState: a.relayState }, c.acsUrl)).status).toBe(
      401,
    );
    // The member, deactivated by an admin, signs in again.
    const p = person([]);
    const signedIn = await post(samlResponse, { person: p });
    const code = signedIn.r.location!.searchParams.get('code')!;
    const member = (await admin.api.sso.exchange.mutate({ orgId, code })).result.member.userId;
    await admin.api.members.deactivate.mutate({ orgId, userId: member });
    await refused(samlResponse, { person: p });
    expect(userId).toBeTruthy();
    const entries = async () =>
      (await admin.api.audit.list.query({ orgId, limit: 200 })).items.filter(
        (e) => e.action === 'SignInRefused' && e.entityId === c.id,
      );
    const got = (await entries()).reverse();
    expect(got.map((e) => (e.after as { code: string }).code)).toEqual([
      'saml_refused',
      'saml_refused',
      'unauthenticated',
      'deactivated',
    ]);
    expect(got.map((e) => (e.after as { reason: string }).reason)).toEqual([
      expect.stringMatching(/signature/i),
      expect.stringMatching(/audience/i),
      expect.stringMatching(/already completed/),
      expect.stringMatching(/deactivated/),
    ]);
    expect(got[0]).toMatchObject({ source: 'sso', actorId: c.id, after: { unrecordedBefore: 0 } });
    // A flood of forged answers: 20 written in the minute, the rest only counted.
    for (let i = 0; i < 20; i++)
      await refused(samlResponse, { audience: `https://flood-${i}.test` });
    const flooded = await entries();
    expect(flooded).toHaveLength(20);
    const text = JSON.stringify(flooded);
    for (const body of posted) expect(text).not.toContain(body.slice(0, 60));
    expect(text).not.toMatch(/PRIVATE KEY|SAMLResponse/);
    await admin.api.sso.deleteConnection.mutate({ orgId, connectionId: c.id });
  });

  it('I1 bad SAML settings are clear errors: metadata that is not XML, a certificate that is not one, OIDC fields on a SAML connection', async () => {
    expect(
      await failure(
        admin.api.sso.createConnection.mutate({
          protocol: 'saml',
          orgId,
          name: 'x',
          metadataXml: '<nope',
        }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST' });
    expect(
      await failure(
        admin.api.sso.createConnection.mutate({
          protocol: 'saml',
          orgId,
          name: 'x',
          idpEntityId: 'https://idp.test',
          idpSsoUrl: 'https://idp.test/sso',
          idpCertificates: ['not a certificate'],
        }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST' });
    expect(
      await failure(
        admin.api.sso.updateConnection.mutate({ orgId, connectionId, issuer: 'https://x.test' }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST' });
    const junk = await postAcs({ SAMLResponse: 'not base64 xml!!', RelayState: 'x' });
    expect(junk.status).toBeLessThan(500);
    const big = await postAcs({ SAMLResponse: 'A'.repeat(600 * 1024) });
    expect(big.status).toBe(413);
  });

  it('I1 the CLI creates a SAML connection from a metadata file, shows its ACS and SP metadata URLs, and enables and disables it', async () => {
    const env = { GATEHOUSE_URL: t.url, GATEHOUSE_ADMIN_KEY: t.adminKey };
    const dir = mkdtempSync(join(tmpdir(), 'gh-saml-'));
    const file = join(dir, 'idp.xml');
    writeFileSync(file, idp.metadata);
    const created = await runCli(
      [
        '--json',
        'sso',
        'connection',
        'create',
        '--protocol',
        'saml',
        '--org',
        orgId,
        '--name',
        'From CLI',
        '--metadata-file',
        file,
        '--groups-claim',
        'roles',
        '--disabled',
      ],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const conn = JSON.parse(created.stdout) as {
      id: string;
      protocol: string;
      enabled: boolean;
      idpEntityId: string;
      claims: { groups: string };
    };
    expect(conn).toMatchObject({
      protocol: 'saml',
      enabled: false,
      idpEntityId: idp.entityId,
      claims: { groups: 'roles' },
    });
    const enabled = await runCli(
      ['sso', 'connection', 'enable', '--org', orgId, '--connection', conn.id],
      env,
    );
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toContain(`${conn.id}  enabled`);
    expect(enabled.stdout).toContain(`ACS ${t.url}/sso/saml/${conn.id}/acs`);
    expect(enabled.stdout).toContain(`SP metadata ${t.url}/sso/saml/${conn.id}/metadata`);
    const bad = await runCli(
      [
        'sso',
        'connection',
        'create',
        '--protocol',
        'saml',
        '--org',
        orgId,
        '--name',
        'x',
        '--metadata-file',
        join(dir, 'missing.xml'),
      ],
      env,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('cannot read');
    await admin.api.sso.deleteConnection.mutate({ orgId, connectionId: conn.id });
  });
});
