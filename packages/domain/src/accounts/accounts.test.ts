/**
 * Issue 14 and M6 "reset password": forgot password (the same answer whoever asks, a throttle,
 * SSO-required domains), the single-use reset link and every way it is refused, what a page may
 * inspect, changing one's own password, and an admin's reset of a member (seed 003), with the
 * sessions each ends: every org on a reset, the others on a change, this org only on an admin's
 * reset. On PGlite and PostgreSQL.
 */
import { type Gatedb, sql } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call, OrgCall } from '../call.js';
import type { Caller } from '../context.js';
import {
  acceptInvitation,
  addMember,
  changePassword,
  claimDomain,
  createApiClient,
  createOrg,
  createRole,
  createTxtResolver,
  DomainError,
  inspectPasswordReset,
  inviteMember,
  listAudit,
  readQueuedEmail,
  requestPasswordReset,
  resetMemberPassword,
  resetPassword,
  setDomainPolicy,
  setMemberStatus,
  verifyDomain,
} from '../index.js';
import { hashSecret } from '../rules/index.js';
import { createServices, type ServiceOptions, type Services } from '../services.js';
import {
  instanceAdmin as admin,
  sessionLogin,
  startTestDnsServer,
  type TestDnsServer,
} from '../testing.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'plumbing otter saxophone';
const MINUTE = 60_000;
const LINK = /https:\/\/id\.acme\.test\/password\/reset\?token=([A-Za-z0-9_-]{43})/;
let seq = 0;
const address = (tag: string) =>
  `${tag}-${++seq}-${Math.random().toString(36).slice(2, 8)}@accounts.test`;

async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe.each(testBackends())('passwords: reset, change, admin reset on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  let dns: TestDnsServer;
  const options: ServiceOptions = {
    publicUrl: 'https://id.acme.test',
    passwords: true,
    passwordResetMaxPerIp: 0,
  };
  beforeAll(async () => {
    g = await backend.open();
    dns = await startTestDnsServer();
    s = createServices(g.db, {
      ...options,
      dnsResolver: createTxtResolver({ servers: [dns.address], timeoutMs: 250, tries: 1 }),
    });
  });
  afterAll(async () => {
    await dns?.close();
    await g?.close();
  });

  /** An org of `preset` with an admin API client (`role`). */
  async function org(preset = 'idwise', role = 'administrator') {
    const { result: o } = await createOrg(
      { services: s, caller: admin },
      { name: `Accounts ${seq}`, preset, owner: { email: address('owner') } },
    );
    const { result } = await createApiClient(
      { services: s, caller: admin, orgId: o.id },
      { name: 'backend', roles: [{ role }] },
    );
    const caller: Caller = {
      principal: { kind: 'client', orgId: o.id, clientId: result.client.id },
      source: 'api',
    };
    const call: OrgCall = { services: s, caller, orgId: o.id };
    return { orgId: o.id, call };
  }

  /** Invites `email` with roles and accepts with PASSWORD (or joins, when the account exists). */
  async function person(call: OrgCall, roles: Array<{ role: string }>, email = address('p')) {
    const { result: inv } = await inviteMember(call, { email, roles });
    const queued = await g.db
      .selectFrom('emails')
      .select('id')
      .where('ref_id', '=', inv.id)
      .executeTakeFirstOrThrow();
    const token = /token=([A-Za-z0-9_-]+)/.exec(
      (await readQueuedEmail(g.db, queued.id))!.text,
    )![1]!;
    const existing = await g.db
      .selectFrom('users')
      .select('password_hash')
      .where('email_lower', '=', email.toLowerCase())
      .executeTakeFirst();
    const { result } = await acceptInvitation(s, {
      token,
      password: existing?.password_hash ? undefined : PASSWORD,
    });
    return { userId: result.userId, email };
  }

  /** Signs in and returns the session's call. */
  async function signIn(email: string, orgId: string, password = PASSWORD) {
    const { result } = await sessionLogin(s, { email, password, orgId });
    const caller: Caller = {
      principal: {
        kind: 'user',
        orgId,
        userId: result.session.userId,
        sessionId: result.session.id,
      },
      source: 'api',
    };
    return { call: { services: s, caller, orgId } satisfies OrgCall, sessionId: result.session.id };
  }

  const resetEmails = (email: string) =>
    g.db
      .selectFrom('emails')
      .selectAll()
      .where('to_address', '=', email)
      .where('kind', '=', 'password_reset')
      .orderBy('created_at')
      .orderBy('id')
      .execute();

  /** The token of the newest reset email to `email` still holding its link. */
  async function latestToken(email: string): Promise<string> {
    const pending = (await resetEmails(email)).filter((e) => e.secret_box !== null);
    const mail = await readQueuedEmail(g.db, pending.at(-1)!.id);
    return LINK.exec(mail!.text)![1]!;
  }

  const openSessions = async (userId: string) =>
    (
      await g.db
        .selectFrom('sessions')
        .select(['org_id', 'id'])
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute()
    )
      .map((r) => `${r.org_id} ${r.id}`)
      .sort();

  it('issue 14 forgot password: an unknown address gets the same answer and nothing is queued; a known one a single-use link by email, stored only hashed', async () => {
    const o = await org();
    const ana = await person(o.call, [{ role: 'analytics' }]);
    const count = async () => ({
      emails: Number(
        (
          await g.db
            .selectFrom('emails')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      links: Number(
        (
          await g.db
            .selectFrom('password_resets')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    });
    const before = await count();
    const unknown = await requestPasswordReset(s, { email: address('nobody') });
    expect(await count()).toEqual(before);
    const known = await requestPasswordReset(s, { email: ana.email.toUpperCase() });
    expect(known).toEqual(unknown);
    expect(known).toEqual({
      message:
        'If an account with this email address can reset its password, a link to choose a new one is on its way. It works once, within 30 minutes.',
      linkTtlMinutes: 30,
    });
    expect(await count()).toEqual({ emails: before.emails + 1, links: before.links + 1 });
    const [mail] = await resetEmails(ana.email);
    // Org-less: the person asked, not an org. The bodies hold a placeholder, the token is sealed.
    expect(mail).toMatchObject({ org_id: null, kind: 'password_reset', status: 'pending' });
    expect(mail!.text).toContain(`/password/reset?token=[secret:${mail!.id}]`);
    const token = await latestToken(ana.email);
    const link = await g.db
      .selectFrom('password_resets')
      .selectAll()
      .where('id', '=', mail!.ref_id!)
      .executeTakeFirstOrThrow();
    expect(link).toMatchObject({
      user_id: ana.userId,
      token_hash: hashSecret(token),
      requested_by: null,
      org_id: null,
      used_at: null,
      superseded_at: null,
    });
    // Issue 10 §4 as for invitations: the token itself is in no table, only sealed and hashed.
    const { rows: tables } = await sql<{ name: string }>`
      select tablename as name from pg_tables where schemaname = current_schema()`.execute(g.db);
    for (const { name } of tables) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.table(name)} t
         where strpos(t::text, ${token}) > 0`.execute(g.db);
      expect(rows[0]!.n, name).toBe(0);
    }
    const ttl = new Date(link.expires_at).getTime() - new Date(link.created_at).getTime();
    expect(ttl).toBe(30 * MINUTE);
    await expect(requestPasswordReset(s, { email: 'not an address' })).rejects.toMatchObject({
      code: 'INVALID',
    });
  });

  it('issue 14 reset: the link sets the password once, ends every session of the user in every org (audited in each), forgets failed logins', async () => {
    const a = await org();
    const b = await org('flowcode', 'org_admin');
    const ana = await person(a.call, [{ role: 'analytics' }]);
    await person(b.call, [{ role: 'org_user' }], ana.email);
    const inA = await signIn(ana.email, a.orgId);
    const inB = await signIn(ana.email, b.orgId);
    expect(await openSessions(ana.userId)).toHaveLength(2);
    await failure(
      sessionLogin(s, { email: ana.email, password: 'wrong password!', orgId: a.orgId }),
    );
    await requestPasswordReset(s, { email: ana.email });
    const token = await latestToken(ana.email);

    const done = await resetPassword(s, { token, password: NEW_PASSWORD }, { requestId: 'req_r' });
    expect(done).toEqual({ userId: ana.userId, email: ana.email, endedSessions: 2 });
    expect(await openSessions(ana.userId)).toEqual([]);
    const failures = await g.db
      .selectFrom('login_failures')
      .select('email_lower')
      .where('email_lower', '=', ana.email.toLowerCase())
      .execute();
    expect(failures).toEqual([]);
    for (const [o, sessionId] of [
      [a, inA.sessionId],
      [b, inB.sessionId],
    ] as const) {
      const reset = await listAudit(o.call, { action: 'PasswordReset' });
      expect(reset.items).toHaveLength(1);
      expect(reset.items[0]).toMatchObject({
        actorId: 'system',
        entityType: 'user',
        entityId: ana.userId,
        requestId: 'req_r',
        after: { via: 'reset link', sessionsEnded: 1, requestedBy: null },
      });
      const revoked = await listAudit(o.call, { action: 'Revoked', entityType: 'session' });
      expect(revoked.items.map((e) => [e.entityId, e.after])).toEqual([
        [sessionId, { userId: ana.userId, reason: 'password reset' }],
      ]);
      const events = await g.db
        .selectFrom('outbox')
        .select('type')
        .where('org_id', '=', o.orgId)
        .where('type', 'in', ['user.password_reset', 'session.revoked'])
        .execute();
      expect(events.map((e) => e.type).sort()).toEqual(['session.revoked', 'user.password_reset']);
    }
    // The old password no longer works, the new one does; the link is used up.
    await expect(
      sessionLogin(s, { email: ana.email, password: PASSWORD, orgId: a.orgId }),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await sessionLogin(s, { email: ana.email, password: NEW_PASSWORD, orgId: b.orgId });
    const again = await failure(resetPassword(s, { token, password: 'another fine passphrase' }));
    expect(again.code).toBe('INVALID');
    expect(again.message).toBe(
      'this password reset link has already been used; ask for a new one if you need to',
    );
    expect((await inspectPasswordReset(s, { token })).state).toBe('used');
  });

  it('issue 14 reset refusals: unknown, expired and superseded links, weak and common passwords; nothing changes', async () => {
    const o = await org();
    const bo = await person(o.call, [{ role: 'analytics' }]);
    await signIn(bo.email, o.orgId);
    const hashOf = async () =>
      (
        await g.db
          .selectFrom('users')
          .select('password_hash')
          .where('id', '=', bo.userId)
          .executeTakeFirstOrThrow()
      ).password_hash;
    const stored = await hashOf();

    const unknown = await failure(
      resetPassword(s, { token: 'A'.repeat(43), password: NEW_PASSWORD }),
    );
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toBe(
      'this password reset link is not valid; check that it was copied whole, or ask for a new one',
    );
    expect((await failure(resetPassword(s, { token: '', password: NEW_PASSWORD }))).code).toBe(
      'NOT_FOUND',
    );

    await requestPasswordReset(s, { email: bo.email });
    const first = await latestToken(bo.email);
    // A password the policy refuses: INVALID, the link still usable.
    for (const [weak, why] of [
      ['short', /at least 8 characters/],
      ['Password1', /10,000 most common/],
      [bo.email.toUpperCase(), /email address/],
    ] as const) {
      const e = await failure(resetPassword(s, { token: first, password: weak }));
      expect(e.code).toBe('INVALID');
      expect(e.message).toMatch(why);
    }
    expect(await inspectPasswordReset(s, { token: first })).toMatchObject({ usable: true });

    // Expired: 31 minutes later the same link is refused.
    const later = createServices(g.db, {
      ...options,
      now: () => new Date(Date.now() + 31 * MINUTE),
    });
    const expired = await failure(resetPassword(later, { token: first, password: NEW_PASSWORD }));
    expect(expired.code).toBe('INVALID');
    expect(expired.message).toBe('this password reset link has expired; ask for a new one');
    expect(await inspectPasswordReset(later, { token: first })).toMatchObject({
      usable: false,
      state: 'expired',
    });

    // Superseded: a newer request replaces it, and its unsent email is cancelled.
    await requestPasswordReset(s, { email: bo.email });
    const second = await latestToken(bo.email);
    const superseded = await failure(resetPassword(s, { token: first, password: NEW_PASSWORD }));
    expect(superseded.code).toBe('INVALID');
    expect(superseded.message).toBe(
      'this password reset link was replaced by a newer one; use the link in the most recent email',
    );
    const mails = await resetEmails(bo.email);
    expect(mails.map((m) => [m.status, m.secret_box === null])).toEqual([
      ['cancelled', true],
      ['pending', false],
    ]);
    expect(await hashOf()).toBe(stored);
    expect(await openSessions(bo.userId)).toHaveLength(1);
    await resetPassword(s, { token: second, password: NEW_PASSWORD });
    expect(await hashOf()).not.toBe(stored);
  });

  it('issue 14 a link used twice at the same moment works once; the other use is told it was used', async () => {
    const o = await org();
    const lu = await person(o.call, [{ role: 'analytics' }]);
    await requestPasswordReset(s, { email: lu.email });
    const token = await latestToken(lu.email);
    const outcomes = await Promise.allSettled([
      resetPassword(s, { token, password: NEW_PASSWORD }),
      resetPassword(s, { token, password: 'another fine passphrase' }),
    ]);
    expect(outcomes.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    const [lost] = outcomes.filter((x) => x.status === 'rejected');
    expect((lost as PromiseRejectedResult).reason).toMatchObject({
      code: 'INVALID',
      message: 'this password reset link has already been used; ask for a new one if you need to',
    });
    const won = outcomes[0]!.status === 'fulfilled' ? NEW_PASSWORD : 'another fine passphrase';
    await sessionLogin(s, { email: lu.email, password: won, orgId: o.orgId });
  });

  it('issue 14 inspect tells a page whether a link is usable and for which (masked) account, without using it', async () => {
    const o = await org();
    const cy = await person(o.call, [{ role: 'analytics' }], `cyrano-${++seq}@accounts.test`);
    await requestPasswordReset(s, { email: cy.email });
    const token = await latestToken(cy.email);
    const view = await inspectPasswordReset(s, { token });
    expect(view).toMatchObject({ usable: true, state: 'usable', problem: null });
    expect(view.email).toMatch(/^c•+\d@accounts\.test$/);
    expect(view.email).not.toContain('cyrano');
    expect(await inspectPasswordReset(s, { token })).toEqual(view);
    expect(await inspectPasswordReset(s, { token: 'nope' })).toEqual({
      usable: false,
      state: 'unknown',
      email: null,
      expiresAt: null,
      problem:
        'this password reset link is not valid; check that it was copied whole, or ask for a new one',
    });
    await resetPassword(s, { token, password: NEW_PASSWORD });
  });

  it('issue 14 throttling: past the limits per address and per client address the answer is the same and nothing is sent', async () => {
    const throttled = createServices(g.db, {
      ...options,
      passwordResetMaxPerEmail: 2,
      passwordResetMaxPerIp: 3,
    });
    const o = await org();
    const people = [
      await person(o.call, [{ role: 'analytics' }]),
      await person(o.call, [{ role: 'analytics' }]),
    ];
    const [dee, eli] = people as [(typeof people)[0], (typeof people)[0]];
    const answer = await requestPasswordReset(throttled, { email: address('nobody') });
    for (let i = 0; i < 4; i++) {
      expect(
        await requestPasswordReset(throttled, { email: dee.email, ip: `10.0.0.${i}` }),
      ).toEqual(answer);
    }
    expect(await resetEmails(dee.email)).toHaveLength(2);
    // Per client address: 3 links from 192.0.2.7 (one for dee, two for eli), then nothing.
    const ip = `192.0.2.${seq}`;
    const dee2 = await person(o.call, [{ role: 'analytics' }]);
    await requestPasswordReset(throttled, { email: dee2.email, ip });
    await requestPasswordReset(throttled, { email: eli.email, ip });
    await requestPasswordReset(throttled, { email: eli.email, ip });
    expect(await requestPasswordReset(throttled, { email: dee2.email, ip })).toEqual(answer);
    expect((await resetEmails(dee2.email)).length + (await resetEmails(eli.email)).length).toBe(3);
    // An admin's reset is not a public request: it is not throttled.
    await resetMemberPassword({ ...o.call, services: throttled }, { userId: dee.userId });
    expect(await resetEmails(dee.email)).toHaveLength(3);
  });

  it('issue 14 SSO-required domain: no link is sent (same answer); a link from before the policy is refused', async () => {
    const o = await org('flowcode', 'org_admin');
    const domain = `sso-${++seq}-${Math.random().toString(36).slice(2, 8)}.example.test`;
    const { result } = await claimDomain(o.call, { domain });
    dns.setTxt(result.domain.record.name, [result.domain.record.value]);
    await verifyDomain(o.call, { domainId: result.domain.id });
    const fay = await person(o.call, [{ role: 'org_user' }], `fay@${domain}`);
    await requestPasswordReset(s, { email: fay.email });
    const before = await latestToken(fay.email);
    await setDomainPolicy(o.call, { requireSso: true });

    const answer = await requestPasswordReset(s, { email: address('nobody') });
    expect(await requestPasswordReset(s, { email: fay.email })).toEqual(answer);
    expect(await resetEmails(fay.email)).toHaveLength(1);
    const refused = await failure(resetPassword(s, { token: before, password: NEW_PASSWORD }));
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.details).toMatchObject({ reason: 'sso_required', domain });
    expect(await inspectPasswordReset(s, { token: before })).toMatchObject({
      usable: false,
      state: 'refused',
    });
    const byAdmin = await failure(resetMemberPassword(o.call, { userId: fay.userId }));
    expect(byAdmin.code).toBe('FORBIDDEN');
    expect(byAdmin.message).toContain('requires single sign-on');
  });

  it('issue 14 change password: current password required (a wrong one is throttled), the policy, the other sessions end in every org, this one stays; audited', async () => {
    const lockout = createServices(g.db, { ...options, loginMaxFailures: 3 });
    const a = await org();
    const b = await org('flowcode', 'org_admin');
    const gus = await person(a.call, [{ role: 'analytics' }]);
    await person(b.call, [{ role: 'org_user' }], gus.email);
    const here = await signIn(gus.email, a.orgId);
    const otherHere = await signIn(gus.email, a.orgId);
    const there = await signIn(gus.email, b.orgId);
    const call: Call = { services: lockout, caller: here.call.caller };

    const wrong = await failure(
      changePassword(call, { currentPassword: 'not my password', newPassword: NEW_PASSWORD }),
    );
    expect(wrong.code).toBe('UNAUTHENTICATED');
    expect(wrong.message).toBe('the current password is wrong');
    const weak = await failure(
      changePassword(call, { currentPassword: PASSWORD, newPassword: 'iloveyou1' }),
    );
    expect(weak).toMatchObject({ code: 'INVALID' });
    const same = await failure(
      changePassword(call, { currentPassword: PASSWORD, newPassword: PASSWORD }),
    );
    expect(same.message).toMatch(/same as the current one/);
    const apiKey = await failure(
      changePassword(a.call, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    );
    expect(apiKey.code).toBe('FORBIDDEN');
    expect(await openSessions(gus.userId)).toHaveLength(3);

    const { result, revision } = await changePassword(call, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(result).toEqual({ userId: gus.userId, endedSessions: 2 });
    expect(revision).toBeGreaterThan(0);
    expect(await openSessions(gus.userId)).toEqual([`${a.orgId} ${here.sessionId}`]);
    const inA = await listAudit(a.call, { action: 'PasswordChanged' });
    expect(inA.items).toEqual([
      expect.objectContaining({ actorId: gus.userId, entityId: gus.userId }),
    ]);
    const inB = await listAudit(b.call, { action: 'PasswordChanged' });
    expect(inB.items).toEqual([
      expect.objectContaining({ actorId: 'system', after: { by: gus.userId, sessionsEnded: 1 } }),
    ]);
    const revokedA = await listAudit(a.call, { action: 'Revoked', entityType: 'session' });
    expect(revokedA.items.map((e) => e.entityId)).toEqual([otherHere.sessionId]);
    const revokedB = await listAudit(b.call, { action: 'Revoked', entityType: 'session' });
    expect(revokedB.items.map((e) => e.entityId)).toEqual([there.sessionId]);
    await sessionLogin(s, { email: gus.email, password: NEW_PASSWORD, orgId: b.orgId });

    // Wrong current passwords count like failed logins: past the limit, TOO_MANY_REQUESTS.
    for (let i = 0; i < 3; i++) {
      await failure(changePassword(call, { currentPassword: `guess ${i}`, newPassword: PASSWORD }));
    }
    const locked = await failure(
      changePassword(call, {
        currentPassword: NEW_PASSWORD,
        newPassword: 'a third fine passphrase',
      }),
    );
    expect(locked.code).toBe('TOO_MANY_REQUESTS');
  });

  it('M6 seed 003 admin reset: an Administrator sends a member a reset link and signs them out of this org only; audited with the actor, evented', async () => {
    const a = await org();
    const b = await org('flowcode', 'org_admin');
    const boss = await person(a.call, [{ role: 'administrator' }]);
    const hal = await person(a.call, [{ role: 'analytics' }]);
    await person(b.call, [{ role: 'org_user' }], hal.email);
    const halInA = await signIn(hal.email, a.orgId);
    const halInB = await signIn(hal.email, b.orgId);
    const bossIn = await signIn(boss.email, a.orgId);

    const { result } = await resetMemberPassword(
      { ...bossIn.call, caller: { ...bossIn.call.caller, requestId: 'req_admin_reset' } },
      { userId: hal.userId },
    );
    expect(result).toMatchObject({ userId: hal.userId, email: hal.email, endedSessions: 1 });
    expect(await openSessions(hal.userId)).toEqual([`${b.orgId} ${halInB.sessionId}`]);
    const [mail] = await resetEmails(hal.email);
    expect(mail).toMatchObject({ org_id: a.orgId, status: 'pending' });
    expect(mail!.text).toContain('An administrator of');
    const link = await g.db
      .selectFrom('password_resets')
      .selectAll()
      .where('id', '=', mail!.ref_id!)
      .executeTakeFirstOrThrow();
    expect(link).toMatchObject({
      org_id: a.orgId,
      requested_by: `user ${boss.userId} (${boss.email})`,
    });
    const audit = await listAudit(a.call, { action: 'PasswordResetRequested' });
    expect(audit.items).toEqual([
      expect.objectContaining({
        actorId: boss.userId,
        entityType: 'user',
        entityId: hal.userId,
        requestId: 'req_admin_reset',
        after: expect.objectContaining({ linkId: link.id, sessionsEnded: 1 }),
      }),
    ]);
    const revoked = await listAudit(a.call, { action: 'Revoked', entityType: 'session' });
    expect(revoked.items.map((e) => e.entityId)).toEqual([halInA.sessionId]);
    const events = await g.db
      .selectFrom('outbox')
      .select('payload')
      .where('org_id', '=', a.orgId)
      .where('type', '=', 'member.password_reset_requested')
      .execute();
    expect(events).toHaveLength(1);
    expect(await listAudit(b.call, { action: 'PasswordResetRequested' })).toMatchObject({
      items: [],
    });
    // The link works; using it signs Hal out of org B too, as his own choice.
    await resetPassword(s, { token: await latestToken(hal.email), password: NEW_PASSWORD });
    expect(await openSessions(hal.userId)).toEqual([]);
    await sessionLogin(s, { email: hal.email, password: NEW_PASSWORD, orgId: a.orgId });
  });

  it('M6 R8 admin reset refused: against an outranking member (FORBIDDEN), a non-member (NOT_FOUND), without members.update (FORBIDDEN), a deactivated member (INVALID); nothing sent', async () => {
    const a = await org();
    const { result: role } = await createRole(
      { ...a.call, caller: admin },
      {
        key: 'user_manager',
        name: 'User Manager',
        permissions: ['members.read', 'members.update'],
      },
    );
    const manager = await person(a.call, [{ role: role.key }]);
    const boss = await person(a.call, [{ role: 'administrator' }]);
    const peer = await person(a.call, [{ role: 'analytics' }]);
    const viewer = await person(a.call, [{ role: 'view_verification' }]);
    const asManager = (await signIn(manager.email, a.orgId)).call;
    const asViewer = (await signIn(viewer.email, a.orgId)).call;
    const { result: outsider } = await addMember(
      { services: s, caller: admin, orgId: (await org()).orgId },
      { email: address('outsider') },
    );

    const outranked = await failure(resetMemberPassword(asManager, { userId: boss.userId }));
    expect(outranked.code).toBe('FORBIDDEN');
    const nonMember = await failure(resetMemberPassword(asManager, { userId: outsider.userId }));
    expect(nonMember.code).toBe('NOT_FOUND');
    const noRight = await failure(resetMemberPassword(asViewer, { userId: peer.userId }));
    expect(noRight.code).toBe('FORBIDDEN');
    expect(noRight.message).toContain('members.update');
    for (const who of [boss, peer]) expect(await resetEmails(who.email)).toEqual([]);
    expect(await resetEmails(outsider.email)).toEqual([]);
    // Nor against a member holding what the manager lacks (analytics.read).
    expect((await failure(resetMemberPassword(asManager, { userId: peer.userId }))).code).toBe(
      'FORBIDDEN',
    );
    // A member the manager outranks (no roles of their own): allowed.
    const { result: plain } = await addMember(a.call, { email: address('plain') });
    await resetMemberPassword(asManager, { userId: plain.userId });
    expect(await resetEmails(plain.email)).toHaveLength(1);

    await setMemberStatus(a.call, { userId: viewer.userId, status: 'deactivated' });
    const deactivated = await failure(resetMemberPassword(a.call, { userId: viewer.userId }));
    expect(deactivated.code).toBe('INVALID');
  });

  it('M6 tenant isolation: org A’s admin cannot reset a member of org B only, nor reach org B at all', async () => {
    const a = await org();
    const b = await org();
    const ivy = await person(b.call, [{ role: 'analytics' }]);
    await signIn(ivy.email, b.orgId);
    const notHere = await failure(resetMemberPassword(a.call, { userId: ivy.userId }));
    expect(notHere.code).toBe('NOT_FOUND');
    const elsewhere = await failure(
      resetMemberPassword({ ...a.call, orgId: b.orgId }, { userId: ivy.userId }),
    );
    expect(elsewhere.code).toBe('NOT_FOUND');
    expect(await resetEmails(ivy.email)).toEqual([]);
    expect(await openSessions(ivy.userId)).toHaveLength(1);
  });

  it('issue 14 without passwords: an account with none gets no link and an admin cannot send one; one with a password can', async () => {
    const off = createServices(g.db, { ...options, passwords: false });
    const o = await org();
    const { result: jo } = await addMember(o.call, {
      email: address('jo'),
      roles: [{ role: 'analytics' }],
    });
    await requestPasswordReset(off, { email: jo.email });
    expect(await resetEmails(jo.email)).toEqual([]);
    const refused = await failure(
      resetMemberPassword({ ...o.call, services: off }, { userId: jo.userId }),
    );
    expect(refused.code).toBe('INVALID');
    expect(refused.message).toMatch(/no password/);
    const kim = await person(o.call, [{ role: 'analytics' }]);
    await requestPasswordReset(off, { email: kim.email });
    expect(await resetEmails(kim.email)).toHaveLength(1);
  });
});
