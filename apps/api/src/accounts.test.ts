/**
 * Passwords through the HTTP API (issue 14; M6 and seed 003 "Reset Password — trigger a password
 * reset"): tRPC over `fetch` on loopback, on every test backend. On an `idwise` org an
 * Administrator resets a member's password with `members.resetPassword`, the email is queued,
 * its link works through the public `accounts.*` procedures, and a member without admin
 * permissions is refused; a session changes its own password, an API key cannot. Multi-factor:
 * a member enrolls a TOTP app and signs in with its code (`sessions.completeMfaLogin`), an
 * Administrator resets it with `members.resetMfa` (seed 003 "Reset MFA"), and an org requiring
 * MFA restricts a password session without one to enrolling.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { createServices, readQueuedEmail, type Services, totpCode } from '@gatehouse/domain';
import { createTRPCClient, httpBatchLink, type TRPCClient, TRPCClientError } from '@trpc/client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from './app.js';
import type { AppRouter } from './root.js';

const ADMIN_KEY = 'gh_admin_test_key_for_accounts_and_passwords';
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'plumbing otter saxophone';
const LINK = /https:\/\/app\.acme\.test\/password\/reset\?token=([A-Za-z0-9_-]{43})/;

/** The session of a login that asked for no second factor. */
function sessionOf<T extends { mfaRequired: boolean }>(r: T): Extract<T, { mfaRequired: false }> {
  if (r.mfaRequired) throw new Error('this login asks for a second factor');
  return r as Extract<T, { mfaRequired: false }>;
}

/** The tRPC error code and Gatehouse's domain code of a failed call. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; domainCode: unknown }> {
  const { code, domainCode } = await refused(p);
  return { code, domainCode };
}

/** A failed call's codes and message. */
async function refused(
  p: Promise<unknown>,
): Promise<{ code: string; domainCode: unknown; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCClientError) {
      const data = e.data as { code: string; domainCode: unknown };
      return { code: data.code, domainCode: data.domainCode, message: e.message };
    }
    throw e;
  }
  throw new Error('expected the call to be refused');
}

/** The code an authenticator app shows `stepsAhead` steps from now (30 s each). */
const codeAt = (secret: string, stepsAhead = 0) =>
  totpCode(secret, new Date(Date.now() + stepsAhead * 30_000));

describe.each(testBackends())('passwords through the API on $name', (backend) => {
  let g: Gatedb;
  let services: Services;
  let server: Server;
  let url: string;
  let admin: TRPCClient<AppRouter>;
  let anonymous: TRPCClient<AppRouter>;
  let seq = 0;
  const connect = (key?: string) =>
    createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${url}/trpc`,
          headers: () => (key ? { authorization: `Bearer ${key}` } : {}),
        }),
      ],
    });

  beforeAll(async () => {
    g = await backend.open();
    services = createServices(g.db, { publicUrl: 'https://app.acme.test', passwords: true });
    const app = express();
    app.use('/trpc', createApiHandler({ services, adminKey: ADMIN_KEY }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    admin = connect(ADMIN_KEY);
    anonymous = connect();
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    await g?.close();
  });

  /** The newest queued email of `kind` to `to`, opened (its link in plain). */
  async function queuedEmail(to: string, kind: string) {
    const row = await g.db
      .selectFrom('emails')
      .select(['id', 'org_id', 'status'])
      .where('to_address', '=', to)
      .where('kind', '=', kind)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return { ...row, mail: (await readQueuedEmail(g.db, row.id))! };
  }

  /** An idwise org with a member per role, each signed in with a password (all over HTTP). */
  async function idwiseOrg() {
    const tag = `${++seq}-${Math.random().toString(36).slice(2, 8)}`;
    const { result: org } = await admin.orgs.create.mutate({
      name: `IDWise ${tag}`,
      preset: 'idwise',
      owner: { email: `founder-${tag}@idwise.test` },
    });
    const member = async (name: string, role: string) => {
      const email = `${name}-${tag}@idwise.test`;
      await admin.invitations.invite.mutate({ orgId: org.id, email, roles: [{ role }] });
      const { mail } = await queuedEmail(email, 'invitation');
      const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      const { result } = await anonymous.invitations.accept.mutate({ token, password: PASSWORD });
      const { result: session } = await anonymous.sessions.login.mutate({
        email,
        password: PASSWORD,
        orgId: org.id,
      });
      return { email, userId: result.userId, session: connect(sessionOf(session).token) };
    };
    return {
      orgId: org.id,
      administrator: await member('admin', 'administrator'),
      analyst: await member('analyst', 'analytics'),
      viewer: await member('viewer', 'view_verification'),
    };
  }

  it('M6 seed 003: an Administrator resets a member’s password with members.resetPassword; the email is queued, its link works, the member signs in with the new password', async () => {
    const o = await idwiseOrg();
    const { result, revision } = await o.administrator.session.members.resetPassword.mutate({
      orgId: o.orgId,
      userId: o.analyst.userId,
    });
    expect(result).toMatchObject({ userId: o.analyst.userId, endedSessions: 1 });
    expect(revision).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toMatch(/token/i);
    // The analyst's session in this org ended at once.
    expect(await refusal(o.analyst.session.sessions.me.query())).toMatchObject({
      code: 'UNAUTHORIZED',
    });

    const queued = await queuedEmail(o.analyst.email, 'password_reset');
    expect(queued).toMatchObject({ org_id: o.orgId, status: 'pending' });
    const token = LINK.exec(queued.mail.text)![1]!;
    const link = await anonymous.accounts.inspectPasswordReset.mutate({ token });
    expect(link).toMatchObject({ usable: true, state: 'usable', problem: null });
    expect(link.email).toMatch(/^a•+\d?.*@idwise\.test$/);

    const weak = await refusal(
      anonymous.accounts.resetPassword.mutate({ token, password: 'password1' }),
    );
    expect(weak).toEqual({ code: 'BAD_REQUEST', domainCode: 'INVALID' });
    const done = await anonymous.accounts.resetPassword.mutate({ token, password: NEW_PASSWORD });
    expect(done).toMatchObject({ userId: o.analyst.userId, email: o.analyst.email });
    expect(
      await refusal(anonymous.accounts.resetPassword.mutate({ token, password: NEW_PASSWORD })),
    ).toEqual({ code: 'BAD_REQUEST', domainCode: 'INVALID' });
    expect(
      await refusal(
        anonymous.sessions.login.mutate({
          email: o.analyst.email,
          password: PASSWORD,
          orgId: o.orgId,
        }),
      ),
    ).toMatchObject({ code: 'UNAUTHORIZED' });
    const { result: again } = await anonymous.sessions.login.mutate({
      email: o.analyst.email,
      password: NEW_PASSWORD,
      orgId: o.orgId,
    });
    expect(sessionOf(again).token).toMatch(/^ses_/);
    const audit = await admin.audit.list.query({
      orgId: o.orgId,
      action: 'PasswordResetRequested',
    });
    expect(audit.items).toEqual([
      expect.objectContaining({ actorId: o.administrator.userId, entityId: o.analyst.userId }),
    ]);
  });

  it('M6 seed 003: a member without admin permissions is refused (FORBIDDEN), and nothing is sent; another org’s member is NOT_FOUND', async () => {
    const o = await idwiseOrg();
    const other = await idwiseOrg();
    expect(
      await refusal(
        o.viewer.session.members.resetPassword.mutate({
          orgId: o.orgId,
          userId: o.analyst.userId,
        }),
      ),
    ).toEqual({ code: 'FORBIDDEN', domainCode: 'FORBIDDEN' });
    expect(
      await refusal(
        o.administrator.session.members.resetPassword.mutate({
          orgId: o.orgId,
          userId: other.analyst.userId,
        }),
      ),
    ).toEqual({ code: 'NOT_FOUND', domainCode: 'NOT_FOUND' });
    expect(
      await refusal(
        o.administrator.session.members.resetPassword.mutate({
          orgId: other.orgId,
          userId: other.analyst.userId,
        }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
    const sent = await g.db
      .selectFrom('emails')
      .select('id')
      .where('kind', '=', 'password_reset')
      .where('to_address', 'in', [o.analyst.email, other.analyst.email])
      .execute();
    expect(sent).toEqual([]);
    // The analyst is still signed in.
    await expect(o.analyst.session.sessions.me.query()).resolves.toBeDefined();
  });

  it('issue 14 forgot password and change password over HTTP: the same answer for an unknown address; a session changes its own password, an API key cannot', async () => {
    const o = await idwiseOrg();
    const unknown = await anonymous.accounts.requestPasswordReset.mutate({
      email: `nobody-${seq}@idwise.test`,
    });
    const known = await anonymous.accounts.requestPasswordReset.mutate({
      email: o.viewer.email,
    });
    expect(known).toEqual(unknown);
    const queued = await queuedEmail(o.viewer.email, 'password_reset');
    expect(queued.org_id).toBeNull();
    expect(
      await refusal(
        anonymous.accounts.resetPassword.mutate({
          token: 'A'.repeat(43),
          password: NEW_PASSWORD,
        }),
      ),
    ).toEqual({ code: 'NOT_FOUND', domainCode: 'NOT_FOUND' });

    expect(
      await refusal(
        admin.accounts.changePassword.mutate({
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
        }),
      ),
    ).toEqual({ code: 'FORBIDDEN', domainCode: 'FORBIDDEN' });
    expect(
      await refusal(
        anonymous.accounts.changePassword.mutate({
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
        }),
      ),
    ).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(
      await refusal(
        o.viewer.session.accounts.changePassword.mutate({
          currentPassword: 'not the password',
          newPassword: NEW_PASSWORD,
        }),
      ),
    ).toEqual({ code: 'UNAUTHORIZED', domainCode: 'UNAUTHENTICATED' });
    const { result } = await o.viewer.session.accounts.changePassword.mutate({
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(result).toEqual({ userId: o.viewer.userId, endedSessions: 0 });
    // The link asked for before the change no longer works.
    const pending = LINK.exec(queued.mail.text)![1]!;
    expect(await anonymous.accounts.inspectPasswordReset.mutate({ token: pending })).toMatchObject({
      usable: false,
      state: 'superseded',
    });
    await expect(o.viewer.session.sessions.me.query()).resolves.toBeDefined();
    await anonymous.sessions.login.mutate({
      email: o.viewer.email,
      password: NEW_PASSWORD,
      orgId: o.orgId,
    });
  });

  it('M6 seed 003 Reset MFA through the API: a member enrolls and signs in with a code; an Administrator resets it (a Viewer may not); the member signs in with the password alone', async () => {
    const o = await idwiseOrg();
    const me = o.analyst.session;
    const enrolment = await me.accounts.enrollTotp.mutate();
    expect(enrolment.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await refusal(me.accounts.confirmTotp.mutate({ code: 'abcdef' }))).toEqual({
      code: 'BAD_REQUEST',
      domainCode: 'INVALID',
    });
    const { result: confirmed } = await me.accounts.confirmTotp.mutate({
      code: await codeAt(enrolment.secret),
    });
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(await me.accounts.mfa.query()).toMatchObject({ enrolled: true, recoveryCodesLeft: 10 });

    const { result: first } = await anonymous.sessions.login.mutate({
      email: o.analyst.email,
      password: PASSWORD,
      orgId: o.orgId,
    });
    if (!first.mfaRequired) throw new Error('expected the second step');
    expect(
      await refusal(
        anonymous.sessions.completeMfaLogin.mutate({ mfaToken: first.mfaToken, code: '000000' }),
      ),
    ).toEqual({ code: 'UNAUTHORIZED', domainCode: 'UNAUTHENTICATED' });
    expect(
      await refusal(anonymous.sessions.completeMfaLogin.mutate({ mfaToken: first.mfaToken })),
    ).toEqual({ code: 'BAD_REQUEST', domainCode: 'INVALID' });
    const { result: second } = await anonymous.sessions.completeMfaLogin.mutate({
      mfaToken: first.mfaToken,
      code: await codeAt(enrolment.secret, 1),
    });
    expect(second.session.authMethod).toBe('pwd+totp');
    const withCode = connect(second.token);
    expect((await withCode.sessions.me.query()).session.authMethod).toBe('pwd+totp');
    const listed = await o.administrator.session.members.list.query({ orgId: o.orgId, limit: 500 });
    expect(listed.items.find((m) => m.userId === o.analyst.userId)).toMatchObject({
      mfaEnrolled: true,
      lastLoginMethod: 'pwd+totp',
    });

    expect(
      await refusal(
        o.viewer.session.members.resetMfa.mutate({ orgId: o.orgId, userId: o.analyst.userId }),
      ),
    ).toEqual({ code: 'FORBIDDEN', domainCode: 'FORBIDDEN' });
    expect(
      await refusal(
        o.analyst.session.members.resetMfa.mutate({
          orgId: o.orgId,
          userId: o.administrator.userId,
        }),
      ),
    ).toEqual({ code: 'FORBIDDEN', domainCode: 'FORBIDDEN' });
    const { result: reset } = await o.administrator.session.members.resetMfa.mutate({
      orgId: o.orgId,
      userId: o.analyst.userId,
    });
    expect(reset).toEqual({ userId: o.analyst.userId, removedFactors: 1, endedSessions: 2 });
    expect(await refusal(withCode.sessions.me.query())).toMatchObject({ code: 'UNAUTHORIZED' });
    const { result: again } = await anonymous.sessions.login.mutate({
      email: o.analyst.email,
      password: PASSWORD,
      orgId: o.orgId,
    });
    expect(sessionOf(again).session.authMethod).toBe('pwd');
    const audit = await admin.audit.list.query({ orgId: o.orgId, action: 'MfaReset' });
    expect(audit.items).toEqual([
      expect.objectContaining({ actorId: o.administrator.userId, entityId: o.analyst.userId }),
    ]);
  });

  it('issue 14 require MFA through the API: set with orgs.update (a Viewer may not); a password session without an authenticator may only enroll (FORBIDDEN saying so), then everything works', async () => {
    const o = await idwiseOrg();
    expect(
      await refusal(
        o.viewer.session.orgs.update.mutate({ orgId: o.orgId, settings: { requireMfa: true } }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await refusal(admin.orgs.update.mutate({ orgId: o.orgId, settings: { requireMfa: 'yes' } })),
    ).toEqual({ code: 'BAD_REQUEST', domainCode: 'INVALID' });
    await admin.orgs.update.mutate({ orgId: o.orgId, settings: { requireMfa: true } });

    // Sessions are checked on every request: the administrator's, too, is restricted now.
    const boss = o.administrator.session;
    const blocked = await refused(boss.members.list.query({ orgId: o.orgId }));
    expect(blocked).toMatchObject({ code: 'FORBIDDEN' });
    expect(blocked.message).toContain('requires multi-factor authentication');
    expect(
      await refusal(
        boss.authz.check.query({
          orgId: o.orgId,
          subject: o.viewer.userId,
          permission: 'org.read',
          scope: o.orgId,
        }),
      ),
    ).toEqual({ code: 'FORBIDDEN', domainCode: null });
    expect(
      await refusal(
        boss.accounts.changePassword.mutate({
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
        }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect((await boss.sessions.me.query()).mfa).toEqual({
      enrolled: false,
      orgRequiresMfa: true,
      enrollmentRequired: true,
    });
    expect(await boss.accounts.mfa.query()).toMatchObject({ enrollmentRequired: true });
    const e = await boss.accounts.enrollTotp.mutate();
    await boss.accounts.confirmTotp.mutate({ code: await codeAt(e.secret) });
    const page = await boss.members.list.query({ orgId: o.orgId });
    expect(page.items.length).toBeGreaterThan(0);
    expect((await boss.sessions.me.query()).session.authMethod).toBe('pwd+totp');
  });
});
