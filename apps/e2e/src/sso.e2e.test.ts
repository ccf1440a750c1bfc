/**
 * I1 I2 (issue 13, OIDC): single sign-on end to end against a real OpenID Provider
 * (oidc-provider v9 on loopback, `@gatehouse/sso/testing`) and the real server: a sample adopter
 * app (./sso/adopter.ts) sends the browser to `/sso/authorize`, the IdP signs the person in, the
 * callback provisions just in time, and the adopter exchanges the one-time code through the SDK
 * and asks `gh.can()` about a role an IdP group mapped. Then every refusal the issue lists, each
 * its own test: a wrong issuer, audience or nonce and an expired ID token (all validly signed by
 * the IdP's key), a replayed one-time code and a replayed IdP code, a missing or forged state, a
 * PKCE challenge that does not match, an open-redirect attempt, one org's connection used for
 * another org, a disabled connection, a deactivated member, and an unverified email of an
 * existing user.
 */
import { startTestDnsServer, type TestDnsServer } from '@gatehouse/domain/testing';
import { createGatehouse, createScimClient, type Gatehouse } from '@gatehouse/sdk';
import { type DevIdp, startDevIdp } from '@gatehouse/sso/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, failure, runCli, startTestServer, type TestServer } from './harness.js';
import { type Adopter, type AdopterSession, startAdopter } from './sso/adopter.js';
import { Browser } from './sso/browser.js';

const pglite = backends[0]!;

describe('I1 I2 OIDC single sign-on against a real oidc-provider', () => {
  let t: TestServer;
  let idp: DevIdp;
  let adopter: Adopter;
  let admin: Gatehouse;
  let orgId: string;
  let workspaceId: string;
  let connectionId: string;
  let adopterKey: string;
  let engGroupId: string;
  let seq = 0;
  let dns: TestDnsServer;
  const ana = { sub: 'ana-sub', email: 'ana@acme-sso.test', email_verified: true, name: 'Ana' };

  beforeAll(async () => {
    dns = await startTestDnsServer();
    t = await startTestServer(pglite, {
      ssoAllowHttp: true,
      ssoAllowPrivateNetwork: true,
      dnsServers: [dns.address],
      dnsTimeoutMs: 300,
    });
    idp = await startDevIdp({ redirectUris: [`${t.url}/sso/callback`], accounts: [ana] });
    const { result: org } = await t.admin.api.orgs.create.mutate({
      name: 'Acme SSO',
      preset: 'flowcode',
      owner: { email: 'owner@acme-sso.test' },
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
    adopterKey = app.key;
    const { result: ws } = await admin.api.scopes.create.mutate({
      orgId,
      kind: 'workspace',
      name: 'Marketing',
      parentId: orgId,
    });
    workspaceId = ws.id;
    const { result: conn } = await admin.api.sso.createConnection.mutate({
      orgId,
      name: 'Dev IdP',
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scopes: ['openid', 'email', 'profile', 'groups'],
    });
    connectionId = conn.id;
    // IdP group "eng" → a group that edits flows in the Marketing workspace.
    const { result: g } = await admin.api.groups.create.mutate({ orgId, name: 'Engineering' });
    engGroupId = g.id;
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
      apiKey: adopterKey,
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
    await dns?.close();
  });

  /** Claims `domain` for the org and verifies it through a TXT record on the test DNS server. */
  async function verifyDomain(domain: string) {
    const { result } = await admin.api.domains.claim.mutate({ orgId, domain });
    dns.setTxt(result.domain.record.name, [result.domain.record.value]);
    const v = await admin.api.domains.verify.mutate({ orgId, domainId: result.domain.id });
    expect(v.result.verified).toBe(true);
  }

  /** A browser that signs in through the adopter app; the adopter's JSON answer. */
  async function signIn(b = new Browser()) {
    const landing = await b.walk(`${adopter.url}/login`);
    return {
      landing,
      answer: JSON.parse(landing.body) as AdopterSession & { error?: string; description?: string },
    };
  }
  const person = (groups: string[], extra: Partial<typeof ana> = {}) => {
    const sub = `p-${++seq}`;
    const p = {
      sub,
      email: `p${seq}@acme-sso.test`,
      email_verified: true,
      name: `P${seq}`,
      groups,
      ...extra,
    };
    idp.upsert(p);
    idp.signInAs(sub);
    return p;
  };
  /** The authorize URL for the adopter's redirect, without going through the adopter. */
  const authorize = (q: Record<string, string>) =>
    `${t.url}/sso/authorize?${new URLSearchParams({
      org: orgId,
      connection: connectionId,
      redirect_uri: adopter.callbackUrl,
      state: 'adopter-state',
      ...q,
    })}`;

  it('I1 I2 end to end through the SDK: authorize → IdP → callback → exchange → gh.can on a role the IdP group mapped; later sign-ins apply the groups claim', async () => {
    const p = person(['eng', 'unmapped']);
    const first = await signIn();
    expect(first.landing.status).toBe(200);
    expect(first.answer).toMatchObject({ email: p.email, canWriteFlows: true });
    const idpHop = first.landing.visited.find((u) => u.href.startsWith(`${idp.issuer}/auth`))!;
    expect(idpHop.searchParams.get('code_challenge_method')).toBe('S256');
    expect(idpHop.searchParams.get('nonce')).toBeTruthy();
    expect(idpHop.searchParams.get('state')).toBeTruthy();
    // JIT: a member with the preset's default role, in the mapped group only.
    const members = await admin.api.members.list.query({ orgId, search: p.email });
    expect(members.items).toHaveLength(1);
    expect(members.items[0]).toMatchObject({ status: 'active' });
    // The exchange gave a ses_ session of this org, the same kind a password login gives.
    const me = await createGatehouse({
      url: t.url,
      sessionToken: first.answer.sessionToken,
    }).api.sessions.me.query();
    expect(me).toMatchObject({
      user: { id: first.answer.userId, email: p.email },
      org: { id: orgId },
    });
    expect(first.answer.sessionToken).toMatch(/^ses_/);
    // Issue 14: the session says it came from SSO, and an org requiring MFA leaves it alone (the
    // IdP's concern), while the member list shows the method.
    expect(me.session.authMethod).toBe('sso');
    await t.admin.api.orgs.update.mutate({ orgId, settings: { requireMfa: true } });
    try {
      const viaSso = createGatehouse({ url: t.url, sessionToken: first.answer.sessionToken });
      expect((await viaSso.api.sessions.me.query()).mfa).toMatchObject({
        orgRequiresMfa: true,
        enrollmentRequired: false,
      });
      const own = await viaSso.api.sessions.list.query({ orgId, userId: first.answer.userId });
      expect(own.items.map((x) => x.authMethod)).toContain('sso');
    } finally {
      await t.admin.api.orgs.update.mutate({ orgId, settings: { requireMfa: null } });
    }
    expect(members.items[0]).toMatchObject({ lastLoginMethod: 'sso' });
    // The IdP drops the group and renames the person: the next sign-in applies both, audited.
    idp.upsert({ ...p, groups: [], name: 'Renamed' });
    idp.signInAs(p.sub);
    const second = await signIn();
    expect(second.answer).toMatchObject({ userId: first.answer.userId, canWriteFlows: false });
    const again = await admin.api.members.list.query({ orgId, search: p.email });
    expect(again.items[0]).toMatchObject({ name: 'Renamed' });
    const audit = await admin.api.audit.list.query({ orgId, entityType: 'group' });
    const actions = audit.items.filter((e) => e.entityId === engGroupId).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['GroupMembersAdded', 'GroupMembersRemoved']));
    const signedIn = (
      await admin.api.audit.list.query({ orgId, entityType: 'member' })
    ).items.filter((e) => e.action === 'SsoSignedIn' && e.entityId === first.answer.userId);
    expect(signedIn).toHaveLength(2);
    expect(signedIn[0]).toMatchObject({ source: 'sso', actorId: connectionId });
  });

  it('I2 a one-time code works once (a replayed code is refused) and only for its own org', async () => {
    person(['eng']);
    const b = new Browser();
    const landing = await b.walk(`${adopter.url}/login`, {
      stop: (u) => u.href.startsWith(adopter.callbackUrl),
    });
    const code = new URL(landing.location!).searchParams.get('code')!;
    expect(code).toMatch(/^ssox_/);
    const other = await t.admin.api.orgs.create.mutate({
      name: 'Other',
      preset: 'flowcode',
      owner: { email: 'o@other-sso.test' },
    });
    const { result: otherKey } = await t.admin.api.apiClients.create.mutate({
      orgId: other.result.id,
      name: 'b',
      roles: [],
    });
    const otherGh = t.connect(otherKey.key);
    expect(
      await failure(otherGh.api.sso.exchange.mutate({ orgId: other.result.id, code })),
    ).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await failure(otherGh.api.sso.exchange.mutate({ orgId, code }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    const gh = t.connect(adopterKey);
    const { result } = await gh.api.sso.exchange.mutate({ orgId, code });
    expect(result.session.token).toMatch(/^ses_/);
    expect(await failure(gh.api.sso.exchange.mutate({ orgId, code }))).toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('I2 a replayed IdP callback is refused: the attempt is used, and the IdP code does not open another attempt', async () => {
    person([]);
    const b = new Browser();
    const stopAtCallback = (u: URL) => u.href.startsWith(`${t.url}/sso/callback`);
    const hop = await b.walk(`${adopter.url}/login`, { stop: stopAtCallback });
    const callback = new URL(hop.location!);
    const done = await b.walk(callback, { stop: (u) => u.href.startsWith(adopter.callbackUrl) });
    expect(new URL(done.location!).searchParams.get('code')).toBeTruthy();
    // The same callback again (the state cookie put back): the attempt was taken.
    b.setCookie(callback.host, 'gatehouse_sso_state', callback.searchParams.get('state'));
    const replay = await b.walk(callback);
    expect(replay.status).toBe(401);
    expect(replay.location).toBeNull();
    // The IdP code with a fresh attempt's state: the IdP refuses the used code (and its PKCE).
    person([]);
    const fresh = await b.walk(`${adopter.url}/login`, { stop: stopAtCallback });
    const forged = new URL(fresh.location!);
    forged.searchParams.set('code', callback.searchParams.get('code')!);
    const refused = await b.walk(forged, { stop: (u) => u.href.startsWith(adopter.callbackUrl) });
    const back = new URL(refused.location!).searchParams;
    expect(back.get('error')).toBe('access_denied');
    expect(back.get('error_description')).toMatch(/invalid_grant/);
  });

  it('I2 a missing or forged state is refused with an error page, never a redirect', async () => {
    person([]);
    const b = new Browser();
    const hop = await b.walk(`${adopter.url}/login`, {
      stop: (u) => u.href.startsWith(`${t.url}/sso/callback`),
    });
    const callback = new URL(hop.location!);
    const noState = new URL(callback);
    noState.searchParams.delete('state');
    const missing = await b.walk(noState);
    expect([missing.status, missing.location]).toEqual([400, null]);
    // Another browser (no state cookie), or a cookie for another sign-in: refused.
    const elsewhere = await new Browser().walk(callback);
    expect([elsewhere.status, elsewhere.location]).toEqual([400, null]);
    b.setCookie(callback.host, 'gatehouse_sso_state', 'not-this-one');
    const forged = await b.walk(callback);
    expect([forged.status, forged.location]).toEqual([400, null]);
  });

  const now = () => Math.floor(Date.now() / 1000);
  for (const [name, claim, change] of [
    [
      'a wrong issuer',
      'iss',
      (c: Record<string, unknown>) => ({ ...c, iss: 'http://127.0.0.1:1/evil' }),
    ],
    ['a wrong audience', 'aud', (c: Record<string, unknown>) => ({ ...c, aud: 'someone-else' })],
    ['a wrong nonce', 'nonce', (c: Record<string, unknown>) => ({ ...c, nonce: 'replayed-nonce' })],
    [
      'an expiry in the past',
      'exp',
      (c: Record<string, unknown>) => ({ ...c, iat: now() - 7200, exp: now() - 3600 }),
    ],
  ] as const) {
    it(`I2 an ID token with ${name}, validly signed by the IdP, is refused and nobody is provisioned`, async () => {
      const p = person(['eng']);
      idp.tamper(change);
      try {
        const { landing, answer } = await signIn();
        expect(landing.status).toBe(403);
        expect(answer.error).toBe('access_denied');
        expect(answer.description).toContain(`(claim "${claim}")`);
      } finally {
        idp.tamper(null);
      }
      const listed = await admin.api.members.list.query({ orgId, search: p.email });
      expect(listed.items).toEqual([]);
    });
  }

  it('I2 the refusals above are audited as SignInRefused on the org: the replay, the state from another browser, each wrong claim', async () => {
    const entries = (await admin.api.audit.list.query({ orgId, limit: 200 })).items.filter(
      (e) => e.action === 'SignInRefused' && e.entityId === connectionId,
    );
    const seen = entries.map((e) => e.after as { code: string; reason: string });
    expect(seen).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'unauthenticated',
          reason: expect.stringMatching(/already completed/),
        }),
        expect.objectContaining({
          code: 'oidc_refused',
          reason: expect.stringMatching(/invalid_grant/),
        }),
        expect.objectContaining({ code: 'state_mismatch' }),
        ...['iss', 'aud', 'nonce', 'exp'].map((claim) =>
          expect.objectContaining({
            code: 'oidc_refused',
            reason: expect.stringContaining(`(claim "${claim}")`),
          }),
        ),
      ]),
    );
    expect(entries.every((e) => e.source === 'sso' && e.actorId === connectionId)).toBe(true);
    expect(JSON.stringify(entries)).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}/);
  });

  it('I2 PKCE: a code obtained with another code_challenge is refused', async () => {
    person([]);
    const b = new Browser();
    const hop = await b.walk(`${adopter.url}/login`, {
      stop: (u) => u.href.startsWith(`${idp.issuer}/auth`),
    });
    const atIdp = new URL(hop.location!);
    atIdp.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const landing = await b.walk(atIdp);
    expect(landing.status).toBe(403);
    expect(JSON.parse(landing.body)).toMatchObject({ error: 'access_denied' });
    // The IdP checked the verifier Gatehouse sent against the challenge it saw.
    expect(JSON.parse(landing.body).description).toMatch(/invalid_grant/);
  });

  it('I1 an open redirect is refused: a redirect_uri not exactly on the allowlist gets an error page and no Location', async () => {
    for (const uri of [
      'https://evil.test/callback',
      `${adopter.callbackUrl}/../evil`,
      `${adopter.callbackUrl}?x=1`,
      `${adopter.callbackUrl}.evil.test`,
      'javascript:alert(1)',
    ]) {
      const res = await fetch(authorize({ redirect_uri: uri }), { redirect: 'manual' });
      expect([res.status, res.headers.get('location')], uri).toEqual([400, null]);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    }
  });

  it('I1 a connection of org A never opens org B, and a disabled connection signs nobody in', async () => {
    const { result: b } = await t.admin.api.orgs.create.mutate({
      name: 'Org B',
      preset: 'flowcode',
      owner: { email: 'b@orgb-sso.test' },
    });
    // Org B's admins allow the same adopter: the connection is still org A's alone.
    const { result: bAdmin } = await t.admin.api.apiClients.create.mutate({
      orgId: b.id,
      name: 'admin',
      roles: [{ role: 'org_admin' }],
    });
    await t
      .connect(bAdmin.key)
      .api.sso.setRedirectUris.mutate({ orgId: b.id, uris: [adopter.callbackUrl] });
    const res = await fetch(authorize({ org: b.id }), { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([404, null]);
    await admin.api.sso.updateConnection.mutate({ orgId, connectionId, enabled: false });
    try {
      const off = await fetch(authorize({}), { redirect: 'manual' });
      expect([off.status, off.headers.get('location')]).toEqual([403, null]);
    } finally {
      await admin.api.sso.updateConnection.mutate({ orgId, connectionId, enabled: true });
    }
  });

  it('I2 a member deactivated by an admin is refused at the next sign-in', async () => {
    const p = person(['eng']);
    const first = await signIn();
    expect(first.answer.userId).toMatch(/^usr_/);
    await admin.api.members.deactivate.mutate({ orgId, userId: first.answer.userId });
    idp.signInAs(p.sub);
    const { landing, answer } = await signIn();
    expect(landing.status).toBe(403);
    expect(answer).toMatchObject({ error: 'access_denied' });
    expect(answer.description).toMatch(/deactivated/);
  });

  it('I2 an existing user with the same email is linked only when the IdP says the email is verified', async () => {
    const email = `bob-${Date.now()}@acme-sso.test`;
    const { result: bob } = await admin.api.members.add.mutate({ orgId, email });
    const p = person([], { email, email_verified: false });
    const refused = await signIn();
    expect(refused.answer).toMatchObject({ error: 'access_denied' });
    expect(refused.answer.description).toMatch(/verified/);
    idp.upsert({ ...p, email_verified: true });
    idp.signInAs(p.sub);
    const linked = await signIn();
    expect(linked.answer.userId).toBe(bob.userId);
  });

  it('I2 S5 deprovisioning by SCIM ends SSO access: the IdP still vouches, Gatehouse refuses', async () => {
    const { result: token } = await t.admin.api.scimTokens.create.mutate({ orgId, name: 'IdP' });
    const scim = createScimClient({ url: t.url, token: token.token });
    const email = `scim-${Date.now()}@acme-sso.test`;
    // The IdP provisions the person by SCIM first, then they sign in with SSO: the same account.
    const created = await scim.users.create({
      userName: email,
      emails: [{ value: email, primary: true }],
      active: true,
    });
    const p = person(['eng'], { email });
    const first = await signIn();
    expect(first.answer.error).toBeUndefined();
    expect(first.answer.userId).toBe(created.id);
    await scim.users.patch(created.id!, [{ op: 'replace', path: 'active', value: false }]);
    idp.signInAs(p.sub);
    const { landing, answer } = await signIn();
    expect(landing.status).toBe(403);
    expect(answer).toMatchObject({ error: 'access_denied' });
    expect(answer.description).toMatch(/deactivated/);
  });

  it('I3 an existing account outside the org is linked only once the org has verified its domain', async () => {
    const email = `carol-${Date.now()}@partner-sso.test`;
    const { result: other } = await t.admin.api.orgs.create.mutate({
      name: 'Partner',
      preset: 'flowcode',
      owner: { email },
    });
    const [carol] = (await t.admin.api.members.list.query({ orgId: other.id })).items;
    person([], { email, email_verified: true });
    const refused = await signIn();
    expect(refused.answer).toMatchObject({ error: 'access_denied' });
    expect(refused.answer.description).toMatch(/not a member of this organization/);
    await verifyDomain('partner-sso.test');
    idp.signInAs(`p-${seq}`);
    const linked = await signIn();
    expect(linked.answer.error).toBeUndefined();
    expect(linked.answer.userId).toBe(carol!.userId);
  });

  it('I3 home-realm discovery: an email of a verified domain, or the org alone, leads to its connection', async () => {
    await verifyDomain('home-sso.test');
    const go = (q: Record<string, string>) =>
      fetch(
        `${t.url}/sso/authorize?${new URLSearchParams({
          redirect_uri: adopter.callbackUrl,
          state: 's',
          ...q,
        })}`,
        { redirect: 'manual' },
      );
    for (const q of [{ email: 'dana@home-sso.test' }, { org: orgId }] as Record<string, string>[]) {
      const res = await go(q);
      expect(res.status, JSON.stringify(q)).toBe(302);
      expect(res.headers.get('location')).toMatch(new RegExp(`^${idp.issuer}`));
    }
    // A domain nobody verified (or only a subdomain of a verified one) routes nowhere.
    for (const email of ['dana@unverified-sso.test', 'dana@eu.home-sso.test']) {
      const res = await go({ email });
      expect([res.status, res.headers.get('location')], email).toEqual([404, null]);
    }
    // Routing never bypasses the allowlist.
    const evil = await go({ email: 'dana@home-sso.test', redirect_uri: 'https://evil.test/cb' });
    expect([evil.status, evil.headers.get('location')]).toEqual([400, null]);
  });

  it('I1 test a connection: a dry sign-in shows the claims and what provisioning would do, and writes nothing', async () => {
    const p = person(['eng']);
    const result = await admin.api.sso.testConnection.mutate({ orgId, connectionId });
    const report = await new Browser().walk(
      `${t.url}/sso/test?ticket=${encodeURIComponent(result.ticket)}`,
      {
        accept: 'application/json',
      },
    );
    expect(report.status).toBe(200);
    expect(JSON.parse(report.body)).toMatchObject({
      connectionId,
      claims: { sub: p.sub, email: p.email, groups: ['eng'] },
      plan: {
        refused: null,
        user: { action: 'create' },
        membership: 'join',
        groups: { add: [{ idpGroup: 'eng', groupId: engGroupId }], remove: [] },
      },
    });
    const members = await admin.api.members.list.query({ orgId, search: p.email });
    expect(members.items).toEqual([]);
  });

  it('I1 no API answer carries a connection’s client secret', async () => {
    const listed = await admin.api.sso.listConnections.query({ orgId });
    const got = await admin.api.sso.getConnection.query({ orgId, connectionId });
    const audit = await admin.api.audit.list.query({ orgId });
    expect(JSON.stringify([listed, got, audit])).not.toContain(idp.clientSecret);
  });

  it('I1 the issuer is checked at creation: an unreachable or invalid one is a BAD_REQUEST that saves nothing, unless ignoreIssuerErrors, whose answer carries warnings', async () => {
    const before = await admin.api.sso.listConnections.query({ orgId });
    const bad = (issuer: string, ignoreIssuerErrors?: boolean) =>
      admin.api.sso.createConnection.mutate({
        orgId,
        name: 'Unchecked',
        issuer,
        clientId: 'x',
        clientSecret: 'x-secret',
        ...(ignoreIssuerErrors ? { ignoreIssuerErrors } : {}),
      });
    // The dev IdP answers discovery at its own issuer only.
    expect(await failure(bad(`${idp.issuer}/not-an-issuer`))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/discovery document .*404.*ignoreIssuerErrors/),
    });
    expect(await admin.api.sso.listConnections.query({ orgId })).toHaveLength(before.length);
    const saved = await bad(`${idp.issuer}/not-an-issuer`, true);
    expect(saved.warnings).toEqual([expect.stringMatching(/discovery document .*404/)]);
    await admin.api.sso.deleteConnection.mutate({ orgId, connectionId: saved.result.id });
    const good = await admin.api.sso.createConnection.mutate({
      orgId,
      name: 'Checked',
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      enabled: false,
    });
    expect(good.warnings).toEqual([]);
    await admin.api.sso.deleteConnection.mutate({ orgId, connectionId: good.result.id });
    // The CLI says the same, and prints the warning when told to go on.
    const env = {
      GATEHOUSE_URL: t.url,
      GATEHOUSE_ADMIN_KEY: t.adminKey,
      GATEHOUSE_SSO_CLIENT_SECRET: 's',
    };
    const args = [
      'sso',
      'connection',
      'create',
      '--org',
      orgId,
      '--name',
      'CLI unchecked',
      '--issuer',
      `${idp.issuer}/nope`,
      '--client-id',
      'x',
      '--disabled',
    ];
    const refused = await runCli(args, env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/discovery document/);
    const forced = await runCli([...args, '--ignore-issuer-errors'], env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/\nwarning: issuer .*\/nope: .*404/);
    const id = /ssoc_[A-Za-z0-9_-]+/.exec(forced.stdout)![0];
    await admin.api.sso.deleteConnection.mutate({ orgId, connectionId: id });
  });

  it('I1 the CLI manages connections: the secret comes from the environment and is never printed', async () => {
    const env = { GATEHOUSE_URL: t.url, GATEHOUSE_ADMIN_KEY: t.adminKey };
    const secret = 'cli-secret-never-printed-0123456789';
    const created = await runCli(
      [
        '--json',
        'sso',
        'connection',
        'create',
        '--org',
        orgId,
        '--name',
        'From CLI',
        '--issuer',
        idp.issuer,
        '--client-id',
        'cli-client',
        '--scopes',
        'email,groups',
        '--disabled',
      ],
      { ...env, GATEHOUSE_SSO_CLIENT_SECRET: secret },
    );
    expect(created.code, created.stderr).toBe(0);
    const conn = JSON.parse(created.stdout) as { id: string; enabled: boolean; scopes: string[] };
    expect(conn).toMatchObject({ enabled: false, scopes: ['openid', 'email', 'groups'] });
    const cmds = [
      ['sso', 'connection', 'enable', '--org', orgId, '--connection', conn.id],
      [
        'sso',
        'mapping',
        'set',
        '--org',
        orgId,
        '--connection',
        conn.id,
        '--idp-group',
        'eng',
        '--group',
        engGroupId,
      ],
      ['sso', 'connection', 'list', '--org', orgId],
      ['sso', 'connection', 'test', '--org', orgId, '--connection', conn.id],
      ['sso', 'redirect-uris', 'list', '--org', orgId],
    ];
    const out: string[] = [];
    for (const args of cmds) {
      const r = await runCli(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      out.push(r.stdout);
    }
    expect(out[1]).toContain(`IdP group "eng" -> ${engGroupId}`);
    expect(out[2]).toContain(`${conn.id}  enabled`);
    expect(out[3]).toContain(`${t.url}/sso/test?ticket=`);
    expect(out[4]).toContain(adopter.callbackUrl);
    expect([created.stdout, ...out].join('\n')).not.toContain(secret);
    const deleted = await runCli(
      ['sso', 'connection', 'delete', '--org', orgId, '--connection', conn.id],
      env,
    );
    expect(deleted.stdout).toContain(`deleted ${conn.id}`);
  });
});

describe('I1 I2 GATEHOUSE_DEV_IDP: a dev OpenID Provider next to the server, connected to the demo org', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(pglite, { devIdp: true, seedDemo: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('I2 a newcomer clicks through /sso/dev: Cleo is provisioned just in time and lands in the mapped group', async () => {
    expect(t.server.devSso?.pageUrl).toBe(`${t.url}/sso/dev`);
    const page = await new Browser().walk(`${t.url}/sso/dev`);
    expect(page.body).toContain('/sso/dev/start?as=cleo');
    const done = await new Browser().walk(`${t.url}/sso/dev/start?as=cleo`);
    expect(done.status, done.body).toBe(200);
    expect(done.url.pathname).toBe('/sso/dev/done');
    expect(done.body).toContain('cleo@demo.gatehouse.test');
    expect(done.body).toContain('org_user');
    // The IdP group marketing-editors mapped to a group editing flows in Marketing.
    const orgId = t.server.demo!.orgId;
    const cleo = (await t.admin.api.members.list.query({ orgId, search: 'cleo@' })).items[0]!;
    const allowed = await t.admin.api.authz.check.query({
      orgId,
      subject: cleo.userId!,
      permission: 'flows.write',
      scope: t.server.demo!.marketingId,
    });
    expect(allowed.result.allowed).toBe(true);
  });
});
