/**
 * User sessions end to end (DESIGN "Who is calling"; SPEC M6 "deactivate: access ends at once"):
 * a person accepts an invitation with a password, logs in to one org through the SDK and calls
 * the real server with the session token as their bearer; the session acts as the user, in that
 * org only, and ends with logout, an admin's revoke or deactivation.
 */
import { createHash } from 'node:crypto';
import { sql } from '@gatehouse/db';
import type { Gatehouse } from '@gatehouse/sdk';
import { createGatehouse } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createOrgFixture,
  email,
  failure,
  type OrgFixture,
  sessionOf,
  startTestServer,
  type TestServer,
} from './harness.js';

const PASSWORD = 'correct horse battery staple';

describe.each(backends)('user sessions end to end on $name', (backend) => {
  let t: TestServer;
  let anon: Gatehouse;
  let acme: OrgFixture;
  let globex: OrgFixture;
  let workspaceId: string;
  let ana: { userId: string; email: string };

  /** Invites a person through the API and accepts with a password, as they would. */
  async function person(
    o: OrgFixture,
    input: { scopeId?: string; roles: Array<{ role: string }> },
  ): Promise<{ userId: string; email: string }> {
    const address = email('person');
    const { result: inv } = await o.gh.api.invitations.invite.mutate({
      orgId: o.orgId,
      email: address,
      ...input,
    });
    // No SMTP server: the message, link included, is written to the server's log.
    expect(inv.status).toBe('pending');
    const token = /token=([A-Za-z0-9_-]+)/.exec(await t.emailTo(address))![1]!;
    const { result } = await anon.api.invitations.accept.mutate({
      token,
      name: 'Person',
      password: PASSWORD,
    });
    return { userId: result.userId, email: address };
  }

  const signIn = async (who: { email: string }, orgId: string) =>
    sessionOf(
      (await anon.api.sessions.login.mutate({ email: who.email, password: PASSWORD, orgId }))
        .result,
    );

  beforeAll(async () => {
    t = await startTestServer(backend);
    anon = createGatehouse({ url: t.url });
    acme = await createOrgFixture(t, { name: 'Acme', preset: 'flowcode', clientRole: 'org_admin' });
    globex = await createOrgFixture(t, {
      name: 'Globex',
      preset: 'flowcode',
      clientRole: 'org_admin',
    });
    const ws = await acme.gh.api.scopes.create.mutate({
      orgId: acme.orgId,
      kind: 'workspace',
      name: 'Marketing',
    });
    workspaceId = ws.result.id;
    ana = await person(acme, { scopeId: workspaceId, roles: [{ role: 'workspace_admin' }] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('M6 login gives a ses_ token; the session says who and where it is; the token is stored hashed', async () => {
    const login = await signIn(ana, acme.orgId);
    expect(login.token).toMatch(/^ses_[0-9a-z]+\./);
    const gh = createGatehouse({ url: t.url, sessionToken: login.token });
    const me = await gh.api.sessions.me.query();
    expect(me).toMatchObject({
      user: { id: ana.userId, email: ana.email },
      org: { id: acme.orgId, name: 'Acme' },
      session: { id: login.session.id, status: 'active' },
    });
    expect(me.session.userAgent).toBeTruthy();
    const rows = await t.server.gatedb.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', login.session.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(login.token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(login.token.split('.')[1]);
    // Nor anywhere else it could leak to: the audit log and the outbox.
    for (const table of ['audit_log', 'outbox'] as const) {
      const leaks = await t.server.gatedb.db
        .selectFrom(table)
        .select(sql<number>`count(*)::int`.as('n'))
        .where(sql<string>`${sql.table(table)}::text`, 'like', `%${login.token.split('.')[1]}%`)
        .executeTakeFirstOrThrow();
      expect(leaks.n, table).toBe(0);
    }
    const audit = await acme.gh.api.audit.list.query({ orgId: acme.orgId, action: 'LoggedIn' });
    expect(audit.items[0]).toMatchObject({ actorId: ana.userId, entityId: login.session.id });
  });

  it('M6 a wrong password and an unknown email give the same UNAUTHORIZED error; bad input is a 400', async () => {
    const wrong = await failure(
      anon.api.sessions.login.mutate({
        email: ana.email,
        password: 'nope nope nope',
        orgId: acme.orgId,
      }),
    );
    const unknown = await failure(
      anon.api.sessions.login.mutate({
        email: email('nobody'),
        password: PASSWORD,
        orgId: acme.orgId,
      }),
    );
    const elsewhere = await failure(
      anon.api.sessions.login.mutate({ email: ana.email, password: PASSWORD, orgId: globex.orgId }),
    );
    expect(wrong).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    expect(unknown).toEqual(wrong);
    expect(elsewhere).toEqual(wrong);
    const bad = await failure(
      anon.api.sessions.login.mutate({ email: ana.email, password: PASSWORD, orgId: 'acme' }),
    );
    expect(bad).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    const notAToken = await failure(
      createGatehouse({ url: t.url, sessionToken: 'ses_abc.def' }).api.sessions.me.query(),
    );
    expect(notAToken).toMatchObject({ code: 'UNAUTHORIZED', message: 'invalid session token' });
  });

  it('M6 after 10 failed logins for an address (the default) the 11th is 429 TOO_MANY_REQUESTS, even with the right password', async () => {
    const bea = await person(acme, { roles: [{ role: 'org_user' }] });
    for (let i = 0; i < 10; i++) {
      const wrong = await failure(
        anon.api.sessions.login.mutate({ email: bea.email, password: 'guess', orgId: acme.orgId }),
      );
      expect(wrong).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    }
    const refused = await anon.api.sessions.login
      .mutate({ email: bea.email, password: PASSWORD, orgId: acme.orgId })
      .then(
        () => null,
        (e: { data?: { code?: string; httpStatus?: number; details?: unknown } }) => e.data,
      );
    expect(refused).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      httpStatus: 429,
      details: { retryAfterSeconds: expect.any(Number) },
    });
    const wait = (refused?.details as { retryAfterSeconds?: number } | undefined)
      ?.retryAfterSeconds;
    expect(wait).toBeGreaterThan(14 * 60);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    // Other people log in as before.
    expect((await signIn(ana, acme.orgId)).token).toMatch(/^ses_/);
  });

  it('M6 a session reaches only its own org: another org id is NOT_FOUND', async () => {
    const gh = createGatehouse({ url: t.url, sessionToken: (await signIn(ana, acme.orgId)).token });
    // Thunks, so each call starts only when awaited (a rejection is never left unhandled).
    for (const call of [
      () => gh.api.orgs.get.query({ orgId: globex.orgId }),
      () => gh.api.members.list.query({ orgId: globex.orgId }),
      () => gh.api.sessions.list.query({ orgId: globex.orgId }),
      () =>
        gh.api.authz.check.query({
          orgId: globex.orgId,
          subject: globex.ownerUserId,
          permission: 'flows.read',
          scope: globex.orgId,
        }),
    ]) {
      expect(await failure(call())).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect((await gh.api.orgs.list.query()).items.map((o) => o.id)).toEqual([acme.orgId]);
  });

  it("M6 a session does what the user's role allows and nothing more; it cannot act for someone else", async () => {
    const token = (await signIn(ana, acme.orgId)).token;
    const gh = createGatehouse({ url: t.url, sessionToken: token });
    // workspace_admin of Marketing: its directory and invitations into it.
    const dir = await gh.api.members.list.query({ orgId: acme.orgId, scopeId: workspaceId });
    expect(dir.items.map((m) => m.email)).toContain(ana.email);
    const { result: inv } = await gh.api.invitations.invite.mutate({
      orgId: acme.orgId,
      email: email('guest'),
      scopeId: workspaceId,
      roles: [{ role: 'workspace_viewer' }],
    });
    expect(inv.invitedBy).toBe(ana.userId);
    // Nothing at the org level.
    for (const call of [
      () => gh.api.members.list.query({ orgId: acme.orgId }),
      () => gh.api.scopes.create.mutate({ orgId: acme.orgId, kind: 'workspace', name: 'Hers' }),
      () =>
        gh.api.invitations.invite.mutate({
          orgId: acme.orgId,
          email: email('boss'),
          roles: [{ role: 'org_admin' }],
        }),
      () => gh.api.sessions.list.query({ orgId: acme.orgId }),
      () => gh.api.orgs.create.mutate({ name: 'Mine', preset: 'flowcode' }),
      // Permission questions about others need members.read where they are asked.
      () =>
        gh.api.authz.check.query({
          orgId: acme.orgId,
          subject: acme.ownerUserId,
          permission: 'members.read',
          scope: acme.orgId,
        }),
      () => gh.api.authz.snapshot.query({ orgId: acme.orgId }),
    ]) {
      expect(await failure(call())).toMatchObject({ code: 'FORBIDDEN' });
    }
    // About herself, anything.
    const self = await gh.api.authz.check.query({
      orgId: acme.orgId,
      subject: ana.userId,
      permission: 'members.read',
      scope: workspaceId,
    });
    expect(self.result.allowed).toBe(true);
    // Her own sessions she may see; a session never speaks for another user.
    const own = await gh.api.sessions.list.query({ orgId: acme.orgId, userId: ana.userId });
    expect(own.items.every((x) => x.userId === ana.userId)).toBe(true);
    const borrowed = createGatehouse({
      url: t.url,
      sessionToken: token,
      onBehalfOf: acme.ownerUserId,
    });
    expect(await failure(borrowed.api.sessions.me.query())).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('acts only as its own user'),
    });
  });

  it('M6 logout ends the session: the next call is UNAUTHORIZED', async () => {
    const gh = createGatehouse({ url: t.url, sessionToken: (await signIn(ana, acme.orgId)).token });
    const { result } = await gh.api.sessions.logout.mutate();
    expect(result.status).toBe('revoked');
    expect(await failure(gh.api.sessions.me.query())).toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
    });
  });

  it('M6 an admin lists and revokes sessions; the revoked one stops at once', async () => {
    const login = await signIn(ana, acme.orgId);
    const gh = createGatehouse({ url: t.url, sessionToken: login.token });
    const list = await acme.gh.api.sessions.list.query({
      orgId: acme.orgId,
      userId: ana.userId,
      activeOnly: true,
    });
    expect(list.items.map((x) => x.id)).toContain(login.session.id);
    await acme.gh.api.sessions.revoke.mutate({ orgId: acme.orgId, sessionId: login.session.id });
    expect(await failure(gh.api.sessions.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(
      await failure(
        globex.gh.api.sessions.revoke.mutate({ orgId: acme.orgId, sessionId: login.session.id }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('M6 deactivation: the very next call with the session is UNAUTHORIZED, and login is refused', async () => {
    const bob = await person(acme, { scopeId: workspaceId, roles: [{ role: 'workspace_editor' }] });
    const gh = createGatehouse({ url: t.url, sessionToken: (await signIn(bob, acme.orgId)).token });
    expect((await gh.api.sessions.me.query()).user.id).toBe(bob.userId);
    await acme.gh.api.members.deactivate.mutate({ orgId: acme.orgId, userId: bob.userId });
    expect(await failure(gh.api.sessions.me.query())).toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
    });
    expect(await failure(gh.api.scopes.list.query({ orgId: acme.orgId }))).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect(
      await failure(
        anon.api.sessions.login.mutate({ email: bob.email, password: PASSWORD, orgId: acme.orgId }),
      ),
    ).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
