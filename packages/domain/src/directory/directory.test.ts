import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import {
  addGroupMembers,
  addMember,
  assignRole,
  authz,
  createApiClient,
  createGroup,
  createOrg,
  createScope,
  type DirectoryEntry,
  type DirectoryQuery,
  directoryOverview,
  getGroup,
  groupsOfMember,
  inviteMember,
  listDirectory,
  listGroupMembers,
  removeGroupMembers,
  setMemberStatus,
  updateUser,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin, asClient } from '../testing.js';

const DAY = 86_400_000;

describe.each(testBackends())('member directory, groups and user edits on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  /** A Flowcode org: two workspaces, a team, people with direct, inherited and group roles. */
  let f: {
    orgId: string;
    caller: Caller;
    ws1: string;
    ws2: string;
    designers: string;
    owner: string;
    alice: string;
    bob: string;
    carol: string;
    dave: string;
    erin: string;
    bulk: string[];
  };

  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db);
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      {
        name: 'Directory Co',
        preset: 'flowcode',
        owner: { email: 'owner@dir.test', name: 'Olga Owner' },
      },
    );
    const { result: issued } = await createApiClient(
      { services: s, caller: admin, orgId: org.id },
      {
        name: 'console',
        roles: [{ role: 'org_admin' }],
      },
    );
    const caller = asClient(org.id, issued.client.id);
    const ws1 = (
      await createScope(
        { services: s, caller, orgId: org.id },
        { kind: 'workspace', name: 'Marketing' },
      )
    ).result.id;
    const ws2 = (
      await createScope(
        { services: s, caller, orgId: org.id },
        { kind: 'workspace', name: 'Sales' },
      )
    ).result.id;
    const add = async (email: string, roles: Array<{ role: string; scopeId?: string }>) =>
      (await addMember({ services: s, caller, orgId: org.id }, { email, roles })).result.userId;
    const alice = await add('Alice@Dir.test', [
      { role: 'org_user' },
      { role: 'workspace_admin', scopeId: ws1 },
    ]);
    const bob = await add('bob@dir.test', [{ role: 'org_user' }]);
    const carol = await add('carol@other.test', [{ role: 'org_admin' }]);
    const dave = await add('dave@dir.test', [{ role: 'workspace_viewer', scopeId: ws2 }]);
    const erin = await add('erin@dir.test', [{ role: 'org_user' }]);
    await setMemberStatus(
      { services: s, caller, orgId: org.id },
      { userId: erin, status: 'deactivated' },
    );
    const bulk: string[] = [];
    for (let i = 0; i < 24; i++) {
      bulk.push(await add(`bulk-${String(i).padStart(2, '0')}@bulk.test`, [{ role: 'org_user' }]));
    }
    const designers = (
      await createGroup(
        { services: s, caller, orgId: org.id },
        { name: 'Designers', description: 'Brand and UX' },
      )
    ).result.id;
    await addGroupMembers(
      { services: s, caller, orgId: org.id },
      { groupId: designers, memberIds: [bob] },
    );
    await assignRole(
      { services: s, caller, orgId: org.id },
      {
        subjectId: designers,
        role: 'workspace_editor',
        scopeId: ws2,
      },
    );
    // Sign-ins and MFA are recorded by the login flow; set them directly here.
    await g.db.updateTable('users').set({ mfa_enrolled: true }).where('id', '=', alice).execute();
    await g.db
      .updateTable('members')
      .set({ last_login_at: new Date(Date.now() - 2 * DAY) })
      .where('org_id', '=', org.id)
      .where('user_id', '=', alice)
      .execute();
    await g.db
      .updateTable('members')
      .set({ last_login_at: new Date(Date.now() - 40 * DAY) })
      .where('org_id', '=', org.id)
      .where('user_id', '=', bob)
      .execute();
    const owner = (
      await listDirectory({ services: s, caller, orgId: org.id }, { search: 'owner@dir.test' })
    ).items[0]!.userId!;
    f = { orgId: org.id, caller, ws1, ws2, designers, owner, alice, bob, carol, dave, erin, bulk };
  });
  afterAll(async () => {
    await g?.close();
  });

  const list = (q: DirectoryQuery = {}) =>
    listDirectory({ services: s, caller: f.caller, orgId: f.orgId }, q);
  async function all(q: DirectoryQuery): Promise<DirectoryEntry[]> {
    const out: DirectoryEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ ...q, cursor });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }
  const row = (items: readonly DirectoryEntry[], userId: string) =>
    items.find((i) => i.userId === userId);

  it('M4 lists every member of the org with email, name, status, roles, groups, MFA, last login and reach', async () => {
    const page = await list({ limit: 500 });
    expect(page.items).toHaveLength(30);
    const a = row(page.items, f.alice)!;
    expect(a).toMatchObject({
      kind: 'member',
      email: 'Alice@Dir.test',
      status: 'active',
      mfaEnrolled: true,
      groups: [],
    });
    expect(Date.parse(a.lastLoginAt!)).toBeGreaterThan(Date.now() - 3 * DAY);
    // Roles per scope: org_user at the org, workspace_admin at Marketing.
    expect(a.roles.map((r) => [r.role, r.scopeId, r.membership])).toEqual([
      ['org_user', f.orgId, 'direct'],
      ['workspace_admin', f.ws1, 'direct'],
    ]);
    expect(a.reach.count).toBe(3);
    const b = row(page.items, f.bob)!;
    expect(b.groups).toEqual([{ id: f.designers, name: 'Designers' }]);
    expect(b.roles).toContainEqual(
      expect.objectContaining({
        role: 'workspace_editor',
        scopeId: f.ws2,
        scopeName: 'Sales',
        viaGroup: { id: f.designers, name: 'Designers' },
      }),
    );
    const d = row(page.items, f.dave)!;
    expect(d.reach).toEqual({
      count: 1,
      roots: [{ id: f.ws2, name: 'Sales', kind: 'workspace' }],
    });
    expect(row(page.items, f.erin)).toMatchObject({ status: 'deactivated', reach: { count: 0 } });
  });

  it('M4 stable keyset pagination by id and by email: every member once, in order', async () => {
    const byId = await all({ limit: 7 });
    expect(byId).toHaveLength(30);
    const ids = byId.map((r) => r.userId!);
    expect(new Set(ids).size).toBe(30);
    expect([...ids].sort()).toEqual(ids);
    const byEmail = await all({ limit: 4, sort: 'email' });
    const emails = byEmail.map((r) => r.email.toLowerCase());
    expect(emails).toHaveLength(30);
    expect([...emails].sort()).toEqual(emails);
    // A member added between pages does not shift the pages already served.
    const first = await list({ limit: 5 });
    await addMember(
      { services: s, caller: f.caller, orgId: f.orgId },
      {
        email: 'zz-late@dir.test',
        roles: [{ role: 'org_user' }],
      },
    );
    const second = await list({ limit: 5, cursor: first.nextCursor! });
    expect(second.items[0]!.userId! > first.items[4]!.userId!).toBe(true);
    await expect(list({ cursor: first.nextCursor!, sort: 'email' })).rejects.toMatchObject({
      code: 'INVALID',
    });
  });

  it('M4 search by email: case-insensitive and partial; LIKE characters are literal', async () => {
    expect((await list({ search: 'ALICE@dir' })).items.map((r) => r.userId)).toEqual([f.alice]);
    expect((await all({ search: 'DIR.TEST', limit: 3 })).map((r) => r.email).sort()).toContain(
      'bob@dir.test',
    );
    const bulk = await all({ search: 'BULK-1', limit: 4 });
    expect(bulk).toHaveLength(10);
    expect((await list({ search: '%' })).items).toHaveLength(0);
    expect((await list({ search: 'bulk_0' })).items).toHaveLength(0);
  });

  it('M4 filters by status, role (own or through a group) and group', async () => {
    expect((await list({ status: 'deactivated' })).items.map((r) => r.userId)).toEqual([f.erin]);
    const active = await all({ status: 'active', limit: 100 });
    expect(active.some((r) => r.userId === f.erin)).toBe(false);
    expect((await list({ role: 'workspace_editor' })).items.map((r) => r.userId)).toEqual([f.bob]);
    expect((await list({ role: 'org_admin' })).items.map((r) => r.userId).sort()).toEqual(
      [f.owner, f.carol].sort(),
    );
    expect((await list({ groupId: f.designers })).items.map((r) => r.userId)).toEqual([f.bob]);
    await expect(list({ groupId: 'grp_nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('T3 M4 a scope lists direct "Member" and "Inherited" rows with where they come from', async () => {
    const ws1 = await all({ scopeId: f.ws1, limit: 10 });
    const a = row(ws1, f.alice)!;
    expect(a.roles.find((r) => r.role === 'workspace_admin')).toMatchObject({
      membership: 'direct',
      scopeId: f.ws1,
    });
    expect(a.roles.find((r) => r.role === 'org_user')).toMatchObject({
      membership: 'inherited',
      scopeId: f.orgId,
    });
    expect(row(ws1, f.carol)!.roles).toEqual([
      expect.objectContaining({ role: 'org_admin', membership: 'inherited', scopeId: f.orgId }),
    ]);
    // Dave only works in Sales: not a member of Marketing.
    expect(row(ws1, f.dave)).toBeUndefined();
    const direct = await list({ scopeId: f.ws1, membership: 'direct' });
    expect(direct.items.map((r) => r.userId)).toEqual([f.alice]);
    const inherited = await all({ scopeId: f.ws1, membership: 'inherited', limit: 50 });
    expect(inherited.some((r) => r.userId === f.alice)).toBe(false);
    expect(inherited.some((r) => r.userId === f.carol)).toBe(true);
    // Sales: Bob is a direct member through his team, Dave on his own.
    const ws2 = await list({ scopeId: f.ws2, membership: 'direct' });
    expect(ws2.items.map((r) => r.userId).sort()).toEqual([f.bob, f.dave].sort());
    expect(row(ws2.items, f.bob)!.roles).toContainEqual(
      expect.objectContaining({
        role: 'workspace_editor',
        membership: 'direct',
        viaGroup: { id: f.designers, name: 'Designers' },
      }),
    );
    expect((await list({ scopeId: f.ws2, role: 'workspace_viewer' })).items).toHaveLength(1);
    await expect(list({ scopeId: 'scp_nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('T4 M4 a workspace admin reads their workspace directory, not the org one', async () => {
    const forAlice = asClient(
      f.orgId,
      f.caller.principal.kind === 'client' ? f.caller.principal.clientId : '',
      f.alice,
    );
    const page = await listDirectory(
      { services: s, caller: forAlice, orgId: f.orgId },
      {
        scopeId: f.ws1,
        membership: 'direct',
      },
    );
    expect(page.items.map((r) => r.userId)).toEqual([f.alice]);
    await expect(
      listDirectory({ services: s, caller: forAlice, orgId: f.orgId }, {}),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      listDirectory({ services: s, caller: forAlice, orgId: f.orgId }, { scopeId: f.ws2 }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('M4 pending invitations are listed with status Pending, and filtered like members', async () => {
    await inviteMember(
      { services: s, caller: f.caller, orgId: f.orgId },
      {
        email: 'newbie@dir.test',
        scopeId: f.ws1,
        roles: [{ role: 'workspace_viewer' }],
      },
    );
    const pending = await list({ status: 'pending' });
    expect(pending.items).toHaveLength(1);
    expect(pending.items[0]).toMatchObject({
      kind: 'invitation',
      userId: null,
      email: 'newbie@dir.test',
      status: 'pending',
      roles: [expect.objectContaining({ role: 'workspace_viewer', scopeId: f.ws1 })],
    });
    expect((await list({ scopeId: f.ws1, search: 'newbie' })).items).toHaveLength(1);
    expect((await list({ scopeId: f.ws2, search: 'newbie' })).items).toHaveLength(0);
    expect((await list({ status: 'active', search: 'newbie' })).items).toHaveLength(0);
    // The whole org, by email: the invitation sits in order among the members.
    const byEmail = await all({ sort: 'email', limit: 6 });
    const i = byEmail.findIndex((r) => r.kind === 'invitation');
    expect(byEmail[i - 1]!.email.toLowerCase() < 'newbie@dir.test').toBe(true);
    expect(byEmail[i + 1]!.email.toLowerCase() > 'newbie@dir.test').toBe(true);
  });

  it('T6 overview: members per status and scope, pending invitations, active in 30 days, last logins', async () => {
    const o = await directoryOverview({ services: s, caller: f.caller, orgId: f.orgId });
    expect(o.members.deactivated).toBe(1);
    expect(o.members.total).toBe(o.members.active + 1);
    expect(o.pendingInvitations).toBe(1);
    expect(o.activeLast30Days).toBe(1);
    expect(o.recentLogins.map((r) => r.userId)).toEqual([f.alice, f.bob]);
    const per = new Map(o.perScope.map((p) => [p.scopeId, p.members]));
    expect(per.get(f.ws1)).toBe(1);
    expect(per.get(f.ws2)).toBe(2);
    expect(per.get(f.orgId)).toBeGreaterThan(25);
  });

  it('G1 G2 group reads: roles per scope and environment, members, groups of a member', async () => {
    const d = await getGroup(
      { services: s, caller: f.caller, orgId: f.orgId },
      { groupId: f.designers },
    );
    expect(d).toMatchObject({ name: 'Designers', description: 'Brand and UX', memberCount: 1 });
    expect(d.roles.map((r) => [r.role, r.scopeId, r.environment])).toEqual([
      ['workspace_editor', f.ws2, null],
    ]);
    const members = await listGroupMembers(
      { services: s, caller: f.caller, orgId: f.orgId },
      { groupId: f.designers },
    );
    expect(members.items).toEqual([
      expect.objectContaining({
        memberId: f.bob,
        type: 'user',
        label: 'bob@dir.test',
        active: true,
      }),
    ]);
    expect(
      (
        await groupsOfMember({ services: s, caller: f.caller, orgId: f.orgId }, { memberId: f.bob })
      ).map((x) => x.id),
    ).toEqual([f.designers]);
    await expect(
      getGroup({ services: s, caller: f.caller, orgId: f.orgId }, { groupId: 'grp_missing' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it("G2 a person's access is the union of their own and their groups' assignments", async () => {
    const ask = (permission: string, scope: string, minRevision: number) =>
      authz.check(
        { services: s, caller: f.caller, orgId: f.orgId },
        { subject: f.bob, permission, scope },
        minRevision,
      );
    // Own: org_user at the org (org.read). Group: workspace_editor in Sales (flows.write).
    const start = await getGroup(
      { services: s, caller: f.caller, orgId: f.orgId },
      { groupId: f.designers },
    );
    expect(start.memberCount).toBe(1);
    const own = await ask('org.read', f.orgId, 1);
    expect(own.result.allowed).toBe(true);
    expect((await ask('flows.write', f.ws2, 1)).result.allowed).toBe(true);
    expect((await ask('flows.write', f.ws1, 1)).result.allowed).toBe(false);
    const eff = await authz.effectivePermissions(
      { services: s, caller: f.caller, orgId: f.orgId },
      {
        subject: f.bob,
        scope: f.ws2,
      },
    );
    expect(eff.result).toEqual(expect.arrayContaining(['org.read', 'flows.write', 'scopes.read']));
    // Leaving the team takes the team's access away at once; his own stays.
    const left = await removeGroupMembers(
      { services: s, caller: f.caller, orgId: f.orgId },
      {
        groupId: f.designers,
        memberIds: [f.bob],
      },
    );
    expect((await ask('flows.write', f.ws2, left.revision)).result.allowed).toBe(false);
    expect((await ask('org.read', f.ws2, left.revision)).result.allowed).toBe(true);
    const back = await addGroupMembers(
      { services: s, caller: f.caller, orgId: f.orgId },
      {
        groupId: f.designers,
        memberIds: [f.bob],
      },
    );
    expect((await ask('flows.write', f.ws2, back.revision)).result.allowed).toBe(true);
  });

  it('M6 edit user: name and email, audited; an email that exists is a CONFLICT', async () => {
    const { result, revision } = await updateUser(
      { services: s, caller: f.caller, orgId: f.orgId },
      {
        userId: f.dave,
        name: 'Dave Dee',
        email: 'Dave.Dee@Dir.test',
      },
    );
    expect(result).toMatchObject({ email: 'Dave.Dee@Dir.test', name: 'Dave Dee' });
    expect((await list({ search: 'dave.dee' })).items.map((r) => r.userId)).toEqual([f.dave]);
    await expect(
      updateUser(
        { services: s, caller: f.caller, orgId: f.orgId },
        { userId: f.dave, email: 'ALICE@dir.test' },
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      updateUser(
        { services: s, caller: f.caller, orgId: f.orgId },
        { userId: f.dave, email: 'not an email' },
      ),
    ).rejects.toMatchObject({ code: 'INVALID' });
    const entry = await g.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', f.orgId)
      .where('entity_type', '=', 'user')
      .where('entity_id', '=', f.dave)
      .where('revision', '=', revision)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(entry.before!)).toMatchObject({ email: 'dave@dir.test', name: null });
    expect(JSON.parse(entry.after!)).toMatchObject({
      email: 'Dave.Dee@Dir.test',
      name: 'Dave Dee',
    });
    // Someone who also belongs to another org can only be edited by the instance admin.
    const { result: other } = await createOrg(
      { services: s, caller: admin },
      { name: 'Other', preset: 'flowcode' },
    );
    await addMember(
      { services: s, caller: admin, orgId: other.id },
      { email: 'Dave.Dee@dir.test' },
    );
    await expect(
      updateUser(
        { services: s, caller: f.caller, orgId: f.orgId },
        { userId: f.dave, name: 'Mallory' },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await updateUser(
      { services: s, caller: admin, orgId: f.orgId },
      { userId: f.dave, name: 'Dave D.' },
    );
  });

  it('M6 C6 deactivation ends access at the write revision, in this and another process; reactivation restores it', async () => {
    const other = createServices(g.db); // a second process: its own engine cache
    const ask = (svc: Services, minRevision: number) =>
      authz.check(
        { services: svc, caller: f.caller, orgId: f.orgId },
        { subject: f.alice, permission: 'members.invite', scope: f.ws1 },
        minRevision,
      );
    expect((await ask(other, 1)).result.allowed).toBe(true);
    const off = await setMemberStatus(
      { services: s, caller: f.caller, orgId: f.orgId },
      {
        userId: f.alice,
        status: 'deactivated',
      },
    );
    for (const svc of [s, other]) {
      const d = await ask(svc, off.revision);
      expect(d.revision).toBeGreaterThanOrEqual(off.revision);
      expect(d.result).toMatchObject({ allowed: false, code: 'inactive_subject' });
    }
    expect(row((await list({ search: 'alice' })).items, f.alice)).toMatchObject({
      status: 'deactivated',
      reach: { count: 0 },
    });
    const on = await setMemberStatus(
      { services: s, caller: f.caller, orgId: f.orgId },
      { userId: f.alice, status: 'active' },
    );
    for (const svc of [s, other]) {
      expect((await ask(svc, on.revision)).result.allowed).toBe(true);
    }
  });
});
