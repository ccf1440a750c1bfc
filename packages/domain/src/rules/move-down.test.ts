/**
 * Seed 002 (idv-console) lines 28–37: "By default, a user invited at the organization level can
 * see all subtenants. If you need to limit a user's access to one specific subtenant … assign
 * them a subtenant-level role … They will not see any other subtenants or organization-level
 * settings. You can assign a user to multiple subtenants with different roles on each."
 *
 * Every path that gives a role below the root (assignments.assign, members.setRoles,
 * members.add, invitations) moves the user down: the org-level role in the same slot ends in
 * the same write, audited and evented as such, under the same access rules and invariants.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgCall } from '../call.js';
import type { Caller } from '../context.js';
import { readQueuedEmail } from '../emails/index.js';
import {
  acceptInvitation,
  addMember,
  assignRole,
  createApiClient,
  createOrg,
  createScope,
  inviteMember,
  listAudit,
  resendInvitation,
  setMemberRoles,
} from '../index.js';
import { createServices, type Services } from '../services.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api', requestId: 'req_t' };
let seq = 0;
const email = (tag: string) => `${tag}-${++seq}-${Math.random().toString(36).slice(2, 8)}@idv.test`;

describe.each(testBackends())('seed 002 moving down on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, { publicUrl: 'https://gatehouse.idv.test/' });
  });
  afterAll(async () => {
    await g?.close();
  });

  /** An org of `preset` with its owner, two scopes of `kind`, and calls as the instance admin. */
  async function org(preset = 'idv-console', kind = 'subtenant') {
    const ownerEmail = email('owner');
    const { result } = await createOrg(
      { services: s, caller: admin },
      { name: `Bank ${seq}`, preset, owner: { email: ownerEmail } },
    );
    const call: OrgCall = { services: s, caller: admin, orgId: result.id };
    const scope = async (name: string) => (await createScope(call, { kind, name })).result.id;
    const owner = await g.db
      .selectFrom('users')
      .select('id')
      .where('email_lower', '=', ownerEmail)
      .executeTakeFirstOrThrow();
    return {
      orgId: result.id,
      call,
      ownerId: owner.id,
      a: await scope('Account Opening'),
      b: await scope('Lending'),
    };
  }
  type Org = Awaited<ReturnType<typeof org>>;

  /** A call as an API client holding `role` at `scopeId` (default the root). */
  async function as(o: Org, role: string, scopeId?: string): Promise<OrgCall> {
    const { result } = await createApiClient(o.call, {
      name: `${role} client`,
      roles: [{ role, scopeId }],
    });
    const caller: Caller = {
      principal: { kind: 'client', orgId: o.orgId, clientId: result.client.id },
      source: 'api',
    };
    return { services: s, caller, orgId: o.orgId };
  }

  const member = async (o: Org, role: string, scopeId?: string) =>
    (await addMember(o.call, { email: email(role), roles: [{ role, scopeId }] })).result.userId;

  /** The user's own assignments as `role@scope`, sorted. */
  const held = async (o: Org, userId: string) =>
    (
      await g.db
        .selectFrom('assignments')
        .select(['role_key', 'scope_id'])
        .where('org_id', '=', o.orgId)
        .where('subject_id', '=', userId)
        .execute()
    )
      .map((r) => `${r.role_key}@${r.scope_id}`)
      .sort();

  const revisionOf = async (o: Org) =>
    (
      await g.db
        .selectFrom('orgs')
        .select('revision')
        .where('id', '=', o.orgId)
        .executeTakeFirstOrThrow()
    ).revision;

  it('M5 T4 seed 002: assigning a subtenant-level role ends the org-level one in the same write, audited and evented', async () => {
    const o = await org();
    const consoleAdmin = await as(o, 'admin');
    const ana = await member(o, 'default');
    const { result: given, revision } = await assignRole(consoleAdmin, {
      subjectId: ana,
      role: 'service_manager',
      scopeId: o.a,
    });
    expect(await held(o, ana)).toEqual([`service_manager@${o.a}`]);
    // "They will not see any other subtenants or organization-level settings."
    const engine = await s.engines.get(o.orgId, revision);
    expect(engine.effectivePermissions(ana, o.orgId)).toEqual([]);
    expect(engine.effectivePermissions(ana, o.b)).toEqual([]);
    expect(engine.can(ana, 'workflows.write', o.a)).toBe(true);

    const audit = await listAudit(o.call, { entityType: 'assignment' });
    const revoked = audit.items.find((e) => e.action === 'RoleRevoked');
    expect(revoked).toMatchObject({
      revision,
      actorId: (consoleAdmin.caller.principal as { clientId: string }).clientId,
      scopeId: o.orgId,
      before: { subjectId: ana, role: 'default', scopeId: o.orgId },
      after: { reason: `moved to subtenant ${o.a}`, movedTo: given.id },
    });
    const events = await g.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('org_id', '=', o.orgId)
      .where('revision', '=', revision)
      .execute();
    expect(events.map((e) => [e.type, (e.payload as { reason?: string }).reason])).toEqual([
      ['role.assigned', undefined],
      ['role.revoked', `moved to subtenant ${o.a}`],
    ]);
  });

  it('M5 seed 002: "multiple subtenants with different roles on each": a second subtenant role keeps the first (members.setRoles)', async () => {
    const o = await org();
    const ana = await member(o, 'manager');
    await setMemberRoles(o.call, {
      userId: ana,
      scopeId: o.a,
      roles: [{ role: 'service_manager' }],
    });
    expect(await held(o, ana)).toEqual([`service_manager@${o.a}`]);
    await setMemberRoles(o.call, { userId: ana, scopeId: o.b, roles: [{ role: 'default' }] });
    expect(await held(o, ana)).toEqual([`default@${o.b}`, `service_manager@${o.a}`].sort());
  });

  it('M5 seed 002: members.add of an existing member with a subtenant role moves them down; org and subtenant roles in one request are INVALID', async () => {
    const o = await org();
    const address = email('ben');
    const { result: ben } = await addMember(o.call, { email: address });
    expect(await held(o, ben.userId)).toEqual([`default@${o.orgId}`]);
    await addMember(o.call, { email: address, roles: [{ role: 'auditor', scopeId: o.a }] });
    expect(await held(o, ben.userId)).toEqual([`auditor@${o.a}`]);
    const before = await revisionOf(o);
    await expect(
      addMember(o.call, {
        email: email('both'),
        roles: [{ role: 'manager' }, { role: 'default', scopeId: o.b }],
      }),
    ).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/replaces the one above it/),
    });
    expect(await revisionOf(o)).toBe(before);
  });

  it('R6 R8 seed 002: an actor that may not take the org-level role away gets FORBIDDEN and nothing changes', async () => {
    const o = await org();
    const serviceManager = await member(o, 'service_manager');
    const plain = await member(o, 'default');
    // An org-level Manager may give Default in a subtenant, but not end a Service Manager role
    // (it carries config changes the Manager does not hold).
    const manager = await as(o, 'manager');
    // A subtenant Manager may give roles there, but not touch anyone's org-level role.
    const subManager = await as(o, 'manager', o.a);
    const before = await revisionOf(o);
    for (const [actor, subjectId] of [
      [manager, serviceManager],
      [subManager, plain],
    ] as const) {
      await expect(
        assignRole(actor, { subjectId, role: 'default', scopeId: o.a }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(
        setMemberRoles(actor, { userId: subjectId, scopeId: o.a, roles: [{ role: 'default' }] }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(await revisionOf(o)).toBe(before);
    expect(await held(o, serviceManager)).toEqual([`service_manager@${o.orgId}`]);
    expect(await held(o, plain)).toEqual([`default@${o.orgId}`]);
    // Positive control: the org-level Manager outranks an org-level Default and moves them.
    await assignRole(manager, { subjectId: plain, role: 'default', scopeId: o.a });
    expect(await held(o, plain)).toEqual([`default@${o.a}`]);
  });

  it('M7 seed 002: moving the last org-level Admin down is refused like demoting them', async () => {
    const o = await org();
    const before = await revisionOf(o);
    await expect(
      assignRole(o.call, { subjectId: o.ownerId, role: 'admin', scopeId: o.a }),
    ).rejects.toMatchObject({ code: 'INVARIANT' });
    expect(await revisionOf(o)).toBe(before);
    expect(await held(o, o.ownerId)).toEqual([`admin@${o.orgId}`]);
    // With a second org-level Admin, the first may move down.
    await member(o, 'admin');
    await assignRole(o.call, { subjectId: o.ownerId, role: 'admin', scopeId: o.a });
    expect(await held(o, o.ownerId)).toEqual([`admin@${o.a}`]);
  });

  it('M1 M3 seed 002: an org-level member invited into a subtenant moves down on accepting; the inviter must be allowed to move them', async () => {
    const o = await org();
    const consoleAdmin = await as(o, 'admin');
    const address = email('cara');
    const { result: cara } = await addMember(o.call, { email: address });
    const { result: inv } = await inviteMember(consoleAdmin, {
      email: address,
      scopeId: o.a,
      roles: [{ role: 'service_manager' }],
    });
    const { revision } = await acceptInvitation(s, { token: await tokenFor(inv.id) });
    expect(await held(o, cara.userId)).toEqual([`service_manager@${o.a}`]);
    const audit = await listAudit(o.call, { action: 'RoleRevoked' });
    expect(audit.items[0]).toMatchObject({
      revision,
      before: { subjectId: cara.userId, role: 'default', scopeId: o.orgId },
      after: { reason: `moved to subtenant ${o.a}` },
    });

    // An org-level Manager cannot invite an org-level Service Manager down to a subtenant,
    const sm = email('sm');
    await addMember(o.call, { email: sm, roles: [{ role: 'service_manager' }] });
    const manager = await as(o, 'manager');
    await expect(
      inviteMember(manager, { email: sm, scopeId: o.a, roles: [{ role: 'default' }] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // ... nor resend an invitation that would (made by an Admin).
    const { result: pending } = await inviteMember(consoleAdmin, {
      email: sm,
      scopeId: o.b,
      roles: [{ role: 'default' }],
    });
    await expect(resendInvitation(manager, { invitationId: pending.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('T3 seeds 001 and 004: presets that do not move down keep the org-level role next to the scoped one', async () => {
    for (const [preset, kind, orgRole, scopedRole] of [
      ['flowcode', 'workspace', 'org_user', 'workspace_editor'],
      ['identity-platform', 'sub_organization', 'member', 'owner'],
    ] as const) {
      const o = await org(preset, kind);
      const ana = await member(o, orgRole);
      await assignRole(o.call, { subjectId: ana, role: scopedRole, scopeId: o.a });
      await setMemberRoles(o.call, { userId: ana, scopeId: o.b, roles: [{ role: scopedRole }] });
      expect(await held(o, ana), preset).toEqual(
        [`${orgRole}@${o.orgId}`, `${scopedRole}@${o.a}`, `${scopedRole}@${o.b}`].sort(),
      );
      // Org and scoped roles in one request stack there, as before.
      const { result: both } = await addMember(o.call, {
        email: email('both'),
        roles: [{ role: orgRole }, { role: scopedRole, scopeId: o.a }],
      });
      expect(await held(o, both.userId), preset).toHaveLength(2);
    }
  });

  /** The token in the newest email about an invitation (what the invitee clicks). */
  async function tokenFor(invitationId: string): Promise<string> {
    const row = await g.db
      .selectFrom('emails')
      .select('id')
      .where('ref_id', '=', invitationId)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const mail = await readQueuedEmail(g.db, row.id);
    const m = /accept\?token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '');
    if (!m) throw new Error(`no link in email ${row.id}`);
    return m[1]!;
  }
});
