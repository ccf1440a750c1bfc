import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimEmails,
  deliverDueEmails,
  type EmailTransport,
  readQueuedEmail,
  redactLinks,
  retryDelayMs,
} from '../emails/index.js';
import {
  acceptInvitation,
  addMember,
  authz,
  createApiClient,
  createOrg,
  createScope,
  deleteScope,
  inviteMember,
  listAudit,
  listInvitations,
  resendInvitation,
  revokeInvitation,
  setMemberStatus,
  updateOrg,
  verifyPassword,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin, asClient } from '../testing.js';

const DAY = 86_400_000;
let seq = 0;
const email = (tag: string) =>
  `${tag}-${++seq}-${Math.random().toString(36).slice(2, 8)}@acme.test`;

describe.each(testBackends())('invitations on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, { publicUrl: 'https://gatehouse.acme.test/' });
  });
  afterAll(async () => {
    await g?.close();
  });

  /** An org of a preset and an API client holding `role` at the root. */
  async function orgWith(preset: string, role: string) {
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      {
        name: `Acme ${preset}`,
        preset,
        owner: { email: email('owner') },
      },
    );
    const { result } = await createApiClient(
      { services: s, caller: admin, orgId: org.id },
      {
        name: 'backend',
        roles: [{ role }],
      },
    );
    return { orgId: org.id, caller: asClient(org.id, result.client.id) };
  }

  /** The token in the newest email about an invitation, as it will be sent (what the invitee clicks). */
  async function tokenFor(invitationId: string): Promise<string> {
    const row = await g.db
      .selectFrom('emails')
      .select('id')
      .where('ref_id', '=', invitationId)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const mail = await readQueuedEmail(g.db, row.id);
    expect(mail, `email ${row.id} holds no link any more`).not.toBeNull();
    const m = /https:\/\/gatehouse\.acme\.test\/invitations\/accept\?token=([A-Za-z0-9_-]+)/.exec(
      mail!.text,
    );
    expect(m, mail!.text).not.toBeNull();
    return m![1]!;
  }

  it.each([
    { seed: '000', preset: 'idnow', owner: 'editor', expected: 'viewer', permission: 'flows.read' },
    {
      seed: '004',
      preset: 'identity-platform',
      owner: 'owner',
      expected: 'member',
      permission: 'workflows.read',
    },
    {
      seed: '002',
      preset: 'idv-console',
      owner: 'admin',
      expected: 'default',
      permission: 'workflows.read',
    },
  ])(
    'M1 M3 seed $seed: no role given → the preset default ($expected), effective at the accept revision',
    async (row) => {
      const { orgId, caller } = await orgWith(row.preset, row.owner);
      const to = email('new');
      const { result: inv } = await inviteMember({ services: s, caller, orgId }, { email: to });
      expect(inv).toMatchObject({ status: 'pending', scopeId: orgId, email: to });
      expect(inv.roles).toEqual([{ role: row.expected, scopeId: orgId, environment: null }]);
      const token = await tokenFor(inv.id);
      const { result, revision } = await acceptInvitation(s, { token, name: 'Ana New' });
      expect(result.createdUser).toBe(true);
      expect(result.invitation.status).toBe('accepted');
      const d = await authz.check(
        { services: s, caller, orgId },
        { subject: result.userId, permission: row.permission, scope: orgId },
        revision,
      );
      expect(d.revision).toBeGreaterThanOrEqual(revision);
      expect(d.result.allowed).toBe(true);
      const user = await g.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', result.userId)
        .executeTakeFirstOrThrow();
      expect(user).toMatchObject({ email: to, name: 'Ana New' });
    },
  );

  it('M1 M3 invite straight into one scope (seed 002 subtenant, seed 004 sub-organization)', async () => {
    const { orgId, caller } = await orgWith('idv-console', 'admin');
    const { result: sub } = await createScope(
      { services: s, caller, orgId },
      {
        kind: 'subtenant',
        name: 'Account Opening',
      },
    );
    const engine = await s.engines.get(orgId);
    const { result: inv, revision: invitedAt } = await inviteMember(
      { services: s, caller, orgId },
      {
        email: email('sub'),
        scopeId: sub.id,
        roles: [{ role: 'service_manager' }],
      },
    );
    expect(inv.roles).toEqual([{ role: 'service_manager', scopeId: sub.id, environment: null }]);
    // Inviting changes nothing the engine reads: the revision (and the cached engine) stay.
    expect(invitedAt).toBe(engine.revision);
    expect(await s.engines.get(orgId)).toBe(engine);
    const { result, revision } = await acceptInvitation(s, { token: await tokenFor(inv.id) });
    expect(revision).toBe(invitedAt + 1);
    const at = (scope: string) =>
      authz.check(
        { services: s, caller, orgId },
        { subject: result.userId, permission: 'workflows.write', scope },
        revision,
      );
    expect((await at(sub.id)).result.allowed).toBe(true);
    expect((await at(orgId)).result.allowed).toBe(false);

    // seed 004: invited from within a sub-organization → the default Member role there.
    const ip = await orgWith('identity-platform', 'owner');
    const { result: subOrg } = await createScope(
      { services: s, caller: ip.caller, orgId: ip.orgId },
      {
        kind: 'sub_organization',
        name: 'EU',
      },
    );
    const { result: inv2 } = await inviteMember(
      { services: s, caller: ip.caller, orgId: ip.orgId },
      {
        email: email('eu'),
        scopeId: subOrg.id,
      },
    );
    expect(inv2.roles).toEqual([{ role: 'member', scopeId: subOrg.id, environment: null }]);
    // A role outside the invitation's scope is refused.
    await expect(
      inviteMember(
        { services: s, caller: ip.caller, orgId: ip.orgId },
        {
          email: email('eu'),
          scopeId: subOrg.id,
          roles: [{ role: 'member', scopeId: ip.orgId }],
        },
      ),
    ).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('M1 R6 nobody invites above themselves; inviting needs members.invite', async () => {
    const { orgId } = await orgWith('idv-console', 'admin');
    const { result: mgr } = await createApiClient(
      { services: s, caller: admin, orgId },
      {
        name: 'manager',
        roles: [{ role: 'manager' }],
      },
    );
    const manager = asClient(orgId, mgr.client.id);
    await expect(
      inviteMember(
        { services: s, caller: manager, orgId },
        { email: email('x'), roles: [{ role: 'admin' }] },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('admin') });
    await expect(
      inviteMember(
        { services: s, caller: manager, orgId },
        { email: email('x'), roles: [{ role: 'auditor' }] },
      ),
    ).resolves.toMatchObject({ result: { status: 'pending' } });
    const { result: aud } = await createApiClient(
      { services: s, caller: admin, orgId },
      {
        name: 'auditor',
        roles: [{ role: 'auditor' }],
      },
    );
    await expect(
      inviteMember(
        { services: s, caller: asClient(orgId, aud.client.id), orgId },
        { email: email('x') },
      ),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('members.invite'),
    });
    await expect(
      inviteMember({ services: s, caller: manager, orgId }, { email: 'not-an-email' }),
    ).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(
      inviteMember(
        { services: s, caller: manager, orgId },
        { email: email('x'), roles: [{ role: 'nope' }] },
      ),
    ).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('M2 resend: a new one-time link; the old one stops working at once', async () => {
    const { orgId, caller } = await orgWith('idnow', 'editor');
    const { result: inv } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('resend') },
    );
    const first = await tokenFor(inv.id);
    const { result: resent } = await resendInvitation(
      { services: s, caller, orgId },
      { invitationId: inv.id },
    );
    expect(resent).toMatchObject({ status: 'pending', resendCount: 1 });
    const second = await tokenFor(inv.id);
    expect(second).not.toBe(first);
    // The first email, if not sent yet, is cancelled.
    const mails = await g.db
      .selectFrom('emails')
      .select(['status', 'subject'])
      .where('ref_id', '=', inv.id)
      .orderBy('created_at')
      .execute();
    expect(mails.map((m) => m.status)).toEqual(['cancelled', 'pending']);
    expect(mails[1]!.subject).toMatch(/^Reminder/);
    await expect(acceptInvitation(s, { token: first })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('replaced by a newer one'),
    });
    await expect(acceptInvitation(s, { token: second })).resolves.toMatchObject({
      result: { invitation: { status: 'accepted' } },
    });
    await expect(
      resendInvitation({ services: s, caller, orgId }, { invitationId: inv.id }),
    ).rejects.toMatchObject({
      code: 'INVALID',
    });
  });

  it('M2 revoke: the link stops working; idempotent; an accepted invitation cannot be revoked', async () => {
    const { orgId, caller } = await orgWith('idnow', 'editor');
    const { result: inv } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('revoke') },
    );
    const token = await tokenFor(inv.id);
    const { result: revoked } = await revokeInvitation(
      { services: s, caller, orgId },
      { invitationId: inv.id },
    );
    expect(revoked).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    await expect(
      revokeInvitation({ services: s, caller, orgId }, { invitationId: inv.id }),
    ).resolves.toMatchObject({
      result: { status: 'revoked' },
    });
    await expect(acceptInvitation(s, { token })).rejects.toMatchObject({
      code: 'INVALID',
      message: 'this invitation was revoked',
    });
    const mail = await g.db
      .selectFrom('emails')
      .select('status')
      .where('ref_id', '=', inv.id)
      .executeTakeFirstOrThrow();
    expect(mail.status).toBe('cancelled');

    const { result: other } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('acc') },
    );
    await acceptInvitation(s, { token: await tokenFor(other.id) });
    await expect(
      revokeInvitation({ services: s, caller, orgId }, { invitationId: other.id }),
    ).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(
      revokeInvitation({ services: s, caller, orgId }, { invitationId: 'inv_nope' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('M2 expiry: per-org invitationTtlDays, expired links refused, resend renews', async () => {
    let now = Date.now();
    const timed = createServices(g.db, {
      publicUrl: 'https://gatehouse.acme.test',
      now: () => new Date(now),
    });
    const { orgId, caller } = await orgWith('idnow', 'editor');
    const { result: byDefault } = await inviteMember(
      { services: timed, caller, orgId },
      { email: email('ttl') },
    );
    expect(Date.parse(byDefault.expiresAt) - now).toBe(7 * DAY);
    await updateOrg({ services: timed, caller, orgId }, { settings: { invitationTtlDays: 1 } });
    const { result: inv } = await inviteMember(
      { services: timed, caller, orgId },
      { email: email('ttl') },
    );
    expect(Date.parse(inv.expiresAt) - now).toBe(DAY);
    const token = await tokenFor(inv.id);

    now += DAY + 1000;
    const expired = await listInvitations(
      { services: timed, caller, orgId },
      { status: 'expired' },
    );
    expect(expired.items.map((i) => i.id)).toContain(inv.id);
    expect(expired.items.map((i) => i.id)).not.toContain(byDefault.id);
    await expect(acceptInvitation(timed, { token })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('this invitation link has expired'),
    });
    // An expired invitation no longer blocks a new one to the same email.
    const { result: renewed } = await resendInvitation(
      { services: timed, caller, orgId },
      { invitationId: inv.id },
    );
    expect(renewed.status).toBe('pending');
    await expect(acceptInvitation(timed, { token: await tokenFor(inv.id) })).resolves.toMatchObject(
      { result: { invitation: { status: 'accepted' } } },
    );

    await updateOrg(
      { services: timed, caller, orgId },
      { settings: { invitationTtlDays: 'soon' } },
    );
    await expect(
      inviteMember({ services: timed, caller, orgId }, { email: email('ttl') }),
    ).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('invitationTtlDays'),
    });
  });

  it('M2 list: statuses, filter, email search, keyset pagination, scope admins see their scope', async () => {
    const { orgId, caller } = await orgWith('idv-console', 'admin');
    const { result: sub } = await createScope(
      { services: s, caller, orgId },
      { kind: 'subtenant', name: 'KYC' },
    );
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { result } = await inviteMember(
        { services: s, caller, orgId },
        { email: `List${i}@Example.test` },
      );
      ids.push(result.id);
    }
    const { result: inSub } = await inviteMember(
      { services: s, caller, orgId },
      {
        email: email('sub'),
        scopeId: sub.id,
      },
    );
    await revokeInvitation({ services: s, caller, orgId }, { invitationId: ids[0]! });
    await acceptInvitation(s, { token: await tokenFor(ids[1]!) });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listInvitations(
        { services: s, caller, orgId },
        { status: 'pending', limit: 2, cursor },
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([inSub.id, ids[4], ids[3], ids[2]]);
    const statuses = async (status: 'accepted' | 'revoked') =>
      (await listInvitations({ services: s, caller, orgId }, { status })).items.map((i) => i.id);
    expect(await statuses('revoked')).toEqual([ids[0]]);
    expect(await statuses('accepted')).toEqual([ids[1]]);
    const all = await listInvitations({ services: s, caller, orgId });
    expect(all.items).toHaveLength(6);
    const found = await listInvitations({ services: s, caller, orgId }, { email: 'list3@EXAMPLE' });
    expect(found.items.map((i) => i.id)).toEqual([ids[3]]);

    // A subtenant-only manager lists (and invites into) its subtenant, not the org.
    const { result: mgr } = await createApiClient(
      { services: s, caller: admin, orgId },
      {
        name: 'sub-manager',
        roles: [{ role: 'manager', scopeId: sub.id }],
      },
    );
    const subManager = asClient(orgId, mgr.client.id);
    await expect(listInvitations({ services: s, caller: subManager, orgId })).rejects.toMatchObject(
      {
        code: 'FORBIDDEN',
      },
    );
    const subList = await listInvitations(
      { services: s, caller: subManager, orgId },
      { scopeId: sub.id },
    );
    expect(subList.items.map((i) => i.id)).toEqual([inSub.id]);
    await expect(
      inviteMember({ services: s, caller: subManager, orgId }, { email: email('sm') }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      inviteMember(
        { services: s, caller: subManager, orgId },
        { email: email('sm'), scopeId: sub.id },
      ),
    ).resolves.toMatchObject({ result: { scopeId: sub.id } });
  });

  it('M3 passwords: required for new users when the deployment uses them, stored with scrypt', async () => {
    const withPasswords = createServices(g.db, {
      publicUrl: 'https://gatehouse.acme.test',
      passwords: true,
    });
    const { orgId, caller } = await orgWith('idnow', 'editor');
    const { result: inv } = await inviteMember(
      { services: withPasswords, caller, orgId },
      {
        email: email('pw'),
      },
    );
    const token = await tokenFor(inv.id);
    await expect(acceptInvitation(withPasswords, { token })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('choose a password'),
    });
    await expect(
      acceptInvitation(withPasswords, { token, password: 'short' }),
    ).rejects.toMatchObject({ code: 'INVALID', message: expect.stringContaining('at least 8') });
    const { result } = await acceptInvitation(withPasswords, {
      token,
      name: 'Pat',
      password: 'correct horse battery staple',
    });
    const user = await g.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', result.userId)
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(await verifyPassword('correct horse battery staple', user.password_hash!)).toBe(true);
    expect(await verifyPassword('wrong horse battery staple', user.password_hash!)).toBe(false);
  });

  it('M3 a link works once; an unknown link is NOT_FOUND', async () => {
    const { orgId, caller } = await orgWith('idnow', 'editor');
    const { result: inv } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('once') },
    );
    const token = await tokenFor(inv.id);
    await acceptInvitation(s, { token });
    await expect(acceptInvitation(s, { token })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('already been used'),
    });
    await expect(acceptInvitation(s, { token: 'x'.repeat(43) })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('not valid'),
    });
  });

  it('M3 M6 a deactivated member can neither be invited nor accept; existing members get only new roles', async () => {
    const { orgId, caller } = await orgWith('identity-platform', 'owner');
    const to = email('deact');
    const { result: inv } = await inviteMember({ services: s, caller, orgId }, { email: to });
    const token = await tokenFor(inv.id);
    // Meanwhile they were added directly, then deactivated.
    const { result: m } = await addMember({ services: s, caller, orgId }, { email: to });
    await setMemberStatus(
      { services: s, caller, orgId },
      { userId: m.userId, status: 'deactivated' },
    );
    await expect(acceptInvitation(s, { token })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('deactivated'),
    });
    await expect(
      inviteMember({ services: s, caller, orgId }, { email: to.toUpperCase() }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('deactivated'),
    });

    // An active member: the same roles again is a CONFLICT, a new scope is fine.
    const active = email('active');
    const { result: am } = await addMember({ services: s, caller, orgId }, { email: active });
    await expect(
      inviteMember({ services: s, caller, orgId }, { email: active }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('already a member'),
    });
    await expect(
      inviteMember({ services: s, caller, orgId }, { email: active, roles: [{ role: 'owner' }] }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('exclusive slot'),
    });
    const { result: subOrg } = await createScope(
      { services: s, caller, orgId },
      {
        kind: 'sub_organization',
        name: 'US',
      },
    );
    const { result: intoSub } = await inviteMember(
      { services: s, caller, orgId },
      {
        email: active,
        scopeId: subOrg.id,
        roles: [{ role: 'workflows_write' }],
      },
    );
    // A second pending invitation to the same place is refused.
    await expect(
      inviteMember(
        { services: s, caller, orgId },
        {
          email: active,
          scopeId: subOrg.id,
          roles: [{ role: 'billing_read' }],
        },
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { invitationId: intoSub.id } });
    const { result } = await acceptInvitation(s, { token: await tokenFor(intoSub.id) });
    expect(result).toMatchObject({ userId: am.userId, createdUser: false });

    // A scope deleted after the invitation: accepting says so.
    const { result: gone } = await createScope(
      { services: s, caller, orgId },
      {
        kind: 'sub_organization',
        name: 'Gone',
      },
    );
    const { result: toGone } = await inviteMember(
      { services: s, caller, orgId },
      {
        email: email('gone'),
        scopeId: gone.id,
      },
    );
    await deleteScope({ services: s, caller, orgId }, { scopeId: gone.id });
    await expect(acceptInvitation(s, { token: await tokenFor(toGone.id) })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('was deleted'),
    });
  });

  it('M1 M2 M3 audit entries, outbox events and the email; the token is stored only hashed', async () => {
    const { orgId, caller } = await orgWith('idnow', 'editor');
    const { result: inv } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('audit') },
    );
    await resendInvitation({ services: s, caller, orgId }, { invitationId: inv.id });
    const token = await tokenFor(inv.id);
    const { result } = await acceptInvitation(s, { token });
    const { result: inv2 } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('audit') },
    );
    await revokeInvitation({ services: s, caller, orgId }, { invitationId: inv2.id });

    const audit = await listAudit({ services: s, caller, orgId }, { entityType: 'invitation' });
    expect(audit.items.map((e) => `${e.action}:${e.entityId}`).reverse()).toEqual([
      `Invited:${inv.id}`,
      `InvitationResent:${inv.id}`,
      `InvitationAccepted:${inv.id}`,
      `Invited:${inv2.id}`,
      `InvitationRevoked:${inv2.id}`,
    ]);
    const outbox = await g.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('org_id', '=', orgId)
      .where('type', 'like', 'invitation.%')
      .orderBy('id')
      .execute();
    expect(outbox.map((o) => o.type)).toEqual([
      'invitation.created',
      'invitation.resent',
      'invitation.accepted',
      'invitation.created',
      'invitation.revoked',
    ]);
    expect(outbox[2]!.payload).toMatchObject({ invitationId: inv.id, userId: result.userId });
    const rows = await g.db
      .selectFrom('invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .execute();
    const everything = JSON.stringify({ rows, outbox, audit });
    expect(everything).not.toContain(token);
    const mail = await g.db
      .selectFrom('emails')
      .selectAll()
      .where('ref_id', '=', inv2.id)
      .executeTakeFirstOrThrow();
    expect(mail).toMatchObject({ kind: 'invitation', org_id: orgId, to_address: inv2.email });
    expect(mail.subject).toBe('You are invited to join Acme idnow');
    expect(mail.text).toContain('as Viewer');
    expect(mail.html).toContain('<a href="https://gatehouse.acme.test/invitations/accept?token=');
  });

  it('emails: delivery retries with backoff and records the error; a sent copy keeps no link', async () => {
    const { orgId, caller } = await orgWith('idnow', 'editor');
    const { result: inv } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('mail') },
    );
    // Drain whatever earlier tests queued, so only this email is due.
    await g.db
      .updateTable('emails')
      .set({ status: 'cancelled' })
      .where('ref_id', '!=', inv.id)
      .where('status', '=', 'pending')
      .execute();
    let fail = true;
    const sent: string[] = [];
    const transport: EmailTransport = {
      kind: 'sent',
      async send(e) {
        if (fail) throw new Error('421 try again later');
        sent.push(e.to);
      },
    };
    const first = await deliverDueEmails(g.db, transport, { retryBaseMs: 60_000 });
    expect(first).toMatchObject({ delivered: 0, retrying: 1 });
    const after = await g.db
      .selectFrom('emails')
      .selectAll()
      .where('ref_id', '=', inv.id)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: '421 try again later',
    });
    expect(new Date(after.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + 30_000);
    // Not due yet: nothing is claimed.
    expect(await claimEmails(g.db)).toEqual([]);
    await g.db
      .updateTable('emails')
      .set({ next_attempt_at: new Date(Date.now() - 1000) })
      .where('id', '=', after.id)
      .execute();
    fail = false;
    const second = await deliverDueEmails(g.db, transport);
    expect(second).toMatchObject({ delivered: 1 });
    expect(sent).toEqual([inv.email]);
    const done = await g.db
      .selectFrom('emails')
      .selectAll()
      .where('id', '=', after.id)
      .executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'sent', attempts: 2, last_error: '421 try again later' });
    expect(done.text).toContain('token=[redacted]');
    expect(retryDelayMs(1, { retryBaseMs: 100 })).toBe(100);
    expect(retryDelayMs(4, { retryBaseMs: 100 })).toBe(800);
    expect(retryDelayMs(40)).toBe(3_600_000);
    expect(redactLinks('a?token=abc_-1 b')).toBe('a?token=[redacted] b');
  });

  it('emails: concurrent workers never claim the same email; a lapsed lease is retried', async () => {
    const { orgId, caller } = await orgWith('idnow', 'editor');
    for (let i = 0; i < 6; i++)
      await inviteMember({ services: s, caller, orgId }, { email: email('claim') });
    const due = await g.db
      .selectFrom('emails')
      .select('id')
      .where('status', '=', 'pending')
      .execute();
    const batches = await Promise.all([
      claimEmails(g.db, { limit: 4 }),
      claimEmails(g.db, { limit: 4 }),
      claimEmails(g.db, { limit: 4 }),
    ]);
    const claimed = batches.flat().map((e) => e.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual(due.map((d) => d.id).sort());
    expect(await claimEmails(g.db)).toEqual([]);
    // A worker that died: once its lease lapses, another claims the email again.
    await g.db
      .updateTable('emails')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where('id', '=', claimed[0]!)
      .execute();
    const again = await claimEmails(g.db);
    expect(again.map((e) => [e.id, e.attempts])).toEqual([[claimed[0], 2]]);
  });
});
