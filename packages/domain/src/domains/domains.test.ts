/**
 * Verified domains (SPEC I3, I4; issue 13 "Domains") against a real DNS server on 127.0.0.1
 * (`startTestDnsServer`, Node's resolver pointed at it), on PGlite and PostgreSQL: claim,
 * verification by TXT record and its recorded errors, one verifying org per domain, tenant
 * isolation, bad input, re-verification, and the require-SSO policy refusing password login and
 * invitation acceptance.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import {
  acceptInvitation,
  addMember,
  authenticateSession,
  claimDomain,
  completeMfaLogin,
  confirmTotp,
  createTxtResolver,
  deleteDomain,
  enrollTotp,
  getDomainPolicy,
  hashPassword,
  inviteMember,
  listAudit,
  listDomains,
  login,
  normalizeDomain,
  readQueuedEmail,
  recheckDueDomains,
  runDomainRecheck,
  setDomainPolicy,
  totpCode,
  verifiedDomainOwner,
  verifyDomain,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import {
  orgWithClients,
  sessionLogin,
  startTestDnsServer,
  type TestDnsServer,
} from '../testing.js';

const PASSWORD = 'correct horse battery staple';
let seq = 0;
/** A fresh domain under .test, so runs and backends never share one. */
const freshDomain = (tag: string) =>
  `${tag}-${++seq}-${Math.random().toString(36).slice(2, 8)}.example.test`;

async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe.each(testBackends())('verified domains on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  let dns: TestDnsServer;
  let clock = new Date();
  beforeAll(async () => {
    g = await backend.open();
    dns = await startTestDnsServer();
    s = createServices(g.db, {
      dnsResolver: createTxtResolver({ servers: [dns.address], timeoutMs: 250, tries: 1 }),
      domainRecheckMaxFailures: 3,
      now: () => clock,
    });
  });
  afterAll(async () => {
    await dns?.close();
    await g?.close();
  });

  /** A flowcode org with an org-admin API client and a plain `org_user` client. */
  async function org(name = 'Acme') {
    const o = await orgWithClients(s, { name, ownerEmail: `owner-${++seq}@owner.test` });
    return {
      orgId: o.orgId,
      name,
      call: await o.client('org_admin'),
      weak: await o.client('org_user'),
    };
  }

  /** Claims a domain and publishes its record on the test DNS server. */
  async function claimed(call: Awaited<ReturnType<typeof org>>['call'], domain = freshDomain('d')) {
    const { result } = await claimDomain(call, { domain });
    return result.domain;
  }
  const publish = (d: { record: { name: string; value: string } }) =>
    dns.setTxt(d.record.name, [d.record.value]);

  it('I3 claim → verify fails without the record (error recorded) → record added → verify succeeds; audited, with events', async () => {
    const a = await org();
    const domain = freshDomain('Acme').toUpperCase();
    const { result } = await claimDomain(a.call, { domain });
    const d = result.domain;
    expect(d).toMatchObject({
      domain: domain.toLowerCase(),
      status: 'pending',
      record: { type: 'TXT', name: `_gatehouse-challenge.${domain.toLowerCase()}` },
    });
    expect(d.record.value).toMatch(/^gatehouse-verification=[A-Za-z0-9_-]{32}$/);

    const first = await verifyDomain(a.call, { domainId: d.id });
    expect(first.result).toMatchObject({ verified: false, reason: 'nxdomain' });
    expect(first.result.error).toContain('NXDOMAIN');
    expect(first.result.error).toContain(d.record.value);
    expect(first.result.domain).toMatchObject({ status: 'pending', lastError: first.result.error });
    expect(first.result.domain.lastCheckedAt).not.toBeNull();

    publish(d);
    const second = await verifyDomain(a.call, { domainId: d.id });
    expect(second.result).toMatchObject({ verified: true, reason: null, error: null });
    expect(second.result.domain).toMatchObject({ status: 'verified', lastError: null });
    expect(second.result.domain.verifiedAt).not.toBeNull();
    expect(new Date(second.result.domain.nextCheckAt!).getTime()).toBe(
      clock.getTime() + 24 * 3600_000,
    );
    expect((await listDomains(a.call)).map((x) => [x.id, x.status])).toEqual([[d.id, 'verified']]);

    const audit = await listAudit(a.call, { entityType: 'domain' });
    expect(audit.items.map((e) => e.action).sort()).toEqual(
      ['Created', 'VerificationFailed', 'Verified'].sort(),
    );
    const events = await g.db
      .selectFrom('outbox')
      .select('type')
      .where('org_id', '=', a.orgId)
      .where('type', 'like', 'domain.%')
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['domain.claimed', 'domain.verified']);
  });

  it('I3 a failed verification says why: no TXT record, no matching record, timeout', async () => {
    const a = await org();
    const d = await claimed(a.call);
    dns.setTxt(d.record.name, []);
    expect((await verifyDomain(a.call, { domainId: d.id })).result).toMatchObject({
      verified: false,
      reason: 'no_record',
    });
    dns.setTxt(d.record.name, ['gatehouse-verification=someone-elses-token', 'v=spf1 -all']);
    const mismatch = (await verifyDomain(a.call, { domainId: d.id })).result;
    expect(mismatch).toMatchObject({ verified: false, reason: 'mismatch' });
    expect(mismatch.error).toContain('do not include');
    dns.drop(d.record.name);
    try {
      const slow = (await verifyDomain(a.call, { domainId: d.id })).result;
      expect(slow).toMatchObject({ verified: false, reason: 'timeout' });
      expect(slow.domain.lastError).toContain('timed out');
    } finally {
      dns.drop(d.record.name, false);
    }
    // A record split in several strings (longer TXT values) counts as one value.
    const half = d.record.value.length >> 1;
    dns.setTxt(d.record.name, [d.record.value.slice(0, half)]);
    expect((await verifyDomain(a.call, { domainId: d.id })).result.verified).toBe(false);
    publish(d);
    expect((await verifyDomain(a.call, { domainId: d.id })).result.verified).toBe(true);
  });

  it('I3 a domain verified by one org cannot be claimed or verified by another: CONFLICT, naming no org, changing nothing', async () => {
    const a = await org('Owner Org Alpha');
    const b = await org('Other Org Beta');
    const domain = freshDomain('shared');
    // Both may claim while nobody has verified; the first to verify wins.
    const da = await claimed(a.call, domain);
    const db = await claimed(b.call, domain);
    publish(da);
    expect((await verifyDomain(a.call, { domainId: da.id })).result.verified).toBe(true);
    dns.setTxt(db.record.name, [da.record.value, db.record.value]);
    const onVerify = await failure(verifyDomain(b.call, { domainId: db.id }));
    expect(onVerify.code).toBe('CONFLICT');
    expect((await listDomains(b.call))[0]).toMatchObject({ status: 'pending', lastError: null });

    const other = await org('Third Org Gamma');
    const onClaim = await failure(claimDomain(other.call, { domain: domain.toUpperCase() }));
    expect(onClaim.code).toBe('CONFLICT');
    expect(onClaim.message).toContain('another organization');
    for (const e of [onClaim, onVerify]) {
      expect(e.message).not.toContain(a.orgId);
      expect(e.message).not.toContain(a.name);
      expect(JSON.stringify(e.details ?? {})).not.toContain(a.orgId);
    }
    expect(await listDomains(other.call)).toEqual([]);

    // The same org cannot claim it twice either.
    expect((await failure(claimDomain(a.call, { domain }))).code).toBe('CONFLICT');
    // Once the owner deletes it, another org can verify it.
    await deleteDomain(a.call, { domainId: da.id });
    expect((await verifyDomain(b.call, { domainId: db.id })).result.verified).toBe(true);
  });

  it('I3 bad domains are INVALID and change nothing; names are normalized', async () => {
    const a = await org();
    const bad = [
      '',
      '   ',
      '*.acme.com',
      'acme',
      '1.2.3.4',
      '::1',
      '[::1]',
      'a..b.com',
      '-acme.com',
      'acme-.com',
      'ac_me.com',
      'acme.123',
      'ana@acme.com',
      'https://acme.com',
      'acme.com/path',
      `${'a'.repeat(64)}.com`,
      `${'abcdefghi.'.repeat(26)}com`,
      'xn--zz.com',
      'acme com.org',
      'xn--.com',
      '\u0000.com',
    ];
    for (const domain of bad) {
      const e = await failure(claimDomain(a.call, { domain }));
      expect([domain, e.code]).toEqual([domain, 'INVALID']);
    }
    expect(await listDomains(a.call)).toEqual([]);
    expect(normalizeDomain(' Acme.COM. ')).toBe('acme.com');
    expect(normalizeDomain('münchen.de')).toBe('xn--mnchen-3ya.de');
    expect(normalizeDomain('xn--mnchen-3ya.de')).toBe('xn--mnchen-3ya.de');
    expect(normalizeDomain(`${'a'.repeat(63)}.com`)).toHaveLength(67);
    expect(normalizeDomain(`${'abcdefghi.'.repeat(25)}com`)).toHaveLength(253);
  });

  it('I3 tenant isolation: another org’s key cannot list, verify, delete or set policies of this org’s domains (NOT_FOUND); a weaker actor is FORBIDDEN', async () => {
    const a = await org();
    const b = await org();
    const d = await claimed(a.call);
    publish(d);
    const intoA = { ...b.call, orgId: a.orgId };
    const refusals = [
      () => listDomains(intoA),
      () => claimDomain(intoA, { domain: freshDomain('x') }),
      () => verifyDomain(intoA, { domainId: d.id }),
      () => deleteDomain(intoA, { domainId: d.id }),
      () => getDomainPolicy(intoA),
      () => setDomainPolicy(intoA, { requireSso: true }),
    ];
    for (const p of refusals) expect((await failure(p())).code).toBe('NOT_FOUND');
    // A's domain id in B's own org is simply not found.
    expect((await failure(verifyDomain(b.call, { domainId: d.id }))).code).toBe('NOT_FOUND');
    expect((await failure(deleteDomain(b.call, { domainId: d.id }))).code).toBe('NOT_FOUND');
    // A member without domains.* is FORBIDDEN, and nothing looked DNS up for it.
    const asked = dns.queries.length;
    for (const p of [
      () => listDomains(a.weak),
      () => claimDomain(a.weak, { domain: freshDomain('w') }),
      () => verifyDomain(a.weak, { domainId: d.id }),
      () => deleteDomain(a.weak, { domainId: d.id }),
      () => getDomainPolicy(a.weak),
      () => setDomainPolicy(a.weak, { autoJoin: true }),
    ]) {
      expect((await failure(p())).code).toBe('FORBIDDEN');
    }
    expect(dns.queries.length).toBe(asked);
    expect((await listDomains(a.call)).map((x) => [x.id, x.status])).toEqual([[d.id, 'pending']]);
    expect(await getDomainPolicy(a.call)).toMatchObject({ requireSso: false, autoJoin: false });
  });

  it('I3 policies: autoJoin and requireSso are stored and returned; verifiedDomainOwner matches the exact verified domain only', async () => {
    const a = await org();
    expect(await getDomainPolicy(a.call)).toEqual({
      orgId: a.orgId,
      requireSso: false,
      autoJoin: false,
      updatedAt: null,
    });
    const d = await claimed(a.call);
    expect(await verifiedDomainOwner(g.db, `ana@${d.domain}`)).toBeNull();
    publish(d);
    await verifyDomain(a.call, { domainId: d.id });
    await setDomainPolicy(a.call, { autoJoin: true });
    const { result } = await setDomainPolicy(a.call, { requireSso: true });
    expect(result).toMatchObject({ requireSso: true, autoJoin: true });
    expect(await getDomainPolicy(a.call)).toMatchObject({ requireSso: true, autoJoin: true });
    expect(await verifiedDomainOwner(g.db, `Ana@${d.domain.toUpperCase()}`)).toEqual({
      orgId: a.orgId,
      domainId: d.id,
      domain: d.domain,
      requireSso: true,
      autoJoin: true,
    });
    expect(await verifiedDomainOwner(g.db, d.domain)).toMatchObject({ orgId: a.orgId });
    // Exact match: subdomains and parents are other domains.
    expect(await verifiedDomainOwner(g.db, `ana@eu.${d.domain}`)).toBeNull();
    expect(await verifiedDomainOwner(g.db, 'ana@example.test')).toBeNull();
    expect(await verifiedDomainOwner(g.db, 'not an address')).toBeNull();
    const audit = await listAudit(a.call, { entityType: 'domain_policy' });
    expect(audit.items.map((e) => e.after)).toEqual([
      { requireSso: true, autoJoin: true },
      { requireSso: false, autoJoin: true },
    ]);
  });

  it('I4 require SSO refuses password login, invitation acceptance and new invitations for the verified domain’s people, naming the way in; other people and other orgs are not affected', async () => {
    const a = await org();
    const b = await org();
    const d = await claimed(a.call);
    publish(d);
    await verifyDomain(a.call, { domainId: d.id });
    const hash = await hashPassword(PASSWORD);
    const member = async (o: typeof a, address: string) => {
      const { result } = await addMember(o.call, { email: address });
      await g.db
        .updateTable('users')
        .set({ password_hash: hash })
        .where('id', '=', result.userId)
        .execute();
    };
    const inside = `ana-${seq}@${d.domain}`;
    const outside = `bob-${seq}@elsewhere.test`;
    await member(a, inside);
    await member(a, outside);
    await member(b, inside);
    const invite = async (o: typeof a, address: string) => {
      const { result: inv } = await inviteMember(o.call, { email: address });
      const queued = await g.db
        .selectFrom('emails')
        .select('id')
        .where('ref_id', '=', inv.id)
        .executeTakeFirstOrThrow();
      const mail = await readQueuedEmail(g.db, queued.id);
      return { id: inv.id, token: /token=([A-Za-z0-9_-]+)/.exec(mail!.text)![1]! };
    };
    const newcomer = `cy-${seq}@${d.domain}`;
    // Before the policy: both sign in, and an invitation to the domain is sent.
    const inv = await invite(a, newcomer);
    await sessionLogin(s, { email: inside, password: PASSWORD, orgId: a.orgId });
    await setDomainPolicy(a.call, { requireSso: true });

    const refused = await failure(
      sessionLogin(s, { email: inside.toUpperCase(), password: PASSWORD, orgId: a.orgId }),
    );
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toBe(
      `${d.domain} requires single sign-on: sign in through your identity provider (GET /sso/authorize?org=${a.orgId}); password sign-in is turned off for ${d.domain} addresses`,
    );
    expect(refused.details).toEqual({
      reason: 'sso_required',
      domain: d.domain,
      orgId: a.orgId,
      ssoPath: `/sso/authorize?org=${a.orgId}`,
    });
    // Decided before the password: a wrong one gets the same answer, and no failure is counted.
    expect(
      (await failure(sessionLogin(s, { email: inside, password: 'wrong', orgId: a.orgId }))).code,
    ).toBe('FORBIDDEN');
    // Other domains of the same org, and the same person in an org that has not verified it.
    await sessionLogin(s, { email: outside, password: PASSWORD, orgId: a.orgId });
    await sessionLogin(s, { email: inside, password: PASSWORD, orgId: b.orgId });

    // Invitations: refused for the domain (sent before the policy, or sent after), fine for
    // others; nothing changes.
    const onAccept = await failure(acceptInvitation(s, { token: inv.token, password: PASSWORD }));
    expect(onAccept.code).toBe('FORBIDDEN');
    expect(onAccept.message).toContain(`${d.domain} requires single sign-on`);
    expect(onAccept.message).toContain(`GET /sso/authorize?org=${a.orgId}`);
    expect(
      await g.db.selectFrom('users').select('id').where('email_lower', '=', newcomer).execute(),
    ).toEqual([]);
    const row = await g.db
      .selectFrom('invitations')
      .select('status')
      .where('id', '=', inv.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    const onInvite = await failure(inviteMember(a.call, { email: `cy2-${seq}@${d.domain}` }));
    expect(onInvite.code).toBe('FORBIDDEN');
    expect(onInvite.message).toContain('so an invitation could never be accepted');
    expect(onInvite.details).toMatchObject({ reason: 'sso_required', domain: d.domain });
    expect(
      await g.db
        .selectFrom('invitations')
        .select('id')
        .where('email_lower', '=', `cy2-${seq}@${d.domain}`)
        .execute(),
    ).toEqual([]);
    const other = await invite(a, `dee-${seq}@elsewhere.test`);
    expect(
      (await acceptInvitation(s, { token: other.token, password: PASSWORD })).result.createdUser,
    ).toBe(true);
    const intoB = await invite(b, newcomer);
    expect(
      (await acceptInvitation(s, { token: intoB.token, password: PASSWORD })).result.orgId,
    ).toBe(b.orgId);

    // Policy off, or domain gone: password sign-in works again.
    await setDomainPolicy(a.call, { requireSso: false });
    await sessionLogin(s, { email: inside, password: PASSWORD, orgId: a.orgId });
    await setDomainPolicy(a.call, { requireSso: true });
    await deleteDomain(a.call, { domainId: d.id });
    await sessionLogin(s, { email: inside, password: PASSWORD, orgId: a.orgId });
  });

  it('I3 auto-join with MFA (issue 14): an account with an authenticator joins only once it shows its second factor, not on its password alone', async () => {
    const a = await org();
    const b = await org();
    const d = await claimed(a.call);
    publish(d);
    await verifyDomain(a.call, { domainId: d.id });
    await setDomainPolicy(a.call, { autoJoin: true });
    const address = `gil-${seq}@${d.domain}`;
    const { result: gil } = await addMember(b.call, { email: address });
    await g.db
      .updateTable('users')
      .set({ password_hash: await hashPassword(PASSWORD) })
      .where('id', '=', gil.userId)
      .execute();
    const inB = await sessionLogin(s, { email: address, password: PASSWORD, orgId: b.orgId });
    const { principal } = await authenticateSession(s, inB.result.token);
    const call = { services: s, caller: { principal, source: 'api' as const } };
    const e = await enrollTotp(call);
    // Codes of the services' clock (fixed for this file), not the wall clock.
    await confirmTotp(call, { code: await totpCode(e.secret, clock) });
    const isMember = async () =>
      (await g.db
        .selectFrom('members')
        .select('status')
        .where('org_id', '=', a.orgId)
        .where('user_id', '=', gil.userId)
        .executeTakeFirst()) ?? null;

    const { result: first } = await login(s, {
      email: address,
      password: PASSWORD,
      orgId: a.orgId,
    });
    if (!first.mfaRequired) throw new Error('expected the second step');
    expect(await isMember()).toBeNull();
    expect(
      (await failure(completeMfaLogin(s, { mfaToken: first.mfaToken, code: '000000' }))).code,
    ).toBe('UNAUTHENTICATED');
    expect(await isMember()).toBeNull();
    const { result } = await completeMfaLogin(s, {
      mfaToken: first.mfaToken,
      code: await totpCode(e.secret, new Date(clock.getTime() + 30_000)),
    });
    expect(result.session).toMatchObject({ orgId: a.orgId, authMethod: 'pwd+totp' });
    expect(await isMember()).toEqual({ status: 'active' });
  });

  it('I3 auto-join: with autoJoin on, an account of the verified domain joins by password sign-in with the default role (audited); off, or another domain, or a wrong password, or require-SSO, and it does not', async () => {
    const a = await org();
    const b = await org();
    const d = await claimed(a.call);
    publish(d);
    await verifyDomain(a.call, { domainId: d.id });
    const hash = await hashPassword(PASSWORD);
    // Accounts that exist through org B (their passwords were set there), not members of A.
    const account = async (address: string) => {
      const { result } = await addMember(b.call, { email: address });
      await g.db
        .updateTable('users')
        .set({ password_hash: hash })
        .where('id', '=', result.userId)
        .execute();
      return result.userId;
    };
    const inside = await account(`eve-${seq}@${d.domain}`);
    const insideEmail = `eve-${seq}@${d.domain}`;
    const outsideEmail = `fay-${seq}@elsewhere.test`;
    await account(outsideEmail);
    const isMember = async (userId: string) =>
      (await g.db
        .selectFrom('members')
        .select('status')
        .where('org_id', '=', a.orgId)
        .where('user_id', '=', userId)
        .executeTakeFirst()) ?? null;
    const revision = async () =>
      (
        await g.db
          .selectFrom('orgs')
          .select('revision')
          .where('id', '=', a.orgId)
          .executeTakeFirstOrThrow()
      ).revision;

    // Only by invitation (the default): the same failure as for anyone without access.
    const off = await failure(
      sessionLogin(s, { email: insideEmail, password: PASSWORD, orgId: a.orgId }),
    );
    expect(off.code).toBe('UNAUTHENTICATED');
    expect(await isMember(inside)).toBeNull();

    await setDomainPolicy(a.call, { autoJoin: true });
    // A wrong password joins nobody; another domain's account is not let in.
    const before = await revision();
    expect(
      (
        await failure(
          sessionLogin(s, { email: insideEmail, password: 'wrong password', orgId: a.orgId }),
        )
      ).code,
    ).toBe('UNAUTHENTICATED');
    expect(
      (await failure(sessionLogin(s, { email: outsideEmail, password: PASSWORD, orgId: a.orgId })))
        .code,
    ).toBe('UNAUTHENTICATED');
    expect(await revision()).toBe(before);

    const { result } = await sessionLogin(s, {
      email: insideEmail,
      password: PASSWORD,
      orgId: a.orgId,
    });
    expect(result.session.userId).toBe(inside);
    expect(await isMember(inside)).toEqual({ status: 'active' });
    expect(await revision()).toBeGreaterThan(before);
    // The flowcode default role at the root (org_user).
    const roles = await g.db
      .selectFrom('assignments')
      .select(['role_key', 'scope_id'])
      .where('org_id', '=', a.orgId)
      .where('subject_id', '=', inside)
      .execute();
    expect(roles).toEqual([{ role_key: 'org_user', scope_id: a.orgId }]);
    const audit = await listAudit(a.call, { entityType: 'member' });
    expect(
      audit.items.find((e) => e.action === 'AutoJoined' && e.entityId === inside),
    ).toMatchObject({ after: { domain: d.domain, role: 'org_user' } });
    // Signing in again changes nothing more.
    const joined = await revision();
    await sessionLogin(s, { email: insideEmail, password: PASSWORD, orgId: a.orgId });
    expect(await revision()).toBe(joined);

    // Require-SSO takes precedence: the domain's people come in through the IdP only.
    const other = await account(`gus-${seq}@${d.domain}`);
    await setDomainPolicy(a.call, { requireSso: true });
    expect(
      (
        await failure(
          sessionLogin(s, { email: `gus-${seq}@${d.domain}`, password: PASSWORD, orgId: a.orgId }),
        )
      ).code,
    ).toBe('FORBIDDEN');
    expect(await isMember(other)).toBeNull();
  });

  it('I3 I4 re-verification: a verified domain is re-checked when due; 3 failed checks in a row demote it to failed, as the system, and its policies stop applying', async () => {
    const start = clock;
    try {
      const a = await org();
      const d = await claimed(a.call);
      publish(d);
      await verifyDomain(a.call, { domainId: d.id });
      await setDomainPolicy(a.call, { requireSso: true });
      const hash = await hashPassword(PASSWORD);
      const address = `eve-${seq}@${d.domain}`;
      const { result: m } = await addMember(a.call, { email: address });
      await g.db
        .updateTable('users')
        .set({ password_hash: hash })
        .where('id', '=', m.userId)
        .execute();
      const day = 24 * 3600_000;
      const mine = (p: Awaited<ReturnType<typeof recheckDueDomains>>) => ({
        failing: p.failing.filter((x) => x.domainId === d.id).length,
        demoted: p.demoted.filter((x) => x.domainId === d.id).length,
      });
      // Not due yet: nothing checked.
      expect(mine(await recheckDueDomains(s))).toEqual({ failing: 0, demoted: 0 });
      // Due and still there: stays verified, next check a day later.
      clock = new Date(start.getTime() + day + 1000);
      await recheckDueDomains(s);
      let [row] = await listDomains(a.call);
      expect(row).toMatchObject({ status: 'verified', failedChecks: 0 });
      // The record goes away: two failures count, the third demotes.
      dns.remove(d.record.name);
      for (const n of [1, 2]) {
        clock = new Date(clock.getTime() + day + 1000);
        expect(mine(await recheckDueDomains(s))).toEqual({ failing: 1, demoted: 0 });
        [row] = await listDomains(a.call);
        expect(row).toMatchObject({ status: 'verified', failedChecks: n });
        expect(row!.lastError).toContain('NXDOMAIN');
        await expect(
          sessionLogin(s, { email: address, password: PASSWORD, orgId: a.orgId }),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      }
      clock = new Date(clock.getTime() + day + 1000);
      expect(mine(await recheckDueDomains(s))).toEqual({ failing: 0, demoted: 1 });
      [row] = await listDomains(a.call);
      expect(row).toMatchObject({ status: 'failed', nextCheckAt: null });
      expect(await verifiedDomainOwner(g.db, address)).toBeNull();
      await sessionLogin(s, { email: address, password: PASSWORD, orgId: a.orgId });
      const audit = await listAudit(a.call, { entityType: 'domain' });
      const unverified = audit.items.find((e) => e.action === 'Unverified');
      expect(unverified).toMatchObject({ actorId: 'system', source: 'system' });
      // Failed domains are not re-checked by the job; verifying again brings it back.
      clock = new Date(clock.getTime() + 10 * day);
      expect(mine(await recheckDueDomains(s))).toEqual({ failing: 0, demoted: 0 });
      publish(d);
      expect((await verifyDomain(a.call, { domainId: d.id })).result.domain.status).toBe(
        'verified',
      );
    } finally {
      clock = start;
    }
  });

  it('I3 the re-verification job runs in one process at a time (job claim)', async () => {
    const first = await runDomainRecheck(s, { intervalMs: 3_600_000, owner: 'one' });
    expect(first).not.toBeNull();
    expect(await runDomainRecheck(s, { intervalMs: 3_600_000, owner: 'two' })).toBeNull();
  });
});
