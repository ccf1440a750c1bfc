/**
 * Issue 14 multi-factor authentication: enrolling a TOTP app (pending until a first code, the
 * secret sealed at rest), recovery codes (shown once, hashed, single use), the second step of a
 * password sign-in and every way it is refused (wrong code, a code replayed within its window,
 * a used or expired mfaToken, a used recovery code, the throttle), disabling, an org's "require
 * MFA" policy (a restricted session until the user enrolls; SSO sessions exempt), and an
 * admin's reset of a member's factors (seed 003), refused against someone who outranks the
 * actor. How each session was signed in shows in the session, whoAmI and the directory. On
 * PGlite and PostgreSQL.
 */
import { type Gatedb, sql } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call, OrgCall } from '../call.js';
import type { Caller } from '../context.js';
import {
  acceptInvitation,
  addMember,
  authenticateSession,
  completeMfaLogin,
  confirmTotp,
  createApiClient,
  createOrg,
  createRole,
  DomainError,
  disableTotp,
  enrollTotp,
  inviteMember,
  listAudit,
  listDirectory,
  listSessions,
  login,
  mfaStatus,
  pendingTotp,
  readQueuedEmail,
  regenerateRecoveryCodes,
  requestPasswordReset,
  resetMemberMfa,
  resetPassword,
  sweepMfa,
  totpCode,
  updateOrg,
  whoAmI,
} from '../index.js';
import { instanceSecretKey, openSecret } from '../rules/index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin, sessionLogin } from '../testing.js';

const PASSWORD = 'correct horse battery staple';
const STEP = 30_000;
let seq = 0;
const address = (tag: string) =>
  `${tag}-${++seq}-${Math.random().toString(36).slice(2, 8)}@mfa.test`;

async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe.each(testBackends())('multi-factor authentication on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  /** The clock every service here reads; tests move it. */
  let now = new Date('2031-06-01T12:00:05Z');
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, {
      publicUrl: 'https://id.acme.test',
      passwords: true,
      now: () => now,
    });
  });
  afterAll(async () => {
    await g?.close();
  });
  /** Moves the clock on by `ms`. */
  const tick = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };

  /** An org of `preset` with an admin API client (`role`). */
  async function org(preset = 'idwise', role = 'administrator') {
    const { result: o } = await createOrg(
      { services: s, caller: admin },
      { name: `MFA ${++seq}`, preset, owner: { email: address('owner') } },
    );
    const { result } = await createApiClient(
      { services: s, caller: admin, orgId: o.id },
      { name: 'backend', roles: [{ role }] },
    );
    const caller: Caller = {
      principal: { kind: 'client', orgId: o.id, clientId: result.client.id },
      source: 'api',
    };
    return { orgId: o.id, call: { services: s, caller, orgId: o.id } satisfies OrgCall };
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

  /** A password session (the account has no authenticator) as a call. */
  async function signIn(email: string, orgId: string) {
    const { result } = await sessionLogin(s, { email, password: PASSWORD, orgId });
    return { call: await sessionCall(result.token, orgId), token: result.token, result };
  }

  /** The call a session token makes, as the API builds it. */
  async function sessionCall(token: string, orgId: string): Promise<OrgCall> {
    const { principal } = await authenticateSession(s, token);
    return { services: s, caller: { principal, source: 'api' }, orgId };
  }

  /** Enrolls and confirms an authenticator for the session; returns its secret and codes. */
  async function enroll(call: Call) {
    const e = await enrollTotp(call);
    const { result } = await confirmTotp(call, { code: await totpCode(e.secret, now) });
    return { secret: e.secret, factorId: e.factorId, recoveryCodes: result.recoveryCodes };
  }

  /** The first step of a password sign-in for an account with an authenticator. */
  async function challenge(email: string, orgId: string) {
    const { result } = await login(s, { email, password: PASSWORD, orgId });
    if (!result.mfaRequired) throw new Error('expected the second step');
    return result.mfaToken;
  }

  it('issue 14 enroll: pending until a first code, the secret sealed at rest; ten recovery codes once; audited in every org; the session counts as pwd+totp', async () => {
    const a = await org();
    const b = await org('flowcode', 'org_admin');
    const ana = await person(a.call, [{ role: 'analytics' }]);
    await person(b.call, [{ role: 'org_user' }], ana.email);
    const me = await signIn(ana.email, a.orgId);

    const e = await enrollTotp(me.call);
    expect(e.otpauthUri).toBe(
      `otpauth://totp/Gatehouse:${encodeURIComponent(ana.email)}?secret=${e.secret}&issuer=Gatehouse`,
    );
    expect(e.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(e.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(e.qrDataUrl.split(',')[1]!, 'base64').toString()).toContain('<svg');
    const row = await g.db
      .selectFrom('mfa_factors')
      .selectAll()
      .where('id', '=', e.factorId)
      .executeTakeFirstOrThrow();
    expect(row.confirmed_at).toBeNull();
    expect(row.secret_sealed).not.toContain(e.secret);
    const key = await instanceSecretKey(g.db);
    expect(openSecret(key, row.secret_sealed, `mfa_factors:${e.factorId}`)).toBe(e.secret);
    expect(await pendingTotp(me.call)).toMatchObject({ factorId: e.factorId, secret: e.secret });
    // Pending changes nothing about signing in.
    expect(
      (await login(s, { email: ana.email, password: PASSWORD, orgId: a.orgId })).result,
    ).toMatchObject({ mfaRequired: false });
    expect(await mfaStatus(me.call)).toMatchObject({
      enrolled: false,
      pendingEnrollment: true,
      recoveryCodesLeft: 0,
      sessionMethod: 'pwd',
    });

    const wrong = await failure(confirmTotp(me.call, { code: '000000' }));
    expect(wrong.code).toBe('INVALID');
    expect(wrong.message).toContain('does not match');
    const { result } = await confirmTotp(me.call, { code: await totpCode(e.secret, now) });
    expect(result.recoveryCodes).toHaveLength(10);
    expect(new Set(result.recoveryCodes).size).toBe(10);
    for (const c of result.recoveryCodes) expect(c).toMatch(/^([0-9a-z]{4}-){3}[0-9a-z]{4}$/);
    const stored = await g.db
      .selectFrom('mfa_recovery_codes')
      .select('code_hash')
      .where('user_id', '=', ana.userId)
      .execute();
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(result.recoveryCodes[0]!.replaceAll('-', ''));
    expect(
      (
        await g.db
          .selectFrom('users')
          .select('mfa_enrolled')
          .where('id', '=', ana.userId)
          .executeTakeFirstOrThrow()
      ).mfa_enrolled,
    ).toBe(true);
    expect(await mfaStatus(me.call)).toMatchObject({
      enrolled: true,
      pendingEnrollment: false,
      recoveryCodesLeft: 10,
      sessionMethod: 'pwd+totp',
    });
    expect((await whoAmI(me.call)).session.authMethod).toBe('pwd+totp');
    for (const o of [a, b]) {
      const audit = await listAudit(o.call, { action: 'MfaEnrolled' });
      expect(audit.items).toEqual([
        expect.objectContaining({
          entityId: ana.userId,
          after: expect.objectContaining({ factorId: e.factorId }),
        }),
      ]);
    }
    // Nothing shown again, and a second app needs the first disabled.
    expect(await pendingTotp(me.call)).toBeNull();
    expect((await failure(enrollTotp(me.call))).code).toBe('CONFLICT');
    // An API key has no account.
    expect((await failure(enrollTotp(a.call))).code).toBe('FORBIDDEN');
  });

  it('issue 14 sign-in: the password answers mfaRequired; a right code issues a pwd+totp session; wrong, replayed and stale codes, used and expired tokens are refused', async () => {
    const a = await org();
    const bo = await person(a.call, [{ role: 'analytics' }]);
    const { secret } = await enroll((await signIn(bo.email, a.orgId)).call);

    const first = (await login(s, { email: bo.email, password: PASSWORD, orgId: a.orgId })).result;
    expect(first).toMatchObject({ mfaRequired: true, mfaToken: expect.stringMatching(/^mfac_/) });
    if (!first.mfaRequired) throw new Error('unreachable');
    expect(JSON.stringify(first)).not.toContain('"token"');
    // The token is stored hashed only.
    const rows = await g.db
      .selectFrom('mfa_challenges')
      .selectAll()
      .where('user_id', '=', bo.userId)
      .execute();
    expect(JSON.stringify(rows)).not.toContain(first.mfaToken);

    const wrong = await failure(completeMfaLogin(s, { mfaToken: first.mfaToken, code: '123456' }));
    expect(wrong).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('code is wrong'),
    });
    const both = await failure(
      completeMfaLogin(s, { mfaToken: first.mfaToken, code: '123456', recoveryCode: 'x' }),
    );
    expect(both.code).toBe('INVALID');
    // The enrolment's own code was used: the same code again is a replay.
    const replayedEnrollCode = await failure(
      completeMfaLogin(s, { mfaToken: first.mfaToken, code: await totpCode(secret, now) }),
    );
    expect(replayedEnrollCode.message).toContain('already used');

    tick(STEP);
    const code = await totpCode(secret, now);
    const { result } = await completeMfaLogin(s, {
      mfaToken: first.mfaToken,
      code,
      userAgent: 'test agent',
    });
    expect(result.mfaRequired).toBe(false);
    expect(result.session).toMatchObject({
      userId: bo.userId,
      authMethod: 'pwd+totp',
      userAgent: 'test agent',
    });
    const me = await sessionCall(result.token, a.orgId);
    expect((await whoAmI(me)).session.authMethod).toBe('pwd+totp');
    const listed = await listSessions(me, { userId: bo.userId });
    expect(listed.items.find((x) => x.id === result.session.id)?.authMethod).toBe('pwd+totp');

    // The token works once.
    const used = await failure(completeMfaLogin(s, { mfaToken: first.mfaToken, code }));
    expect(used).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('already completed'),
    });
    // The same code within its window, with a fresh token: a replay.
    const second = await challenge(bo.email, a.orgId);
    const replay = await failure(completeMfaLogin(s, { mfaToken: second, code }));
    expect(replay).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('already used'),
    });
    // A code from two steps ago is out of its window: wrong.
    tick(STEP);
    const stale = await failure(
      completeMfaLogin(s, {
        mfaToken: second,
        code: await totpCode(secret, new Date(now.getTime() - 2 * STEP)),
      }),
    );
    expect(stale.message).toContain('code is wrong');
    tick(STEP);
    await completeMfaLogin(s, { mfaToken: second, code: await totpCode(secret, now) });

    // Expired: five minutes by default.
    const third = await challenge(bo.email, a.orgId);
    tick(5 * 60_000 + 1);
    const expired = await failure(
      completeMfaLogin(s, { mfaToken: third, code: await totpCode(secret, now) }),
    );
    expect(expired).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('expired'),
    });
    const unknown = await failure(
      completeMfaLogin(s, { mfaToken: 'mfac_nope.nope', code: '123456' }),
    );
    expect(unknown).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('not valid'),
    });
    // A deactivated member's challenge gets no session.
    const fourth = await challenge(bo.email, a.orgId);
    await sql`update members set status = 'deactivated' where user_id = ${bo.userId}`.execute(g.db);
    tick(STEP);
    const gone = await failure(
      completeMfaLogin(s, { mfaToken: fourth, code: await totpCode(secret, now) }),
    );
    expect(gone.code).toBe('UNAUTHENTICATED');
    await sql`update members set status = 'active' where user_id = ${bo.userId}`.execute(g.db);
  });

  it('issue 14 recovery codes: each signs in once (pwd+recovery); regenerating replaces them all', async () => {
    const a = await org();
    const cy = await person(a.call, [{ role: 'analytics' }]);
    const { secret, recoveryCodes } = await enroll((await signIn(cy.email, a.orgId)).call);
    const [c1, c2] = recoveryCodes as [string, string];

    const { result } = await completeMfaLogin(s, {
      mfaToken: await challenge(cy.email, a.orgId),
      recoveryCode: ` ${c1.toUpperCase().replaceAll('-', ' ')} `,
    });
    expect(result.session.authMethod).toBe('pwd+recovery');
    const reused = await failure(
      completeMfaLogin(s, { mfaToken: await challenge(cy.email, a.orgId), recoveryCode: c1 }),
    );
    expect(reused).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('already used'),
    });
    const wrong = await failure(
      completeMfaLogin(s, {
        mfaToken: await challenge(cy.email, a.orgId),
        recoveryCode: 'aaaa-bbbb-cccc-dddd',
      }),
    );
    expect(wrong.message).toContain('recovery code is wrong');

    const me = await sessionCall(result.token, a.orgId);
    expect(await mfaStatus(me)).toMatchObject({
      recoveryCodesLeft: 9,
      sessionMethod: 'pwd+recovery',
    });
    tick(STEP);
    const wrongCode = await failure(regenerateRecoveryCodes(me, { code: '000000' }));
    expect(wrongCode.code).toBe('UNAUTHENTICATED');
    const { result: fresh } = await regenerateRecoveryCodes(me, {
      code: await totpCode(secret, now),
    });
    expect(fresh.recoveryCodes).toHaveLength(10);
    expect(await mfaStatus(me)).toMatchObject({ recoveryCodesLeft: 10 });
    const old = await failure(
      completeMfaLogin(s, { mfaToken: await challenge(cy.email, a.orgId), recoveryCode: c2 }),
    );
    expect(old.message).toContain('recovery code is wrong');
    await completeMfaLogin(s, {
      mfaToken: await challenge(cy.email, a.orgId),
      recoveryCode: fresh.recoveryCodes[0]!,
    });
    expect((await listAudit(a.call, { action: 'MfaRecoveryCodesRegenerated' })).items).toHaveLength(
      1,
    );
  });

  it('issue 14 throttle: wrong codes count as failed logins; past the limit even a right code waits; a right password alone does not clear them', async () => {
    const strict = createServices(g.db, {
      publicUrl: 'https://id.acme.test',
      loginMaxFailures: 3,
      now: () => now,
    });
    const a = await org();
    const di = await person(a.call, [{ role: 'analytics' }]);
    const { secret } = await enroll((await signIn(di.email, a.orgId)).call);
    const token = async () => {
      const { result } = await login(strict, {
        email: di.email,
        password: PASSWORD,
        orgId: a.orgId,
      });
      if (!result.mfaRequired) throw new Error('expected the second step');
      return result.mfaToken;
    };
    const t1 = await token();
    for (let i = 0; i < 2; i++) {
      expect((await failure(completeMfaLogin(strict, { mfaToken: t1, code: '000000' }))).code).toBe(
        'UNAUTHENTICATED',
      );
    }
    // The right password again does not reset the count of wrong codes.
    const t2 = await token();
    expect((await failure(completeMfaLogin(strict, { mfaToken: t2, code: '111111' }))).code).toBe(
      'UNAUTHENTICATED',
    );
    tick(STEP);
    const locked = await failure(
      completeMfaLogin(strict, { mfaToken: t2, code: await totpCode(secret, now) }),
    );
    expect(locked).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    const lockedLogin = await failure(
      login(strict, { email: di.email, password: PASSWORD, orgId: a.orgId }),
    );
    expect(lockedLogin.code).toBe('TOO_MANY_REQUESTS');
    // Once the window passes, a right code signs in and clears the failures.
    tick(16 * 60_000);
    const t3 = await token();
    await completeMfaLogin(strict, { mfaToken: t3, code: await totpCode(secret, now) });
    const failures = await g.db
      .selectFrom('login_failures')
      .select('email_lower')
      .where('email_lower', '=', di.email.toLowerCase())
      .execute();
    expect(failures).toEqual([]);
  });

  it('issue 14 a password reset from the email leaves the authenticator in place: the new password still asks for a code', async () => {
    const a = await org();
    const jo = await person(a.call, [{ role: 'analytics' }]);
    const { secret } = await enroll((await signIn(jo.email, a.orgId)).call);
    await requestPasswordReset(s, { email: jo.email });
    const mail = await g.db
      .selectFrom('emails')
      .select('id')
      .where('to_address', '=', jo.email)
      .where('kind', '=', 'password_reset')
      .executeTakeFirstOrThrow();
    const token = /password\/reset\?token=([A-Za-z0-9_-]{43})/.exec(
      (await readQueuedEmail(g.db, mail.id))!.text,
    )![1]!;
    const fresh = 'a completely new passphrase';
    await resetPassword(s, { token, password: fresh });
    const { result } = await login(s, { email: jo.email, password: fresh, orgId: a.orgId });
    expect(result.mfaRequired).toBe(true);
    if (!result.mfaRequired) return;
    tick(STEP);
    const done = await completeMfaLogin(s, {
      mfaToken: result.mfaToken,
      code: await totpCode(secret, now),
    });
    expect(done.result.session.authMethod).toBe('pwd+totp');
  });

  it('issue 14 disable: needs a current code or a recovery code; removes the factor and the codes; the password alone signs in again', async () => {
    const a = await org();
    const ed = await person(a.call, [{ role: 'analytics' }]);
    const me = await signIn(ed.email, a.orgId);
    const { recoveryCodes } = await enroll(me.call);
    const wrong = await failure(disableTotp(me.call, { code: '000000' }));
    expect(wrong.code).toBe('UNAUTHENTICATED');
    expect((await failure(disableTotp(me.call, {}))).code).toBe('INVALID');
    expect((await failure(disableTotp(a.call, { code: '000000' }))).code).toBe('FORBIDDEN');
    const { result } = await disableTotp(me.call, { recoveryCode: recoveryCodes[3]! });
    expect(result).toEqual({ userId: ed.userId, removedFactors: 1 });
    const left = await g.db
      .selectFrom('mfa_recovery_codes')
      .select('code_hash')
      .where('user_id', '=', ed.userId)
      .execute();
    expect(left).toEqual([]);
    expect(await mfaStatus(me.call)).toMatchObject({ enrolled: false, recoveryCodesLeft: 0 });
    expect(
      (await login(s, { email: ed.email, password: PASSWORD, orgId: a.orgId })).result,
    ).toMatchObject({
      mfaRequired: false,
    });
    expect((await listAudit(a.call, { action: 'MfaDisabled' })).items).toEqual([
      expect.objectContaining({
        entityId: ed.userId,
        after: expect.objectContaining({ provedWith: 'recovery code' }),
      }),
    ]);
    // Not enrolled: nothing to disable.
    expect((await failure(disableTotp(me.call, { code: '000000' }))).code).toBe('INVALID');
  });

  it('issue 14 require MFA: an org setting (audited; a boolean); password sessions without a factor are restricted until they enroll; SSO and enrolled sessions are not', async () => {
    const a = await org();
    const fi = await person(a.call, [{ role: 'analytics' }]);
    const bad = await failure(updateOrg(a.call, { settings: { requireMfa: 'yes' } }));
    expect(bad.code).toBe('INVALID');
    // Changing settings needs org.update: an analytics member may not.
    const fiCall = (await signIn(fi.email, a.orgId)).call;
    expect((await failure(updateOrg(fiCall, { settings: { requireMfa: true } }))).code).toBe(
      'FORBIDDEN',
    );
    await updateOrg({ ...a.call, caller: admin }, { settings: { requireMfa: true } });
    const updated = await listAudit(a.call, { entityType: 'org', action: 'Updated' });
    expect(updated.items[0]).toMatchObject({
      after: expect.objectContaining({ settings: expect.objectContaining({ requireMfa: true }) }),
    });

    const { token } = await signIn(fi.email, a.orgId);
    const auth = await authenticateSession(s, token);
    expect(auth.principal.restricted).toBe('mfa_enrollment');
    const me = {
      services: s,
      caller: { principal: auth.principal, source: 'api' as const },
      orgId: a.orgId,
    };
    expect(await whoAmI(me)).toMatchObject({
      mfa: { enrolled: false, orgRequiresMfa: true, enrollmentRequired: true },
    });
    expect(await mfaStatus(me)).toMatchObject({ orgRequiresMfa: true, enrollmentRequired: true });
    // An SSO session is the identity provider's concern.
    await g.db
      .updateTable('sessions')
      .set({ auth_method: 'sso' })
      .where('id', '=', auth.session.id)
      .execute();
    expect((await authenticateSession(s, token)).principal.restricted).toBeUndefined();
    await g.db
      .updateTable('sessions')
      .set({ auth_method: 'pwd' })
      .where('id', '=', auth.session.id)
      .execute();

    await enroll(me);
    const after = await authenticateSession(s, token);
    expect(after.principal.restricted).toBeUndefined();
    expect(after.session.authMethod).toBe('pwd+totp');
    // Off again: nobody is restricted.
    await updateOrg({ ...a.call, caller: admin }, { settings: { requireMfa: null } });
    const gil = await person(a.call, [{ role: 'analytics' }]);
    expect(
      (await authenticateSession(s, (await signIn(gil.email, a.orgId)).token)).principal.restricted,
    ).toBeUndefined();
  });

  it('M6 seed 003 reset MFA: an Administrator removes a member’s factors and codes and ends their sessions here; audited; the member signs in with the password and re-enrolls', async () => {
    const a = await org();
    const boss = await person(a.call, [{ role: 'administrator' }]);
    const hal = await person(a.call, [{ role: 'analytics' }]);
    const halIn = await signIn(hal.email, a.orgId);
    const { secret } = await enroll(halIn.call);
    tick(STEP);
    const twice = await completeMfaLogin(s, {
      mfaToken: await challenge(hal.email, a.orgId),
      code: await totpCode(secret, now),
    });
    const bossIn = await signIn(boss.email, a.orgId);
    const pending = await challenge(hal.email, a.orgId);

    const { result } = await resetMemberMfa(
      { ...bossIn.call, caller: { ...bossIn.call.caller, requestId: 'req_mfa_reset' } },
      { userId: hal.userId },
    );
    expect(result).toEqual({ userId: hal.userId, removedFactors: 1, endedSessions: 2 });
    for (const t of [halIn.token, twice.result.token]) {
      expect((await failure(authenticateSession(s, t))).code).toBe('UNAUTHENTICATED');
    }
    const factors = await g.db
      .selectFrom('mfa_factors')
      .select('id')
      .where('user_id', '=', hal.userId)
      .execute();
    const codes = await g.db
      .selectFrom('mfa_recovery_codes')
      .select('code_hash')
      .where('user_id', '=', hal.userId)
      .execute();
    expect([factors, codes]).toEqual([[], []]);
    // A second step started before the reset no longer works.
    tick(STEP);
    expect(
      (await failure(completeMfaLogin(s, { mfaToken: pending, code: await totpCode(secret, now) })))
        .code,
    ).toBe('UNAUTHENTICATED');
    const audit = await listAudit(a.call, { action: 'MfaReset' });
    expect(audit.items).toEqual([
      expect.objectContaining({
        actorId: boss.userId,
        entityId: hal.userId,
        requestId: 'req_mfa_reset',
        after: { removedFactors: 1, sessionsEnded: 2 },
      }),
    ]);
    // The password alone signs in again, and Hal enrolls anew.
    const again = await signIn(hal.email, a.orgId);
    expect(again.result.session.authMethod).toBe('pwd');
    await enroll(again.call);
  });

  it('M6 R8 reset MFA refused: against an outranking member, without members.update, for a non-member, for an account other orgs know (but the instance admin may); nothing removed', async () => {
    const a = await org();
    const b = await org('flowcode', 'org_admin');
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
    const viewer = await person(a.call, [{ role: 'view_verification' }]);
    const both = await person(a.call, [{ role: 'analytics' }]);
    await person(b.call, [{ role: 'org_user' }], both.email);
    const asManager = (await signIn(manager.email, a.orgId)).call;
    const asViewer = (await signIn(viewer.email, a.orgId)).call;
    await enroll((await signIn(boss.email, a.orgId)).call);
    await enroll((await signIn(both.email, a.orgId)).call);
    const { result: outsider } = await addMember(
      { services: s, caller: admin, orgId: (await org()).orgId },
      { email: address('outsider') },
    );
    const factorsOf = async (userId: string) =>
      (await g.db.selectFrom('mfa_factors').select('id').where('user_id', '=', userId).execute())
        .length;

    const outranked = await failure(resetMemberMfa(asManager, { userId: boss.userId }));
    expect(outranked.code).toBe('FORBIDDEN');
    expect(await factorsOf(boss.userId)).toBe(1);
    const noRight = await failure(resetMemberMfa(asViewer, { userId: manager.userId }));
    expect(noRight).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('members.update'),
    });
    expect((await failure(resetMemberMfa(asManager, { userId: outsider.userId }))).code).toBe(
      'NOT_FOUND',
    );
    const elsewhere = await failure(resetMemberMfa(a.call, { userId: both.userId }));
    expect(elsewhere).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('other organizations'),
    });
    expect(await factorsOf(both.userId)).toBe(1);
    expect((await listAudit(a.call, { action: 'MfaReset' })).items).toEqual([]);
    // The instance admin may.
    await resetMemberMfa({ ...a.call, caller: admin }, { userId: both.userId });
    expect(await factorsOf(both.userId)).toBe(0);
    // A member the manager outranks (no roles): allowed.
    const { result: plain } = await addMember(a.call, { email: address('plain') });
    expect((await resetMemberMfa(asManager, { userId: plain.userId })).result).toMatchObject({
      removedFactors: 0,
    });
  });

  it('issue 14 housekeeping: challenges and pending enrollments dead for over a day are swept; live ones stay', async () => {
    const a = await org();
    const kim = await person(a.call, [{ role: 'analytics' }]);
    const max = await person(a.call, [{ role: 'analytics' }]);
    const lee = await person(a.call, [{ role: 'analytics' }]);
    await enroll((await signIn(kim.email, a.orgId)).call);
    await enroll((await signIn(max.email, a.orgId)).call);
    const old = await challenge(kim.email, a.orgId);
    await enrollTotp((await signIn(lee.email, a.orgId)).call);
    tick(25 * 60 * 60_000);
    const live = await challenge(max.email, a.orgId);
    expect(await sweepMfa(s)).toBeGreaterThanOrEqual(2);
    const rowsOf = async (userId: string) =>
      (await g.db.selectFrom('mfa_challenges').select('id').where('user_id', '=', userId).execute())
        .length;
    expect([await rowsOf(kim.userId), await rowsOf(max.userId)]).toEqual([0, 1]);
    const pending = await g.db
      .selectFrom('mfa_factors')
      .select('id')
      .where('user_id', '=', lee.userId)
      .execute();
    expect(pending).toEqual([]);
    const gone = await failure(completeMfaLogin(s, { mfaToken: old, code: '123456' }));
    expect(gone.message).toContain('not valid');
    expect(live).toMatch(/^mfac_/);
  });

  it('issue 14 directory: the real MFA status and the last sign-in method', async () => {
    const a = await org();
    const ida = await person(a.call, [{ role: 'analytics' }]);
    const jon = await person(a.call, [{ role: 'analytics' }]);
    const { secret } = await enroll((await signIn(ida.email, a.orgId)).call);
    tick(STEP);
    await completeMfaLogin(s, {
      mfaToken: await challenge(ida.email, a.orgId),
      code: await totpCode(secret, now),
    });
    await signIn(jon.email, a.orgId);
    const page = await listDirectory(a.call, { limit: 500 });
    const row = (id: string) => page.items.find((x) => x.userId === id);
    expect(row(ida.userId)).toMatchObject({ mfaEnrolled: true, lastLoginMethod: 'pwd+totp' });
    expect(row(jon.userId)).toMatchObject({ mfaEnrolled: false, lastLoginMethod: 'pwd' });
  });
});
