/**
 * User sessions (DESIGN "Who is calling"; SPEC M6 "deactivate: access ends at once"): login to
 * one org, the user principal checked as itself, logout, admin list and revoke, and sessions
 * ending in the write that deactivates or removes the member. On PGlite and PostgreSQL.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import {
  acceptInvitation,
  authenticateSession,
  authz,
  createApiClient,
  createOrg,
  createScope,
  directoryOverview,
  getOrg,
  inviteMember,
  listAudit,
  listDirectory,
  listOrgs,
  listSessions,
  logout,
  readQueuedEmail,
  removeMember,
  revokeSession,
  setMemberStatus,
  sweepEndedSessions,
  whoAmI,
} from '../index.js';
import { hashSecret } from '../rules/index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin, sessionLogin } from '../testing.js';

const PASSWORD = 'correct horse battery staple';
let seq = 0;
const email = (tag: string) =>
  `${tag}-${++seq}-${Math.random().toString(36).slice(2, 8)}@sessions.test`;

describe.each(testBackends())('user sessions on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, { publicUrl: 'https://gatehouse.acme.test' });
  });
  afterAll(async () => {
    await g?.close();
  });

  /** A flowcode org with a workspace and an org-admin API client. */
  async function org() {
    const { result: o } = await createOrg(
      { services: s, caller: admin },
      {
        name: 'Sessions',
        preset: 'flowcode',
        owner: { email: email('owner') },
      },
    );
    const { result } = await createApiClient(
      { services: s, caller: admin, orgId: o.id },
      {
        name: 'backend',
        roles: [{ role: 'org_admin' }],
      },
    );
    const caller: Caller = {
      principal: { kind: 'client', orgId: o.id, clientId: result.client.id },
      source: 'api',
    };
    const { result: ws } = await createScope(
      { services: s, caller, orgId: o.id },
      {
        kind: 'workspace',
        name: 'Marketing',
        parentId: o.id,
      },
    );
    return { orgId: o.id, caller, call: { services: s, caller, orgId: o.id }, workspaceId: ws.id };
  }

  /** Invites a person with roles and accepts with a password, as they would. */
  async function person(
    orgId: string,
    caller: Caller,
    input: { scopeId?: string; roles: Array<{ role: string }>; email?: string },
  ) {
    const address = input.email ?? email('person');
    const { result: inv } = await inviteMember(
      { services: s, caller, orgId },
      {
        email: address,
        scopeId: input.scopeId,
        roles: input.roles,
      },
    );
    const queued = await g.db
      .selectFrom('emails')
      .select('id')
      .where('ref_id', '=', inv.id)
      .executeTakeFirstOrThrow();
    const mail = await readQueuedEmail(g.db, queued.id);
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail!.text)![1]!;
    const existing = await g.db
      .selectFrom('users')
      .select('password_hash')
      .where('email_lower', '=', address.toLowerCase())
      .executeTakeFirst();
    const { result } = await acceptInvitation(s, {
      token,
      password: existing?.password_hash ? undefined : PASSWORD,
    });
    return { userId: result.userId, email: address };
  }

  const asSession = (principal: Caller['principal']): Caller => ({ principal, source: 'api' });

  it('M6 login gives a ses_ token shown once and stored only hashed; the session is the user of that org', async () => {
    const o = await org();
    const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const orgRevision = async () =>
      (
        await g.db
          .selectFrom('orgs')
          .select('revision')
          .where('id', '=', o.orgId)
          .executeTakeFirstOrThrow()
      ).revision;
    const before = await orgRevision();
    const engineBefore = await s.engines.get(o.orgId);
    const { result, revision } = await sessionLogin(
      s,
      { email: ana.email.toUpperCase(), password: PASSWORD, orgId: o.orgId, userAgent: 'vitest' },
      { requestId: 'req_login' },
    );
    expect(result.token).toMatch(/^ses_[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(result.session).toMatchObject({
      orgId: o.orgId,
      userId: ana.userId,
      email: ana.email,
      status: 'active',
      userAgent: 'vitest',
    });
    const ttl = Date.parse(result.session.expiresAt) - Date.parse(result.session.createdAt);
    expect(ttl).toBe(12 * 3_600_000);
    const row = await g.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', result.session.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashSecret(result.token));
    expect(JSON.stringify(row)).not.toContain(result.token.split('.')[1]);
    const user = await g.db
      .selectFrom('users')
      .select('last_login_at')
      .where('id', '=', ana.userId)
      .executeTakeFirstOrThrow();
    expect(user.last_login_at).not.toBeNull();
    // Sessions are not in the engine's snapshot: a login leaves the revision (and the cached
    // engine) alone, and is audited at the current revision.
    expect(revision).toBe(before);
    expect(await orgRevision()).toBe(before);
    expect(await s.engines.get(o.orgId)).toBe(engineBefore);

    const { principal } = await authenticateSession(s, result.token);
    expect(principal).toEqual({
      kind: 'user',
      orgId: o.orgId,
      userId: ana.userId,
      sessionId: result.session.id,
    });
    const me = await whoAmI({ services: s, caller: asSession(principal) });
    expect(me).toMatchObject({ user: { id: ana.userId }, org: { id: o.orgId } });

    const audit = await listAudit(o.call, { action: 'LoggedIn' });
    expect(audit.items[0]).toMatchObject({
      actorId: ana.userId,
      entityType: 'session',
      entityId: result.session.id,
      source: 'api',
      requestId: 'req_login',
      revision,
    });
  });

  it('M6 a failed login says the same thing whatever was wrong (no user enumeration)', async () => {
    const o = await org();
    const other = await org();
    const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const off = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    await setMemberStatus(o.call, { userId: off.userId, status: 'deactivated' });
    // A member without a password (added by an admin, never accepted an invitation).
    const { result: org0 } = await createOrg(
      { services: s, caller: admin },
      {
        name: 'No passwords',
        preset: 'flowcode',
        owner: { email: email('nopw') },
      },
    );
    const nopw = await g.db
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select('users.email')
      .where('members.org_id', '=', org0.id)
      .executeTakeFirstOrThrow();
    const attempts = [
      { email: ana.email, password: 'wrong horse battery staple', orgId: o.orgId },
      { email: email('nobody'), password: PASSWORD, orgId: o.orgId },
      { email: ana.email, password: PASSWORD, orgId: other.orgId },
      { email: off.email, password: PASSWORD, orgId: o.orgId },
      { email: nopw.email, password: PASSWORD, orgId: org0.id },
      { email: ana.email, password: PASSWORD, orgId: 'org_doesnotexist' },
      { email: ana.email, password: 'x'.repeat(10_000), orgId: o.orgId },
    ];
    const errors = [];
    for (const a of attempts) {
      errors.push(
        await sessionLogin(s, a).then(
          () => null,
          (e: unknown) => e,
        ),
      );
    }
    const shapes = errors.map((e) => ({
      code: (e as { code?: string })?.code,
      message: (e as Error)?.message,
    }));
    expect(new Set(shapes.map((x) => JSON.stringify(x))).size).toBe(1);
    expect(shapes[0]).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'login failed: wrong email or password, or no access to this organization',
    });
    expect(
      await g.db.selectFrom('sessions').select('id').where('org_id', '=', o.orgId).execute(),
    ).toEqual([]);
    // Bad input is a clear INVALID, not a 500.
    await expect(
      sessionLogin(s, { email: 'not an email', password: PASSWORD, orgId: o.orgId }),
    ).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('M6 a session reaches only its own org, and acts as its user with their permissions only', async () => {
    const o = await org();
    const other = await org();
    const ana = await person(o.orgId, o.caller, {
      scopeId: o.workspaceId,
      roles: [{ role: 'workspace_admin' }],
    });
    const { result } = await sessionLogin(s, {
      email: ana.email,
      password: PASSWORD,
      orgId: o.orgId,
    });
    const me = asSession((await authenticateSession(s, result.token)).principal);

    // Tenant isolation: the other org does not exist for this session.
    await expect(getOrg({ services: s, caller: me, orgId: other.orgId })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      listDirectory({ services: s, caller: me, orgId: other.orgId }, {}),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      inviteMember(
        { services: s, caller: me, orgId: other.orgId },
        { email: email('x'), roles: [{ role: 'org_user' }] },
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await listOrgs({ services: s, caller: me })).items.map((x) => x.id)).toEqual([o.orgId]);
    await expect(
      createOrg({ services: s, caller: me }, { name: 'Mine', preset: 'flowcode' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    // Her workspace_admin role: the workspace's directory and invitations there...
    const dir = await listDirectory(
      { services: s, caller: me, orgId: o.orgId },
      { scopeId: o.workspaceId },
    );
    expect(dir.items.map((m) => m.email)).toContain(ana.email);
    const { result: inv } = await inviteMember(
      { services: s, caller: me, orgId: o.orgId },
      {
        email: email('guest'),
        scopeId: o.workspaceId,
        roles: [{ role: 'workspace_viewer' }],
      },
    );
    expect(inv.invitedBy).toBe(ana.userId);
    // ...and nothing above it.
    await expect(
      listDirectory({ services: s, caller: me, orgId: o.orgId }, {}),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      inviteMember(
        { services: s, caller: me, orgId: o.orgId },
        { email: email('y'), roles: [{ role: 'org_admin' }] },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      createScope(
        { services: s, caller: me, orgId: o.orgId },
        { kind: 'workspace', name: 'Hers', parentId: o.orgId },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // A session cannot borrow someone else's identity.
    await expect(
      listDirectory(
        { services: s, caller: { ...me, onBehalfOf: 'usr_someoneelse' }, orgId: o.orgId },
        {
          scopeId: o.workspaceId,
        },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('M6 a session asks permission questions about itself; about others only where its user reads members', async () => {
    const o = await org();
    const ana = await person(o.orgId, o.caller, {
      scopeId: o.workspaceId,
      roles: [{ role: 'workspace_admin' }],
    });
    const bob = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const session = async (who: { email: string }) => {
      const { result } = await sessionLogin(s, {
        email: who.email,
        password: PASSWORD,
        orgId: o.orgId,
      });
      return asSession((await authenticateSession(s, result.token)).principal);
    };
    const asAna = await session(ana);
    const asBob = await session(bob);
    const q = (subject: string, scope: string) => ({
      subject,
      permission: 'members.read',
      scope,
    });
    // About themselves: every question, anywhere.
    expect(
      (await authz.check({ services: s, caller: asBob, orgId: o.orgId }, q(bob.userId, o.orgId)))
        .result.allowed,
    ).toBe(false);
    expect(
      (
        await authz.explain(
          { services: s, caller: asBob, orgId: o.orgId },
          q(bob.userId, o.workspaceId),
        )
      ).result,
    ).toBeTruthy();
    expect(
      (
        await authz.listScopesFor(
          { services: s, caller: asBob, orgId: o.orgId },
          {
            subject: bob.userId,
            permission: 'members.read',
          },
        )
      ).result.items,
    ).toEqual([]);
    // About others: bob (org_user) nowhere; ana (workspace_admin) in her workspace only.
    const refused = { code: 'FORBIDDEN', message: expect.stringContaining('members.read') };
    for (const call of [
      () =>
        authz.check({ services: s, caller: asBob, orgId: o.orgId }, q(ana.userId, o.workspaceId)),
      () =>
        authz.checkMany({ services: s, caller: asBob, orgId: o.orgId }, [
          q(bob.userId, o.orgId),
          q(ana.userId, o.orgId),
        ]),
      () => authz.explain({ services: s, caller: asBob, orgId: o.orgId }, q(ana.userId, o.orgId)),
      () =>
        authz.effectivePermissions(
          { services: s, caller: asBob, orgId: o.orgId },
          { subject: ana.userId, scope: o.orgId },
        ),
      () =>
        authz.listScopesFor(
          { services: s, caller: asBob, orgId: o.orgId },
          { subject: ana.userId, permission: 'members.read' },
        ),
      () =>
        authz.listSubjectsFor(
          { services: s, caller: asBob, orgId: o.orgId },
          { scope: o.orgId, permission: 'members.read' },
        ),
      () => authz.snapshot({ services: s, caller: asBob, orgId: o.orgId }),
      () => authz.check({ services: s, caller: asAna, orgId: o.orgId }, q(bob.userId, o.orgId)),
      () =>
        authz.listSubjectsFor(
          { services: s, caller: asAna, orgId: o.orgId },
          { scope: o.orgId, permission: 'members.read' },
        ),
      () => authz.snapshot({ services: s, caller: asAna, orgId: o.orgId }),
    ]) {
      await expect(call()).rejects.toMatchObject(refused);
    }
    expect(
      (
        await authz.check(
          { services: s, caller: asAna, orgId: o.orgId },
          q(bob.userId, o.workspaceId),
        )
      ).result.allowed,
    ).toBe(false);
    const there = await authz.listSubjectsFor(
      { services: s, caller: asAna, orgId: o.orgId },
      {
        scope: o.workspaceId,
        permission: 'members.read',
      },
    );
    expect(there.result.items.map((x) => x.subjectId)).toContain(ana.userId);
    // The org's API client (its backend) asks anything, as before.
    expect((await authz.snapshot(o.call)).orgId).toBe(o.orgId);
  });

  it('M6 deactivation ends the sessions in the same write; a deactivated user cannot log in; reactivation does not revive them', async () => {
    const o = await org();
    const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const a = await sessionLogin(s, { email: ana.email, password: PASSWORD, orgId: o.orgId });
    const b = await sessionLogin(s, { email: ana.email, password: PASSWORD, orgId: o.orgId });
    await authenticateSession(s, a.result.token);
    const { revision } = await setMemberStatus(o.call, {
      userId: ana.userId,
      status: 'deactivated',
    });
    for (const t of [a.result.token, b.result.token]) {
      await expect(authenticateSession(s, t)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
        message: expect.stringContaining('ended'),
      });
    }
    const revoked = await listAudit(o.call, {
      entityType: 'session',
      action: 'Revoked',
    });
    expect(revoked.items.map((e) => [e.entityId, e.revision]).sort()).toEqual(
      [a.result.session.id, b.result.session.id].map((id) => [id, revision]).sort(),
    );
    await expect(
      sessionLogin(s, { email: ana.email, password: PASSWORD, orgId: o.orgId }),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await setMemberStatus(o.call, { userId: ana.userId, status: 'active' });
    await expect(authenticateSession(s, a.result.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const c = await sessionLogin(s, { email: ana.email, password: PASSWORD, orgId: o.orgId });
    await authenticateSession(s, c.result.token);
  });

  it('M5 M6 removal from the org ends the sessions there, and only there', async () => {
    const o = await org();
    const other = await org();
    const address = email('both');
    const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }], email: address });
    await person(other.orgId, other.caller, { roles: [{ role: 'org_user' }], email: address });
    const here = await sessionLogin(s, { email: address, password: PASSWORD, orgId: o.orgId });
    const there = await sessionLogin(s, { email: address, password: PASSWORD, orgId: other.orgId });
    await removeMember(o.call, { userId: ana.userId });
    await expect(authenticateSession(s, here.result.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect((await authenticateSession(s, there.result.token)).principal.orgId).toBe(other.orgId);
    await expect(
      sessionLogin(s, { email: address, password: PASSWORD, orgId: o.orgId }),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it("M6 an org's directory shows the last sign-in to that org, never one to another org", async () => {
    const a = await org();
    const b = await org();
    const address = email('two-orgs');
    const ana = await person(a.orgId, a.caller, { roles: [{ role: 'org_user' }], email: address });
    await person(b.orgId, b.caller, { roles: [{ role: 'org_user' }], email: address });
    let now = new Date('2031-03-01T09:00:00.000Z');
    const timed = createServices(g.db, { now: () => now });
    const shown = async (o: { orgId: string; caller: Caller }) => {
      const row = (
        await listDirectory({ services: s, caller: o.caller, orgId: o.orgId }, { search: address })
      ).items[0]!;
      const overview = await directoryOverview({
        services: timed,
        caller: o.caller,
        orgId: o.orgId,
      });
      return {
        lastLoginAt: row.lastLoginAt,
        recent: overview.recentLogins.filter((r) => r.userId === ana.userId),
      };
    };
    const journal = async (orgId: string) =>
      Number(
        (
          await g.db
            .selectFrom('snapshot_changes')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('org_id', '=', orgId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    // Ana signs in to B only: A's admins see no sign-in at all.
    const journalled = await journal(b.orgId);
    await sessionLogin(timed, { email: address, password: PASSWORD, orgId: b.orgId });
    expect(await shown(a)).toEqual({ lastLoginAt: null, recent: [] });
    expect(
      (await directoryOverview({ services: timed, caller: a.caller, orgId: a.orgId }))
        .activeLast30Days,
    ).toBe(0);
    expect(await shown(b)).toEqual({
      lastLoginAt: now.toISOString(),
      recent: [expect.objectContaining({ lastLoginAt: now.toISOString() })],
    });
    expect(
      (await directoryOverview({ services: timed, caller: b.caller, orgId: b.orgId }))
        .activeLast30Days,
    ).toBe(1);
    // Recording it changes nothing the engines read: no snapshot journal entry.
    expect(await journal(b.orgId)).toBe(journalled);

    // Then to A, and a day later to B again: A keeps its own (older) sign-in.
    const inA = new Date('2031-03-02T09:00:00.000Z');
    now = inA;
    await sessionLogin(timed, { email: address, password: PASSWORD, orgId: a.orgId });
    now = new Date('2031-03-03T09:00:00.000Z');
    await sessionLogin(timed, { email: address, password: PASSWORD, orgId: b.orgId });
    expect((await shown(a)).lastLoginAt).toBe(inA.toISOString());
    expect((await shown(b)).lastLoginAt).toBe(now.toISOString());
  });

  it('M6 logout ends the session (audited with the user as actor); idempotent', async () => {
    const o = await org();
    const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const { result } = await sessionLogin(s, {
      email: ana.email,
      password: PASSWORD,
      orgId: o.orgId,
    });
    const me = asSession((await authenticateSession(s, result.token)).principal);
    const engine = await s.engines.get(o.orgId);
    const out = await logout({ services: s, caller: me });
    expect(out.result.status).toBe('revoked');
    // Not a change of the snapshot: the revision stays where it was.
    expect(out.revision).toBe(engine.revision);
    expect(await s.engines.get(o.orgId)).toBe(engine);
    await expect(authenticateSession(s, result.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect((await logout({ services: s, caller: me })).result.status).toBe('revoked');
    const audit = await listAudit(o.call, { action: 'LoggedOut' });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actorId: ana.userId, entityId: result.session.id });
    await expect(logout({ services: s, caller: o.caller })).rejects.toMatchObject({
      code: 'INVALID',
    });
    // Garbage and API-key-looking tokens are refused the same way.
    for (const t of ['ses_nope.x', 'nope', `${result.session.id}.wrong`]) {
      await expect(authenticateSession(s, t)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('M6 sessions expire after the configured TTL; last use is recorded at most once a minute', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const timed = createServices(g.db, {
      publicUrl: 'https://gatehouse.acme.test',
      sessionTtlMs: 30 * 60_000,
      now: () => now,
    });
    const o = await org();
    const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const { result } = await sessionLogin(timed, {
      email: ana.email,
      password: PASSWORD,
      orgId: o.orgId,
    });
    expect(result.session.expiresAt).toBe('2030-01-01T00:30:00.000Z');
    const lastUsed = async () =>
      (
        await g.db
          .selectFrom('sessions')
          .select('last_used_at')
          .where('id', '=', result.session.id)
          .executeTakeFirstOrThrow()
      ).last_used_at?.toISOString();
    await authenticateSession(timed, result.token);
    expect(await lastUsed()).toBe('2030-01-01T00:00:00.000Z');
    now = new Date('2030-01-01T00:00:30Z');
    await authenticateSession(timed, result.token);
    expect(await lastUsed()).toBe('2030-01-01T00:00:00.000Z');
    now = new Date('2030-01-01T00:01:01Z');
    await authenticateSession(timed, result.token);
    expect(await lastUsed()).toBe('2030-01-01T00:01:01.000Z');
    now = new Date('2030-01-01T00:30:00Z');
    await expect(authenticateSession(timed, result.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('expired'),
    });
  });

  it('M6 failed logins are throttled per address, known or not, until the window passes; a right password clears them', async () => {
    let now = new Date('2031-03-01T00:00:00Z');
    const throttled = createServices(g.db, {
      publicUrl: 'https://gatehouse.acme.test',
      loginMaxFailures: 3,
      loginWindowMs: 10 * 60_000,
      now: () => now,
    });
    const o = await org();
    const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const bob = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const nobody = email('nobody');
    const attempt = (who: string, password: string) =>
      sessionLogin(throttled, { email: who, password, orgId: o.orgId }).then(
        () => 'ok',
        (e: unknown) => e as { code: string; message: string; details?: unknown },
      );
    for (const who of [ana.email, nobody]) {
      for (let i = 0; i < 3; i++) {
        now = new Date(now.getTime() + 60_000);
        expect(await attempt(who, 'wrong horse battery staple')).toMatchObject({
          code: 'UNAUTHENTICATED',
        });
      }
    }
    // Ana's failures were at minutes 1-3, nobody's at 4-6; it is minute 6.
    const refusedAna = await attempt(ana.email.toUpperCase(), PASSWORD);
    const refusedNobody = await attempt(nobody, PASSWORD);
    expect(refusedAna).toEqual(
      expect.objectContaining({
        code: 'TOO_MANY_REQUESTS',
        message: 'too many failed logins for this email address; try again in 5 minute(s)',
        details: { retryAfterSeconds: 5 * 60 },
      }),
    );
    // An address without an account is throttled the same way: no enumeration.
    expect(refusedNobody).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      details: { retryAfterSeconds: 8 * 60 },
    });
    expect(await attempt(bob.email, PASSWORD)).toBe('ok');
    const anaSessions = () =>
      g.db.selectFrom('sessions').select('id').where('user_id', '=', ana.userId).execute();
    expect(await anaSessions()).toEqual([]);
    // Once ana's first failure leaves the window, her logins open again.
    now = new Date('2031-03-01T00:11:00Z');
    expect(await attempt(ana.email, PASSWORD)).toBe('ok');
    // ... and that success cleared her failures: two more and a right password still pass.
    expect(await attempt(ana.email, 'nope')).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await attempt(ana.email, 'nope')).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await attempt(ana.email, PASSWORD)).toBe('ok');
    // Rows older than the window go as new failures arrive.
    now = new Date('2031-03-01T01:00:00Z');
    expect(await attempt(nobody, 'nope')).toMatchObject({ code: 'UNAUTHENTICATED' });
    const rows = await g.db
      .selectFrom('login_failures')
      .select(['email_lower', 'org_id'])
      .where('email_lower', '=', nobody.toLowerCase())
      .execute();
    expect(rows).toEqual([{ email_lower: nobody.toLowerCase(), org_id: o.orgId }]);
    // Turned off: failures are neither counted nor refused.
    const open = createServices(g.db, { loginMaxFailures: 0, now: () => now });
    for (let i = 0; i < 5; i++) {
      await expect(
        sessionLogin(open, { email: bob.email, password: 'nope', orgId: o.orgId }),
      ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    expect(
      (await sessionLogin(open, { email: bob.email, password: PASSWORD, orgId: o.orgId })).result,
    ).toBeTruthy();
  });

  it("M6 ended sessions stay listed for 30 days, then the user's next login deletes them", async () => {
    let now = new Date('2032-05-01T00:00:00Z');
    const timed = createServices(g.db, {
      publicUrl: 'https://gatehouse.acme.test',
      sessionTtlMs: 60 * 60_000,
      now: () => now,
    });
    const o = await org();
    const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const other = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const signIn = async (who: { email: string }) =>
      (await sessionLogin(timed, { email: who.email, password: PASSWORD, orgId: o.orgId })).result;
    const expired = await signIn(ana);
    const loggedOut = await signIn(ana);
    const othersOld = await signIn(other);
    await logout({
      services: timed,
      caller: asSession((await authenticateSession(timed, loggedOut.token)).principal),
    });
    const ids = async (userId: string) =>
      (
        await g.db
          .selectFrom('sessions')
          .select('id')
          .where('org_id', '=', o.orgId)
          .where('user_id', '=', userId)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map((r) => r.id);
    // 29 days on: both ended sessions are still there (and listed) after a new login.
    now = new Date('2032-05-30T00:00:00Z');
    const recent = await signIn(ana);
    expect(new Set(await ids(ana.userId))).toEqual(
      new Set([expired.session.id, loggedOut.session.id, recent.session.id]),
    );
    // 31 days after they ended, the next login deletes them; the recent one stays.
    now = new Date('2032-06-01T02:00:00Z');
    const latest = await signIn(ana);
    expect(new Set(await ids(ana.userId))).toEqual(new Set([recent.session.id, latest.session.id]));
    // Only ana's: another user's old session waits for their own next login...
    expect(await ids(other.userId)).toEqual([othersOld.session.id]);
    // ... or for the periodic pass, which sweeps every org's long-ended sessions.
    const swept = await sweepEndedSessions(timed);
    expect(swept).toBeGreaterThanOrEqual(1);
    expect(await ids(other.userId)).toEqual([]);
    expect(new Set(await ids(ana.userId))).toEqual(new Set([recent.session.id, latest.session.id]));
  });

  it('M6 admins list and revoke sessions (members.read / members.update at the root); a user sees and ends only their own', async () => {
    const o = await org();
    const boss = await person(o.orgId, o.caller, { roles: [{ role: 'org_admin' }] });
    const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
    const bossLogin = await sessionLogin(s, {
      email: boss.email,
      password: PASSWORD,
      orgId: o.orgId,
    });
    const a1 = await sessionLogin(s, { email: ana.email, password: PASSWORD, orgId: o.orgId });
    const a2 = await sessionLogin(s, { email: ana.email, password: PASSWORD, orgId: o.orgId });
    const bossMe = asSession((await authenticateSession(s, bossLogin.result.token)).principal);
    const anaMe = asSession((await authenticateSession(s, a1.result.token)).principal);

    const all = await listSessions({ services: s, caller: bossMe, orgId: o.orgId }, { limit: 2 });
    expect(all.items.map((x) => x.id)).toEqual([a2.result.session.id, a1.result.session.id]);
    const next = await listSessions(
      { services: s, caller: bossMe, orgId: o.orgId },
      { cursor: all.nextCursor! },
    );
    expect(next.items.map((x) => x.id)).toEqual([bossLogin.result.session.id]);
    expect(JSON.stringify(all)).not.toContain('token');

    await expect(
      listSessions({ services: s, caller: anaMe, orgId: o.orgId }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const own = await listSessions(
      { services: s, caller: anaMe, orgId: o.orgId },
      { userId: ana.userId },
    );
    expect(own.items).toHaveLength(2);
    await expect(
      revokeSession(
        { services: s, caller: anaMe, orgId: o.orgId },
        { sessionId: bossLogin.result.session.id },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await revokeSession(
      { services: s, caller: anaMe, orgId: o.orgId },
      { sessionId: a2.result.session.id },
    );

    const { result: revoked } = await revokeSession(
      { services: s, caller: bossMe, orgId: o.orgId },
      { sessionId: a1.result.session.id },
    );
    expect(revoked.status).toBe('revoked');
    await expect(authenticateSession(s, a1.result.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const active = await listSessions(
      { services: s, caller: bossMe, orgId: o.orgId },
      { activeOnly: true },
    );
    expect(active.items.map((x) => x.id)).toEqual([bossLogin.result.session.id]);
    const audit = await listAudit(o.call, {
      entityType: 'session',
      action: 'Revoked',
    });
    expect(audit.items.map((e) => [e.actorId, e.entityId])).toEqual(
      expect.arrayContaining([
        [boss.userId, a1.result.session.id],
        [ana.userId, a2.result.session.id],
      ]),
    );
    await expect(
      revokeSession({ services: s, caller: bossMe, orgId: o.orgId }, { sessionId: 'ses_unknown' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('M6 a login racing the deactivation never leaves a usable session', async () => {
    const o = await org();
    for (let i = 0; i < 3; i++) {
      const ana = await person(o.orgId, o.caller, { roles: [{ role: 'org_user' }] });
      await Promise.allSettled([
        sessionLogin(s, { email: ana.email, password: PASSWORD, orgId: o.orgId }),
        setMemberStatus(o.call, { userId: ana.userId, status: 'deactivated' }),
      ]);
      const open = await g.db
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', ana.userId)
        .where('revoked_at', 'is', null)
        .execute();
      expect(open).toEqual([]);
    }
  });
});
