/**
 * The rules every way in must keep, proven over HTTP through the SDK: invariants (M7), no
 * escalation (R6), exclusive slots (R5), tenant isolation on every router, bad input answered
 * with a clear error that changes nothing, authentication (K1), read-your-writes (C6) and local
 * checks that agree with the server (C7).
 */
import type { AppRouter, Gatehouse, TRPCClientError } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createOrgFixture,
  email,
  failure,
  type OrgFixture,
  startTestServer,
  type TestServer,
} from './harness.js';

describe.each(backends)('rules end to end on $name', (backend) => {
  let t: TestServer;
  /** idnow org: the caller of the isolation tests, and the target of bad input. */
  let A: OrgFixture;
  /** flowcode org with two workspaces: the other tenant, escalation, C6, C7. */
  let B: OrgFixture;
  let w1: string;
  let w2: string;
  let bUser: string;
  let bGroup: string;

  const revisionOf = async (f: OrgFixture) =>
    (await t.admin.api.orgs.get.query({ orgId: f.orgId })).revision;

  beforeAll(async () => {
    t = await startTestServer(backend);
    A = await createOrgFixture(t, { name: 'Tenant A', preset: 'idnow', clientRole: 'editor' });
    B = await createOrgFixture(t, {
      name: 'Tenant B',
      preset: 'flowcode',
      clientRole: 'org_admin',
    });
    const { gh, orgId, revisions } = B;
    w1 = revisions.note(
      await gh.api.scopes.create.mutate({ orgId, kind: 'workspace', name: 'W1' }),
    ).id;
    w2 = revisions.note(
      await gh.api.scopes.create.mutate({ orgId, kind: 'workspace', name: 'W2' }),
    ).id;
    bUser = revisions.note(
      await gh.api.members.add.mutate({
        orgId,
        email: email('b-user'),
        roles: [{ role: 'org_user' }, { role: 'workspace_editor', scopeId: w1 }],
      }),
    ).userId;
    bGroup = revisions.note(await gh.api.groups.create.mutate({ orgId, name: 'B team' })).id;
    revisions.note(
      await gh.api.groups.addMembers.mutate({ orgId, groupId: bGroup, memberIds: [bUser] }),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  // -------------------------------------------------------------------------------------------
  describe('M7: every organization keeps an Owner', () => {
    it('M7: demoting, removing or deactivating the last owner is PRECONDITION_FAILED and changes nothing', async () => {
      const f = await createOrgFixture(t, {
        name: 'Last owner',
        preset: 'idnow',
        clientRole: 'editor',
      });
      const { gh, orgId, ownerUserId } = f;
      const before = await revisionOf(f);
      const ownerAssignment = (
        await gh.api.assignments.list.query({ orgId, subjectId: ownerUserId })
      ).items[0]!;
      expect(ownerAssignment.role).toBe('editor');
      const attempts = [
        () =>
          gh.api.members.setRoles.mutate({
            orgId,
            userId: ownerUserId,
            roles: [{ role: 'viewer' }],
          }),
        () => gh.api.members.setRoles.mutate({ orgId, userId: ownerUserId, roles: [] }),
        () => gh.api.members.remove.mutate({ orgId, userId: ownerUserId }),
        () => gh.api.assignments.revoke.mutate({ orgId, assignmentId: ownerAssignment.id }),
        () =>
          gh.api.assignments.assign.mutate({
            orgId,
            subjectId: ownerUserId,
            role: 'developer',
            replace: true,
          }),
        () => gh.api.members.deactivate.mutate({ orgId, userId: ownerUserId }),
      ];
      for (const attempt of attempts) {
        expect(await failure(attempt())).toMatchObject({
          code: 'PRECONDITION_FAILED',
          domainCode: 'INVARIANT',
        });
      }
      expect(await revisionOf(f)).toBe(before);
      const members = (await gh.api.members.list.query({ orgId })).items;
      expect(members.map((m) => [m.userId, m.roles.map((r) => r.role)])).toEqual([
        [ownerUserId, ['editor']],
      ]);
      const { result } = await gh.api.authz.check.query({
        orgId,
        subject: ownerUserId,
        permission: 'roles.assign',
        scope: orgId,
      });
      expect(result.allowed).toBe(true);
    });

    it('M7: with a second owner the first may step down; then the second is the last', async () => {
      const f = await createOrgFixture(t, {
        name: 'Two owners',
        preset: 'idnow',
        clientRole: 'editor',
      });
      const { gh, orgId, ownerUserId, revisions } = f;
      const second = revisions.note(
        await gh.api.members.add.mutate({
          orgId,
          email: email('second'),
          roles: [{ role: 'editor' }],
        }),
      ).userId;
      revisions.note(
        await gh.api.members.setRoles.mutate({
          orgId,
          userId: ownerUserId,
          roles: [{ role: 'viewer' }],
        }),
      );
      const before = await revisionOf(f);
      expect(await failure(gh.api.members.remove.mutate({ orgId, userId: second }))).toMatchObject({
        code: 'PRECONDITION_FAILED',
      });
      expect(await revisionOf(f)).toBe(before);
    });

    it('M7: two admins demoting the only two owners at the same moment: exactly one wins', async () => {
      const ownerEmail = email('owner');
      const f = await createOrgFixture(t, {
        name: 'Race',
        preset: 'identity-platform',
        clientRole: 'owner',
        ownerEmail,
      });
      const { gh, orgId, ownerUserId, revisions } = f;
      const secondEmail = email('owner2');
      // Seed 004: both also own another organization, so only this org's last Owner is at stake.
      for (const owner of [ownerEmail, secondEmail]) {
        await t.admin.api.orgs.create.mutate({
          name: 'Their own',
          preset: 'identity-platform',
          owner: { email: owner },
        });
      }
      const second = revisions.note(
        await gh.api.members.add.mutate({
          orgId,
          email: secondEmail,
          roles: [{ role: 'owner' }],
        }),
      ).userId;
      // Two separate clients (two HTTP requests), fired together.
      const other = t.connect(f.clientKey);
      const outcomes = await Promise.allSettled([
        gh.api.members.setRoles.mutate({ orgId, userId: ownerUserId, roles: [{ role: 'member' }] }),
        other.api.members.setRoles.mutate({ orgId, userId: second, roles: [{ role: 'member' }] }),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(await failure(Promise.reject(rejected.reason))).toMatchObject({
        code: 'PRECONDITION_FAILED',
      });
      const { result } = await gh.api.authz.listSubjects.query({
        orgId,
        scope: orgId,
        permission: 'org.delete',
        type: 'user',
      });
      expect(result.items).toHaveLength(1);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('M7 seed 004: every user owns an organization', () => {
    /** Every org the instance admin sees. */
    async function allOrgs() {
      const out: Array<{ id: string; name: string; preset: string }> = [];
      let cursor: string | null = null;
      do {
        const page = await t.admin.api.orgs.list.query({ cursor, limit: 100 });
        out.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    }
    const orgsNamed = async (name: string) => (await allOrgs()).filter((o) => o.name === name);

    it('M7 M5 seed 004: a new member gets an organization of their own; losing the last ownership is PRECONDITION_FAILED until they own another', async () => {
      const f = await createOrgFixture(t, {
        name: 'Identity customer',
        preset: 'identity-platform',
        clientRole: 'owner',
      });
      const { gh, orgId, revisions } = f;
      const name = `Ana ${email('ana').split('@')[0]}`;
      const ana = revisions.note(
        await gh.api.members.add.mutate({ orgId, email: email('ana'), name }),
      ).userId;
      // Joining as Member: an identity-platform org of her own, where she is the Owner.
      const [own, ...more] = await orgsNamed(`${name}'s organization`);
      expect(more).toEqual([]);
      expect(own).toMatchObject({ preset: 'identity-platform' });
      const p = own!.id;
      const members = (await t.admin.api.members.list.query({ orgId: p })).items;
      expect(members.map((m) => [m.userId, m.roles.map((r) => r.role)])).toEqual([
        [ana, ['owner']],
      ]);
      const audit = await t.admin.api.audit.list.query({ orgId: p });
      expect(audit.items.find((e) => e.seq === 1)).toMatchObject({
        action: 'Created',
        entityType: 'org',
        source: 'api',
      });
      // A second join gives no second org.
      const other = await createOrgFixture(t, {
        name: 'Second customer',
        preset: 'identity-platform',
        clientRole: 'owner',
      });
      const again = (
        await other.gh.api.members.add.mutate({
          orgId: other.orgId,
          email: members[0]!.email,
        })
      ).result.userId;
      expect(again).toBe(ana);
      expect(await orgsNamed(`${name}'s organization`)).toHaveLength(1);

      // With a second Owner in her org (M7 holds), stepping down is refused: she would own none.
      await t.admin.api.members.add.mutate({
        orgId: p,
        email: email('co-owner'),
        roles: [{ role: 'owner' }],
      });
      const before = (await t.admin.api.orgs.get.query({ orgId: p })).revision;
      for (const attempt of [
        () =>
          t.admin.api.members.setRoles.mutate({
            orgId: p,
            userId: ana,
            roles: [{ role: 'member' }],
          }),
        () => t.admin.api.members.remove.mutate({ orgId: p, userId: ana }),
        () => t.admin.api.members.deactivate.mutate({ orgId: p, userId: ana }),
      ]) {
        const refused = await failure(attempt());
        expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', domainCode: 'INVARIANT' });
        expect(refused.message).toContain(
          `seed 004: every user must own at least one organization; ${ana} would own none`,
        );
      }
      expect((await t.admin.api.orgs.get.query({ orgId: p })).revision).toBe(before);

      // Once she owns the customer's org too, she may step down in her own.
      revisions.note(
        await gh.api.members.setRoles.mutate({ orgId, userId: ana, roles: [{ role: 'owner' }] }),
      );
      await t.admin.api.members.setRoles.mutate({
        orgId: p,
        userId: ana,
        roles: [{ role: 'member' }],
      });
      const after = (await t.admin.api.members.list.query({ orgId: p })).items.find(
        (m) => m.userId === ana,
      );
      expect(after?.roles.map((r) => r.role)).toEqual(['member']);
    });

    it('M7 seed 004: other presets give no organization on joining', async () => {
      const f = await createOrgFixture(t, { name: 'Plain', preset: 'idnow', clientRole: 'editor' });
      const before = (await allOrgs()).length;
      await f.gh.api.members.add.mutate({ orgId: f.orgId, email: email('bo'), name: 'Bo' });
      expect((await allOrgs()).length).toBe(before);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('R6: no escalation', () => {
    it('R6 seed 002: a Manager client cannot grant roles carrying permissions it lacks', async () => {
      const f = await createOrgFixture(t, {
        name: 'IDV',
        preset: 'idv-console',
        clientRole: 'admin',
      });
      const issued = f.revisions.note(
        await t.admin.api.apiClients.create.mutate({
          orgId: f.orgId,
          name: 'manager',
          roles: [{ role: 'manager' }],
        }),
      );
      const mgr = t.connect(issued.key);
      const orgId = f.orgId;
      const someone = f.revisions.note(
        await f.gh.api.members.add.mutate({ orgId, email: email('someone') }),
      ).userId;
      const before = await revisionOf(f);
      for (const role of ['admin', 'service_manager']) {
        expect(
          await failure(
            mgr.api.members.add.mutate({ orgId, email: email(role), roles: [{ role }] }),
          ),
          role,
        ).toMatchObject({
          code: 'FORBIDDEN',
        });
        expect(
          await failure(
            mgr.api.assignments.assign.mutate({ orgId, subjectId: someone, role, replace: true }),
          ),
          role,
        ).toMatchObject({ code: 'FORBIDDEN' });
      }
      // Nor give itself (or another client) more than it holds.
      expect(
        await failure(
          mgr.api.assignments.assign.mutate({
            orgId,
            subjectId: issued.client.id,
            role: 'admin',
            replace: true,
          }),
        ),
      ).toMatchObject({ code: 'FORBIDDEN' });
      expect(
        await failure(mgr.api.apiClients.create.mutate({ orgId, name: 'x', roles: [] })),
      ).toMatchObject({ code: 'FORBIDDEN' });
      expect(await revisionOf(f)).toBe(before);
      // What it holds, it may give.
      for (const role of ['manager', 'default', 'auditor']) {
        const { result, revision } = await mgr.api.members.add.mutate({
          orgId,
          email: email(role),
          roles: [{ role }],
        });
        expect(result.roles.map((r) => r.role)).toEqual([role]);
        expect(revision).toBeGreaterThan(before);
      }
    });

    it('R3 R6: a custom role with roles.assign can hand out Viewer but not Developer or Editor', async () => {
      const { orgId } = A;
      A.revisions.note(
        await A.gh.api.roles.create.mutate({
          orgId,
          key: 'team_manager',
          name: 'Team manager',
          permissions: [
            'org.read',
            'scopes.read',
            'members.*',
            'roles.read',
            'roles.assign',
            'flows.read',
            'sessions.*',
            'analytics.read',
          ],
          slot: 'primary',
        }),
      );
      const issued = A.revisions.note(
        await A.gh.api.apiClients.create.mutate({
          orgId,
          name: 'team manager',
          roles: [{ role: 'team_manager' }],
        }),
      );
      const tm = t.connect(issued.key);
      const before = await revisionOf(A);
      for (const role of ['developer', 'editor']) {
        const err = await failure(
          tm.api.members.add.mutate({ orgId, email: email(role), roles: [{ role }] }),
        );
        expect(err, role).toMatchObject({ code: 'FORBIDDEN' });
        expect(err.message).toMatch(/cannot grant/);
      }
      expect(await revisionOf(A)).toBe(before);
      const added = A.revisions.note(
        await tm.api.members.add.mutate({
          orgId,
          email: email('viewer'),
          roles: [{ role: 'viewer' }],
        }),
      );
      expect(added.roles.map((r) => r.role)).toEqual(['viewer']);
    });

    it('R6 T4 seed 001: a Workspace Admin acting via asUser cannot act in another workspace', async () => {
      const { gh, orgId, revisions } = B;
      const wsAdmin = revisions.note(
        await gh.api.members.add.mutate({
          orgId,
          email: email('ws-admin'),
          roles: [{ role: 'org_user' }, { role: 'workspace_admin', scopeId: w1 }],
        }),
      ).userId;
      const target = revisions.note(
        await gh.api.members.add.mutate({
          orgId,
          email: email('target'),
          roles: [{ role: 'org_user' }],
        }),
      ).userId;
      const as = gh.asUser(wsAdmin);
      const before = await revisionOf(B);
      const refused: Array<[string, () => Promise<unknown>]> = [
        [
          'invite into W2',
          () =>
            as.api.members.add.mutate({
              orgId,
              email: email('x'),
              roles: [{ role: 'workspace_viewer', scopeId: w2 }],
            }),
        ],
        [
          'assign in W2',
          () =>
            as.api.assignments.assign.mutate({
              orgId,
              subjectId: target,
              role: 'workspace_editor',
              scopeId: w2,
            }),
        ],
        [
          'add-on in W2',
          () =>
            as.api.assignments.assign.mutate({
              orgId,
              subjectId: target,
              role: 'flows_manager',
              scopeId: w2,
            }),
        ],
        [
          'assign Org Admin',
          () =>
            as.api.assignments.assign.mutate({
              orgId,
              subjectId: target,
              role: 'org_admin',
              replace: true,
            }),
        ],
        ['rename W2', () => as.api.scopes.update.mutate({ orgId, scopeId: w2, name: 'Mine now' })],
        ['delete W2', () => as.api.scopes.delete.mutate({ orgId, scopeId: w2, cascade: true })],
        [
          'create a workspace',
          () => as.api.scopes.create.mutate({ orgId, kind: 'workspace', name: 'W9' }),
        ],
        [
          'remove from W2',
          () => as.api.members.remove.mutate({ orgId, userId: bUser, scopeId: w2 }),
        ],
        ['read the org audit log', () => as.api.audit.list.query({ orgId })],
        ['update the org', () => as.api.orgs.update.mutate({ orgId, description: 'hijacked' })],
        ['manage teams', () => as.api.groups.create.mutate({ orgId, name: 'shadow team' })],
        [
          'as a stranger',
          () =>
            gh.asUser('usr_0000000000nobody').api.members.add.mutate({ orgId, email: email('y') }),
        ],
        [
          'as a user of another org',
          () => gh.asUser(A.ownerUserId).api.members.list.query({ orgId }),
        ],
      ];
      for (const [what, call] of refused) {
        expect(await failure(call()), what).toMatchObject({ code: 'FORBIDDEN' });
      }
      expect(await revisionOf(B)).toBe(before);
      // Inside W1 the same person may manage members (positive control), audited as both.
      const ok = await as.api.assignments.assign.mutate({
        orgId,
        subjectId: target,
        role: 'workspace_editor',
        scopeId: w1,
      });
      revisions.note(ok);
      const audit = await gh.api.audit.list.query({ orgId, entityId: ok.result.id });
      expect(audit.items[0]).toMatchObject({
        actorId: B.clientId,
        onBehalfOf: wsAdmin,
        action: 'RoleAssigned',
      });
      const scopes = await as.api.scopes.list.query({ orgId });
      expect(scopes.items.map((s) => s.id)).toEqual([w1]);
    });
  });

  it('R5: one primary role per scope; a second one is CONFLICT unless replacing; add-ons stack', async () => {
    const { gh, orgId, revisions } = B;
    const before = await revisionOf(B);
    const err = await failure(
      gh.api.assignments.assign.mutate({
        orgId,
        subjectId: bUser,
        role: 'workspace_viewer',
        scopeId: w1,
      }),
    );
    expect(err).toMatchObject({ code: 'CONFLICT', domainCode: 'CONFLICT' });
    expect(await revisionOf(B)).toBe(before);
    revisions.note(
      await gh.api.assignments.assign.mutate({
        orgId,
        subjectId: bUser,
        role: 'audience_viewer',
        scopeId: w1,
      }),
    );
    revisions.note(
      await gh.api.assignments.assign.mutate({
        orgId,
        subjectId: bUser,
        role: 'brand_kits_manager',
        scopeId: w1,
      }),
    );
    revisions.note(
      await gh.api.assignments.assign.mutate({
        orgId,
        subjectId: bUser,
        role: 'workspace_viewer',
        scopeId: w1,
        replace: true,
      }),
    );
    const roles = (
      await gh.api.assignments.list.query({ orgId, subjectId: bUser, scopeId: w1 })
    ).items.map((a) => a.role);
    expect(roles.sort()).toEqual(['audience_viewer', 'brand_kits_manager', 'workspace_viewer']);
    // Back to Editor for the tests below.
    revisions.note(
      await gh.api.members.setRoles.mutate({
        orgId,
        userId: bUser,
        scopeId: w1,
        roles: [{ role: 'workspace_editor' }],
      }),
    );
  });

  // -------------------------------------------------------------------------------------------
  it('K1 T1: tenant isolation — an API client of org A gets NOT_FOUND on every router for org B, and B is unchanged', async () => {
    const a = A.gh.api;
    const orgId = B.orgId;
    const bAssignment = (await B.gh.api.assignments.list.query({ orgId, subjectId: bUser }))
      .items[0]!;
    // Things of B that only B's ids reach: a pending invitation and a SCIM token.
    const bInvitation = B.revisions.note(
      await B.gh.api.invitations.invite.mutate({ orgId, email: email('b-invitee') }),
    );
    const bToken = B.revisions.note(
      await B.gh.api.scimTokens.create.mutate({ orgId, name: 'idp' }),
    );
    const before = {
      revision: await revisionOf(B),
      members: await B.gh.api.members.list.query({ orgId }),
      scopes: await B.gh.api.scopes.list.query({ orgId }),
      groups: await B.gh.api.groups.list.query({ orgId }),
      clients: await B.gh.api.apiClients.list.query({ orgId }),
      invitations: await B.gh.api.invitations.list.query({ orgId }),
      scimTokens: await B.gh.api.scimTokens.list.query({ orgId }),
      audit: (await B.gh.api.audit.list.query({ orgId, limit: 1000 })).items.length,
    };
    const check = { subject: bUser, permission: 'flows.read', scope: w1 };
    const calls: Record<string, () => Promise<unknown>> = {
      'orgs.get': () => a.orgs.get.query({ orgId }),
      'orgs.update': () => a.orgs.update.mutate({ orgId, name: 'pwned' }),
      'members.list': () => a.members.list.query({ orgId }),
      'members.add': () => a.members.add.mutate({ orgId, email: email('intruder') }),
      'members.setRoles': () =>
        a.members.setRoles.mutate({ orgId, userId: B.ownerUserId, roles: [] }),
      'members.remove': () => a.members.remove.mutate({ orgId, userId: bUser }),
      'members.deactivate': () => a.members.deactivate.mutate({ orgId, userId: bUser }),
      'members.reactivate': () => a.members.reactivate.mutate({ orgId, userId: bUser }),
      'members.update': () => a.members.update.mutate({ orgId, userId: bUser, name: 'pwned' }),
      'members.overview': () => a.members.overview.query({ orgId }),
      'invitations.invite': () => a.invitations.invite.mutate({ orgId, email: email('intruder') }),
      'invitations.list': () => a.invitations.list.query({ orgId }),
      'invitations.resend': () =>
        a.invitations.resend.mutate({ orgId, invitationId: bInvitation.id }),
      'invitations.revoke': () =>
        a.invitations.revoke.mutate({ orgId, invitationId: bInvitation.id }),
      'scopes.list': () => a.scopes.list.query({ orgId }),
      'scopes.create': () => a.scopes.create.mutate({ orgId, kind: 'workspace', name: 'intruder' }),
      'scopes.update': () => a.scopes.update.mutate({ orgId, scopeId: w1, name: 'pwned' }),
      'scopes.delete': () => a.scopes.delete.mutate({ orgId, scopeId: w2, cascade: true }),
      'roles.list': () => a.roles.list.query({ orgId }),
      'roles.create': () => a.roles.create.mutate({ orgId, name: 'intruder', permissions: ['*'] }),
      'roles.update': () =>
        a.roles.update.mutate({ orgId, key: 'org_user', name: 'x', permissions: ['*'] }),
      'roles.delete': () => a.roles.delete.mutate({ orgId, key: 'org_user' }),
      'assignments.list': () => a.assignments.list.query({ orgId }),
      'assignments.assign': () =>
        a.assignments.assign.mutate({ orgId, subjectId: bUser, role: 'org_admin', replace: true }),
      'assignments.revoke': () =>
        a.assignments.revoke.mutate({ orgId, assignmentId: bAssignment.id }),
      'groups.list': () => a.groups.list.query({ orgId }),
      'groups.create': () => a.groups.create.mutate({ orgId, name: 'intruders' }),
      'groups.addMembers': () =>
        a.groups.addMembers.mutate({ orgId, groupId: bGroup, memberIds: [B.ownerUserId] }),
      'groups.delete': () => a.groups.delete.mutate({ orgId, groupId: bGroup }),
      'groups.get': () => a.groups.get.query({ orgId, groupId: bGroup }),
      'groups.members': () => a.groups.members.query({ orgId, groupId: bGroup }),
      'groups.ofMember': () => a.groups.ofMember.query({ orgId, memberId: bUser }),
      'groups.update': () => a.groups.update.mutate({ orgId, groupId: bGroup, name: 'pwned' }),
      'groups.removeMembers': () =>
        a.groups.removeMembers.mutate({ orgId, groupId: bGroup, memberIds: [bUser] }),
      'audit.record': () =>
        a.audit.record.mutate({ orgId, action: 'Forged', entityType: 'flow', entityId: 'f1' }),
      'audit.verify': () => a.audit.verify.query({ orgId }),
      'audit.prune': () => a.audit.prune.mutate({ orgId }),
      'scimTokens.list': () => a.scimTokens.list.query({ orgId }),
      'scimTokens.create': () => a.scimTokens.create.mutate({ orgId, name: 'backdoor' }),
      'scimTokens.rotate': () =>
        a.scimTokens.rotate.mutate({ orgId, tokenId: bToken.scimToken.id }),
      'scimTokens.revoke': () =>
        a.scimTokens.revoke.mutate({ orgId, tokenId: bToken.scimToken.id }),
      'apiClients.list': () => a.apiClients.list.query({ orgId }),
      'apiClients.create': () =>
        a.apiClients.create.mutate({ orgId, name: 'backdoor', roles: [{ role: 'org_admin' }] }),
      'apiClients.rotate': () => a.apiClients.rotate.mutate({ orgId, clientId: B.clientId }),
      'apiClients.revoke': () => a.apiClients.revoke.mutate({ orgId, clientId: B.clientId }),
      'audit.list': () => a.audit.list.query({ orgId }),
      'authz.check': () => a.authz.check.query({ orgId, ...check }),
      'authz.checkMany': () => a.authz.checkMany.query({ orgId, checks: [check] }),
      'authz.canMany': () => a.authz.canMany.query({ orgId, checks: [check] }),
      'authz.explain': () => a.authz.explain.query({ orgId, ...check }),
      'authz.effectivePermissions': () =>
        a.authz.effectivePermissions.query({ orgId, subject: bUser, scope: w1 }),
      'authz.listScopes': () =>
        a.authz.listScopes.query({ orgId, subject: bUser, permission: 'flows.read' }),
      'authz.listSubjects': () =>
        a.authz.listSubjects.query({ orgId, scope: w1, permission: 'flows.read' }),
      'authz.snapshot': () => a.authz.snapshot.query({ orgId }),
    };
    const codes: Record<string, string> = {};
    for (const [name, call] of Object.entries(calls)) codes[name] = (await failure(call())).code;
    expect(codes).toEqual(Object.fromEntries(Object.keys(calls).map((k) => [k, 'NOT_FOUND'])));
    // Org A's client lists only org A, and cannot reach B's subjects or scopes from inside A.
    expect((await a.orgs.list.query()).items.map((o) => o.id)).toEqual([A.orgId]);
    expect(
      await failure(
        a.assignments.assign.mutate({ orgId: A.orgId, subjectId: bUser, role: 'viewer' }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
    // B's scope id named inside A is refused (FORBIDDEN "unknown scope" today, see the BUG test
    // below; either way nothing about B leaks and nothing changes).
    expect(
      (
        await failure(
          a.members.add.mutate({
            orgId: A.orgId,
            email: email('z'),
            roles: [{ role: 'viewer', scopeId: w1 }],
          }),
        )
      ).code,
    ).not.toBe('INTERNAL_SERVER_ERROR');
    const { result } = await a.authz.check.query({ orgId: A.orgId, ...check });
    expect(result).toMatchObject({ allowed: false });
    // B is exactly as it was.
    expect(await revisionOf(B)).toBe(before.revision);
    expect(await B.gh.api.members.list.query({ orgId })).toEqual(before.members);
    expect(await B.gh.api.scopes.list.query({ orgId })).toEqual(before.scopes);
    expect(await B.gh.api.groups.list.query({ orgId })).toEqual(before.groups);
    expect(await B.gh.api.invitations.list.query({ orgId })).toEqual(before.invitations);
    expect(await B.gh.api.scimTokens.list.query({ orgId })).toEqual(before.scimTokens);
    expect((await B.gh.api.audit.list.query({ orgId, limit: 1000 })).items.length).toBe(
      before.audit,
    );
    const clients = await B.gh.api.apiClients.list.query({ orgId });
    expect(clients.map(({ lastUsedAt: _, ...c }) => c)).toEqual(
      before.clients.map(({ lastUsedAt: _, ...c }) => c),
    );
  });

  // -------------------------------------------------------------------------------------------
  describe('bad input is BAD_REQUEST (NOT_FOUND for unknown ids), never a 500, and changes nothing', () => {
    type Case = readonly [name: string, call: () => Promise<unknown>, code: string];
    const unknownScope = 'scp_00000000000000000000000000';
    const unknownUser = 'usr_00000000000000000000000000';
    const cases = (): Case[] => {
      const a = A.orgId;
      const b = B.orgId;
      return [
        [
          'orgs.get: malformed org id',
          () => A.gh.api.orgs.get.query({ orgId: 'acme' }),
          'BAD_REQUEST',
        ],
        [
          'orgs.get: org id of the wrong kind',
          () => A.gh.api.orgs.get.query({ orgId: w1 }),
          'BAD_REQUEST',
        ],
        [
          'orgs.get: wrong type',
          () => A.gh.api.orgs.get.query({ orgId: 42 } as never),
          'BAD_REQUEST',
        ],
        [
          'orgs.update: empty name',
          () => A.gh.api.orgs.update.mutate({ orgId: a, name: '' }),
          'BAD_REQUEST',
        ],
        [
          'orgs.update: blank name',
          () => A.gh.api.orgs.update.mutate({ orgId: a, name: '   ' }),
          'BAD_REQUEST',
        ],
        [
          'orgs.update: bad slug',
          () => A.gh.api.orgs.update.mutate({ orgId: a, slug: 'Not A Slug' }),
          'BAD_REQUEST',
        ],
        [
          'orgs.update: avatar not a URL',
          () => A.gh.api.orgs.update.mutate({ orgId: a, avatarUrl: 'face.png' }),
          'BAD_REQUEST',
        ],
        [
          'scopes.create: avatar not a URL',
          () =>
            B.gh.api.scopes.create.mutate({
              orgId: b,
              kind: 'workspace',
              name: 'Pictured',
              avatarUrl: 'face.png',
            }),
          'BAD_REQUEST',
        ],
        [
          'scopes.update: avatar not a URL',
          () => B.gh.api.scopes.update.mutate({ orgId: b, scopeId: w1, avatarUrl: 'face.png' }),
          'BAD_REQUEST',
        ],
        [
          'members.add: not an email',
          () => A.gh.api.members.add.mutate({ orgId: a, email: 'not-an-email' }),
          'BAD_REQUEST',
        ],
        [
          'members.add: unknown role',
          () =>
            A.gh.api.members.add.mutate({
              orgId: a,
              email: email('u'),
              roles: [{ role: 'wizard' }],
            }),
          'BAD_REQUEST',
        ],
        [
          'members.add: roles not an array',
          () =>
            A.gh.api.members.add.mutate({ orgId: a, email: email('u'), roles: 'viewer' } as never),
          'BAD_REQUEST',
        ],
        [
          'members.add: two primary roles at one scope',
          () =>
            A.gh.api.members.add.mutate({
              orgId: a,
              email: email('u'),
              roles: [{ role: 'editor' }, { role: 'viewer' }],
            }),
          'BAD_REQUEST',
        ],
        [
          'members.add: environment on a preset without environments',
          () =>
            A.gh.api.members.add.mutate({
              orgId: a,
              email: email('u'),
              roles: [{ role: 'viewer', environment: 'live' }],
            }),
          'BAD_REQUEST',
        ],
        [
          'members.add: unknown environment',
          () =>
            A.gh.api.members.add.mutate({
              orgId: a,
              email: email('u'),
              roles: [{ role: 'viewer', environment: 'production' as never }],
            }),
          'BAD_REQUEST',
        ],
        [
          'members.setRoles: malformed user id',
          () => A.gh.api.members.setRoles.mutate({ orgId: a, userId: 'bob', roles: [] }),
          'BAD_REQUEST',
        ],
        [
          'members.setRoles: unknown user',
          () =>
            A.gh.api.members.setRoles.mutate({
              orgId: a,
              userId: unknownUser,
              roles: [{ role: 'viewer' }],
            }),
          'NOT_FOUND',
        ],
        [
          'members.remove: unknown user',
          () => A.gh.api.members.remove.mutate({ orgId: a, userId: unknownUser }),
          'NOT_FOUND',
        ],
        [
          'members.list: limit 0',
          () => A.gh.api.members.list.query({ orgId: a, limit: 0 }),
          'BAD_REQUEST',
        ],
        [
          'members.list: limit 1001',
          () => A.gh.api.members.list.query({ orgId: a, limit: 1001 }),
          'BAD_REQUEST',
        ],
        [
          'members.list: fractional limit',
          () => A.gh.api.members.list.query({ orgId: a, limit: 2.5 }),
          'BAD_REQUEST',
        ],
        [
          'scopes.create: unknown scope kind',
          () => B.gh.api.scopes.create.mutate({ orgId: b, kind: 'galaxy', name: 'G' }),
          'BAD_REQUEST',
        ],
        [
          'scopes.create: the root kind',
          () => B.gh.api.scopes.create.mutate({ orgId: b, kind: 'organization', name: 'G' }),
          'BAD_REQUEST',
        ],
        [
          'scopes.create: kind not allowed under that parent',
          () =>
            B.gh.api.scopes.create.mutate({ orgId: b, kind: 'workspace', name: 'G', parentId: w1 }),
          'BAD_REQUEST',
        ],
        [
          'scopes.create: empty name',
          () => B.gh.api.scopes.create.mutate({ orgId: b, kind: 'workspace', name: '' }),
          'BAD_REQUEST',
        ],
        [
          'scopes.create: blank name',
          () => B.gh.api.scopes.create.mutate({ orgId: b, kind: 'workspace', name: '  \t ' }),
          'BAD_REQUEST',
        ],
        [
          'scopes.create: unknown parent',
          () =>
            B.gh.api.scopes.create.mutate({
              orgId: b,
              kind: 'workspace',
              name: 'G',
              parentId: unknownScope,
            }),
          'NOT_FOUND',
        ],
        [
          'scopes.update: blank name',
          () => B.gh.api.scopes.update.mutate({ orgId: b, scopeId: w1, name: ' ' }),
          'BAD_REQUEST',
        ],
        [
          'scopes.delete: the root',
          () => B.gh.api.scopes.delete.mutate({ orgId: b, scopeId: b }),
          'BAD_REQUEST',
        ],
        [
          'scopes.delete: unknown scope',
          () => B.gh.api.scopes.delete.mutate({ orgId: b, scopeId: unknownScope }),
          'NOT_FOUND',
        ],
        [
          'scopes.list: limit out of range',
          () => B.gh.api.scopes.list.query({ orgId: b, limit: 100_000 }),
          'BAD_REQUEST',
        ],
        [
          'roles.create: unknown permission',
          () => A.gh.api.roles.create.mutate({ orgId: a, name: 'R', permissions: ['flows.fly'] }),
          'BAD_REQUEST',
        ],
        [
          'roles.create: no permissions',
          () => A.gh.api.roles.create.mutate({ orgId: a, name: 'R', permissions: [] }),
          'BAD_REQUEST',
        ],
        [
          'roles.create: unknown scope kind',
          () =>
            A.gh.api.roles.create.mutate({
              orgId: a,
              name: 'R',
              permissions: ['flows.read'],
              scopeKinds: ['galaxy'],
            }),
          'BAD_REQUEST',
        ],
        [
          'roles.create: blank name',
          () => A.gh.api.roles.create.mutate({ orgId: a, name: ' ', permissions: ['flows.read'] }),
          'BAD_REQUEST',
        ],
        [
          'assignments.assign: unknown role',
          () =>
            A.gh.api.assignments.assign.mutate({
              orgId: a,
              subjectId: A.ownerUserId,
              role: 'wizard',
            }),
          'BAD_REQUEST',
        ],
        [
          'assignments.assign: role not allowed at that scope kind',
          () =>
            B.gh.api.assignments.assign.mutate({
              orgId: b,
              subjectId: bUser,
              role: 'workspace_admin',
            }),
          'BAD_REQUEST',
        ],
        [
          'assignments.assign: unknown subject',
          () =>
            A.gh.api.assignments.assign.mutate({
              orgId: a,
              subjectId: unknownUser,
              role: 'viewer',
            }),
          'NOT_FOUND',
        ],
        [
          'assignments.assign: unknown scope',
          () =>
            B.gh.api.assignments.assign.mutate({
              orgId: b,
              subjectId: bUser,
              role: 'flows_manager',
              scopeId: unknownScope,
            }),
          'NOT_FOUND',
        ],
        [
          'assignments.revoke: malformed id',
          () => A.gh.api.assignments.revoke.mutate({ orgId: a, assignmentId: 'x; drop table' }),
          'BAD_REQUEST',
        ],
        [
          'assignments.revoke: unknown id',
          () =>
            A.gh.api.assignments.revoke.mutate({
              orgId: a,
              assignmentId: 'asg_00000000000000000000000000',
            }),
          'NOT_FOUND',
        ],
        [
          'groups.create: empty name',
          () => B.gh.api.groups.create.mutate({ orgId: b, name: '' }),
          'BAD_REQUEST',
        ],
        [
          'groups.create: blank name',
          () => B.gh.api.groups.create.mutate({ orgId: b, name: '   ' }),
          'BAD_REQUEST',
        ],
        [
          'groups.create: limited to no scope',
          () => B.gh.api.groups.create.mutate({ orgId: b, name: 'G', limitedTo: [] }),
          'BAD_REQUEST',
        ],
        [
          'groups.addMembers: no members',
          () => B.gh.api.groups.addMembers.mutate({ orgId: b, groupId: bGroup, memberIds: [] }),
          'BAD_REQUEST',
        ],
        [
          'groups.addMembers: a group into a group',
          () =>
            B.gh.api.groups.addMembers.mutate({ orgId: b, groupId: bGroup, memberIds: [bGroup] }),
          'BAD_REQUEST',
        ],
        [
          'groups.addMembers: unknown member',
          () =>
            B.gh.api.groups.addMembers.mutate({
              orgId: b,
              groupId: bGroup,
              memberIds: [unknownUser],
            }),
          'NOT_FOUND',
        ],
        [
          'groups.delete: malformed id',
          () => B.gh.api.groups.delete.mutate({ orgId: b, groupId: 'team-1' }),
          'BAD_REQUEST',
        ],
        [
          'apiClients.create: blank name',
          () => A.gh.api.apiClients.create.mutate({ orgId: a, name: '  ' }),
          'BAD_REQUEST',
        ],
        [
          'apiClients.create: unknown role',
          () =>
            A.gh.api.apiClients.create.mutate({ orgId: a, name: 'c', roles: [{ role: 'wizard' }] }),
          'BAD_REQUEST',
        ],
        [
          'apiClients.rotate: unknown client',
          () =>
            A.gh.api.apiClients.rotate.mutate({
              orgId: a,
              clientId: 'cli_00000000000000000000000000',
            }),
          'NOT_FOUND',
        ],
        [
          'audit.list: limit out of range',
          () => A.gh.api.audit.list.query({ orgId: a, limit: 5000 }),
          'BAD_REQUEST',
        ],
        [
          'audit.list: bad cursor',
          () => A.gh.api.audit.list.query({ orgId: a, cursor: 'abc' }),
          'BAD_REQUEST',
        ],
        [
          'audit.list: bad date',
          () => A.gh.api.audit.list.query({ orgId: a, from: 'yesterday' }),
          'BAD_REQUEST',
        ],
        [
          'authz.check: permission without an action',
          () =>
            A.gh.api.authz.check.query({
              orgId: a,
              subject: A.ownerUserId,
              permission: 'flows',
              scope: a,
            }),
          'BAD_REQUEST',
        ],
        [
          'authz.check: unknown environment',
          () =>
            A.gh.api.authz.check.query({
              orgId: a,
              subject: A.ownerUserId,
              permission: 'flows.read',
              scope: a,
              environment: 'prod' as never,
            }),
          'BAD_REQUEST',
        ],
        [
          'authz.check: minRevision 0',
          () =>
            A.gh.api.authz.check.query({
              orgId: a,
              subject: A.ownerUserId,
              permission: 'flows.read',
              scope: a,
              minRevision: 0,
            }),
          'BAD_REQUEST',
        ],
        [
          'authz.check: negative minRevision',
          () =>
            A.gh.api.authz.check.query({
              orgId: a,
              subject: A.ownerUserId,
              permission: 'flows.read',
              scope: a,
              minRevision: -3,
            }),
          'BAD_REQUEST',
        ],
        [
          'authz.check: minRevision not reached yet',
          () =>
            A.gh.api.authz.check.query({
              orgId: a,
              subject: A.ownerUserId,
              permission: 'flows.read',
              scope: a,
              minRevision: 1_000_000,
            }),
          'BAD_REQUEST',
        ],
        [
          'authz.check: missing subject',
          () =>
            A.gh.api.authz.check.query({ orgId: a, permission: 'flows.read', scope: a } as never),
          'BAD_REQUEST',
        ],
        [
          'authz.checkMany: no checks',
          () => A.gh.api.authz.checkMany.query({ orgId: a, checks: [] }),
          'BAD_REQUEST',
        ],
        [
          'authz.checkMany: minRevision not reached yet',
          () =>
            A.gh.api.authz.checkMany.query({
              orgId: a,
              minRevision: 999_999,
              checks: [{ subject: A.ownerUserId, permission: 'flows.read', scope: a }],
            }),
          'BAD_REQUEST',
        ],
        [
          'authz.listScopes: limit 0',
          () =>
            A.gh.api.authz.listScopes.query({
              orgId: a,
              subject: A.ownerUserId,
              permission: 'flows.read',
              limit: 0,
            }),
          'BAD_REQUEST',
        ],
        [
          'authz.listScopes: limit 10001',
          () =>
            A.gh.api.authz.listScopes.query({
              orgId: a,
              subject: A.ownerUserId,
              permission: 'flows.read',
              limit: 10_001,
            }),
          'BAD_REQUEST',
        ],
        [
          'authz.listSubjects: unknown subject type',
          () =>
            A.gh.api.authz.listSubjects.query({
              orgId: a,
              scope: a,
              permission: 'flows.read',
              type: 'robot' as never,
            }),
          'BAD_REQUEST',
        ],
        [
          'authz.snapshot: minRevision not reached yet',
          () => A.gh.api.authz.snapshot.query({ orgId: a, minRevision: 1_000_000 }),
          'BAD_REQUEST',
        ],
      ];
    };

    it('R6 C6 T2 M5 K1: every bad input to the org routers', async () => {
      const before = { a: await revisionOf(A), b: await revisionOf(B) };
      const wrong: string[] = [];
      for (const [name, call, code] of cases()) {
        const err = await failure(call());
        if (err.code !== code)
          wrong.push(`${name}: ${err.code} (${err.message}), expected ${code}`);
        expect(err.code, name).not.toBe('INTERNAL_SERVER_ERROR');
        expect(err.httpStatus, name).toBeLessThan(500);
      }
      expect(wrong).toEqual([]);
      expect({ a: await revisionOf(A), b: await revisionOf(B) }).toEqual(before);
    });

    // Regression (packages/domain): a well-formed but unknown scope id was answered FORBIDDEN ("unknown
    // scope scp_…") instead of NOT_FOUND where the use case authorizes at the scope before
    // looking it up: members.add (roles[].scopeId), groups.create (limitedTo) and
    // assignments.list (scopeId). scopes.create, members.remove, assignments.assign and
    // scopes.delete answer NOT_FOUND for the same id.
    it('T2 M5 G1: an unknown scope id is NOT_FOUND everywhere (members.add, groups.create, assignments.list)', async () => {
      const before = { a: await revisionOf(A), b: await revisionOf(B) };
      const codes = {
        'members.add': (
          await failure(
            A.gh.api.members.add.mutate({
              orgId: A.orgId,
              email: email('u'),
              roles: [{ role: 'viewer', scopeId: unknownScope }],
            }),
          )
        ).code,
        'groups.create': (
          await failure(
            B.gh.api.groups.create.mutate({ orgId: B.orgId, name: 'G', limitedTo: [unknownScope] }),
          )
        ).code,
        'assignments.list': (
          await failure(B.gh.api.assignments.list.query({ orgId: B.orgId, scopeId: unknownScope }))
        ).code,
      };
      expect({ a: await revisionOf(A), b: await revisionOf(B) }).toEqual(before);
      expect(codes).toEqual({
        'members.add': 'NOT_FOUND',
        'groups.create': 'NOT_FOUND',
        'assignments.list': 'NOT_FOUND',
      });
    });

    it('T1: bad org creation is BAD_REQUEST and creates nothing', async () => {
      const count = async () => (await t.admin.api.orgs.list.query({ limit: 1000 })).items.length;
      const before = await count();
      const bad: Array<[string, () => Promise<unknown>]> = [
        [
          'wrong type',
          () => t.admin.api.orgs.create.mutate({ name: 123, preset: 'idnow' } as never),
        ],
        ['unknown preset', () => t.admin.api.orgs.create.mutate({ name: 'X', preset: 'nope' })],
        ['empty name', () => t.admin.api.orgs.create.mutate({ name: '', preset: 'idnow' })],
        ['blank name', () => t.admin.api.orgs.create.mutate({ name: '   ', preset: 'idnow' })],
        [
          'name too long',
          () => t.admin.api.orgs.create.mutate({ name: 'x'.repeat(201), preset: 'idnow' }),
        ],
        [
          'bad slug',
          () => t.admin.api.orgs.create.mutate({ name: 'X', preset: 'idnow', slug: '-bad-' }),
        ],
        [
          'owner email invalid',
          () =>
            t.admin.api.orgs.create.mutate({
              name: 'X',
              preset: 'idnow',
              owner: { email: 'nobody' },
            }),
        ],
        ['missing preset', () => t.admin.api.orgs.create.mutate({ name: 'X' } as never)],
        ['orgs.list limit 0', () => t.admin.api.orgs.list.query({ limit: 0 })],
      ];
      for (const [what, call] of bad) {
        expect(await failure(call()), what).toMatchObject({ code: 'BAD_REQUEST' });
      }
      const err = await failure(t.admin.api.orgs.create.mutate({ name: 'X', preset: 'nope' }));
      expect(err.message).toMatch(/unknown preset "nope"/);
      expect(await count()).toBe(before);
      expect(
        await failure(t.admin.api.orgs.get.query({ orgId: 'org_00000000000000000000000000' })),
      ).toMatchObject({
        code: 'NOT_FOUND',
      });
      // An API client may not create organizations at all.
      expect(
        await failure(A.gh.api.orgs.create.mutate({ name: 'X', preset: 'idnow' })),
      ).toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(await count()).toBe(before);
    });
  });

  // -------------------------------------------------------------------------------------------
  // Regression (apps/api): tRPC error responses carried the server's stack trace (file paths, library
  // internals) in `error.data.stack` whenever NODE_ENV is not "production", which includes a
  // plain `pnpm start` / `node apps/server/dist/main.js`; even an unauthenticated caller gets one.
  // initTRPC...create() needs `isDev: false` (or the formatter must drop `stack`).
  it('X2: error responses never carry a server stack trace', async () => {
    const stackOf = async (call: Promise<unknown>) => {
      try {
        await call;
      } catch (e) {
        return ((e as TRPCClientError<AppRouter>).data as Record<string, unknown> | undefined)
          ?.stack;
      }
      throw new Error('expected a failure');
    };
    const anonymous = t.connect('not-a-key');
    expect(await stackOf(anonymous.api.orgs.list.query())).toBeUndefined();
    expect(await stackOf(A.gh.api.orgs.get.query({ orgId: B.orgId }))).toBeUndefined();
  });

  describe('K1: authentication', () => {
    it('K1: no key, a malformed header, a wrong key or a wrong admin key is UNAUTHORIZED', async () => {
      const withoutAuth: typeof fetch = (input, init) => {
        const headers = new Headers(init?.headers);
        headers.delete('authorization');
        return fetch(input, { ...init, headers });
      };
      const { createGatehouse } = await import('@gatehouse/sdk');
      const noKey = createGatehouse({ url: t.url, apiKey: 'unused', fetch: withoutAuth });
      expect(await noKey.api.health.query()).toEqual({ ok: true });
      const before = await revisionOf(A);
      const keys = [
        'two words',
        'not-a-key',
        `${A.clientId}.wrongsecret`,
        `${A.clientKey}x`,
        'cli_00000000000000000000000000.secret',
        `${t.adminKey}-wrong`,
      ];
      const clients: Array<[string, Gatehouse]> = [
        ['no key', noKey],
        ...keys.map((k): [string, Gatehouse] => [k, t.connect(k)]),
      ];
      for (const [what, gh] of clients) {
        expect(await failure(gh.api.orgs.get.query({ orgId: A.orgId })), what).toMatchObject({
          code: 'UNAUTHORIZED',
        });
        expect(
          await failure(gh.api.members.add.mutate({ orgId: A.orgId, email: email('x') })),
          what,
        ).toMatchObject({
          code: 'UNAUTHORIZED',
        });
        expect(await failure(gh.api.orgs.list.query()), what).toMatchObject({
          code: 'UNAUTHORIZED',
        });
      }
      expect(await revisionOf(A)).toBe(before);
    });

    it('K1: a revoked key is UNAUTHORIZED at once, and checks for that client are denied', async () => {
      const { orgId } = A;
      const issued = A.revisions.note(
        await A.gh.api.apiClients.create.mutate({
          orgId,
          name: 'short-lived',
          roles: [{ role: 'viewer' }],
        }),
      );
      const gh = t.connect(issued.key);
      expect((await gh.api.orgs.get.query({ orgId })).id).toBe(orgId);
      const { revision } = await A.gh.api.apiClients.revoke.mutate({
        orgId,
        clientId: issued.client.id,
      });
      A.revisions.note({ result: null, revision });
      expect(await failure(gh.api.orgs.get.query({ orgId }))).toMatchObject({
        code: 'UNAUTHORIZED',
      });
      const { result } = await A.gh.api.authz.check.query({
        orgId,
        subject: issued.client.id,
        permission: 'flows.read',
        scope: orgId,
        minRevision: revision,
      });
      expect(result).toMatchObject({ allowed: false, code: 'inactive_subject' });
      const listed = (await A.gh.api.apiClients.list.query({ orgId })).find(
        (c) => c.id === issued.client.id,
      );
      expect(listed?.revokedAt).not.toBeNull();
    });

    it('K1: after a rotation the old key is UNAUTHORIZED and the new one works', async () => {
      const { orgId } = A;
      const issued = A.revisions.note(
        await A.gh.api.apiClients.create.mutate({
          orgId,
          name: 'rotating',
          roles: [{ role: 'viewer' }],
        }),
      );
      const rotated = A.revisions.note(
        await A.gh.api.apiClients.rotate.mutate({ orgId, clientId: issued.client.id }),
      );
      expect(rotated.key).not.toBe(issued.key);
      expect(rotated.client.rotatedAt).not.toBeNull();
      expect(await failure(t.connect(issued.key).api.orgs.get.query({ orgId }))).toMatchObject({
        code: 'UNAUTHORIZED',
      });
      expect((await t.connect(rotated.key).api.orgs.get.query({ orgId })).id).toBe(orgId);
      // The secret is never listed.
      const listed = JSON.stringify(await A.gh.api.apiClients.list.query({ orgId }));
      expect(listed).not.toContain(rotated.key.split('.')[1]!);
    });
  });

  // -------------------------------------------------------------------------------------------
  it("C6 M6: after each write, authz.check with that write's minRevision reflects it", async () => {
    const { gh, orgId, ownerUserId } = B;
    const expectAt = async (
      write: { revision: number },
      q: { subject: string; permission: string; scope: string },
      allowed: boolean,
      code?: string,
    ) => {
      const { revision, result } = await gh.api.authz.check.query({
        orgId,
        ...q,
        minRevision: write.revision,
      });
      expect(revision).toBeGreaterThanOrEqual(write.revision);
      expect(result.allowed, `${q.subject} ${q.permission} at ${q.scope}`).toBe(allowed);
      if (code) expect(result.code).toBe(code);
    };
    const added = await gh.api.members.add.mutate({
      orgId,
      email: email('ryw'),
      roles: [{ role: 'org_user' }, { role: 'workspace_viewer', scopeId: w1 }],
    });
    const u = added.result.userId;
    await expectAt(added, { subject: u, permission: 'flows.read', scope: w1 }, true);
    const addOn = await gh.api.assignments.assign.mutate({
      orgId,
      subjectId: u,
      role: 'flows_manager',
      scopeId: w1,
    });
    await expectAt(addOn, { subject: u, permission: 'flows.write', scope: w1 }, true);
    const revoked = await gh.api.assignments.revoke.mutate({
      orgId,
      assignmentId: addOn.result.id,
    });
    await expectAt(revoked, { subject: u, permission: 'flows.write', scope: w1 }, false);
    const promoted = await gh.api.members.setRoles.mutate({
      orgId,
      userId: u,
      scopeId: w1,
      roles: [{ role: 'workspace_editor' }],
    });
    await expectAt(promoted, { subject: u, permission: 'assets.write', scope: w1 }, true);
    const team = await gh.api.groups.create.mutate({ orgId, name: 'W2 admins' });
    const teamRole = await gh.api.assignments.assign.mutate({
      orgId,
      subjectId: team.result.id,
      role: 'workspace_admin',
      scopeId: w2,
    });
    await expectAt(teamRole, { subject: u, permission: 'members.invite', scope: w2 }, false);
    const joined = await gh.api.groups.addMembers.mutate({
      orgId,
      groupId: team.result.id,
      memberIds: [u],
    });
    await expectAt(joined, { subject: u, permission: 'members.invite', scope: w2 }, true);
    const left = await gh.api.groups.removeMembers.mutate({
      orgId,
      groupId: team.result.id,
      memberIds: [u],
    });
    await expectAt(left, { subject: u, permission: 'members.invite', scope: w2 }, false);
    const w3 = await gh.api.scopes.create.mutate({ orgId, kind: 'workspace', name: 'W3' });
    await expectAt(
      w3,
      { subject: ownerUserId, permission: 'flows.write', scope: w3.result.id },
      true,
    );
    await expectAt(w3, { subject: u, permission: 'scopes.read', scope: w3.result.id }, false);
    const gone = await gh.api.scopes.delete.mutate({ orgId, scopeId: w3.result.id });
    await expectAt(
      gone,
      { subject: ownerUserId, permission: 'flows.write', scope: w3.result.id },
      false,
      'unknown_scope',
    );
    const deactivated = await gh.api.members.deactivate.mutate({ orgId, userId: u });
    await expectAt(
      deactivated,
      { subject: u, permission: 'flows.read', scope: w1 },
      false,
      'inactive_subject',
    );
    const reactivated = await gh.api.members.reactivate.mutate({ orgId, userId: u });
    await expectAt(reactivated, { subject: u, permission: 'flows.read', scope: w1 }, true);
    const removed = await gh.api.members.remove.mutate({ orgId, userId: u });
    await expectAt(
      removed,
      { subject: u, permission: 'flows.read', scope: w1 },
      false,
      'unknown_subject',
    );
    B.revisions.note(removed);
    // Revisions only go up, one per write.
    const revs = [
      added,
      addOn,
      revoked,
      promoted,
      team,
      teamRole,
      joined,
      left,
      w3,
      gone,
      deactivated,
      reactivated,
      removed,
    ].map((w) => w.revision);
    expect(revs).toEqual([...revs].sort((x, y) => x - y));
    expect(new Set(revs).size).toBe(revs.length);
  });

  // -------------------------------------------------------------------------------------------
  it('C7 X1: loadSnapshot + local can() agrees with authz.checkMany on every subject × permission × scope', async () => {
    // An org with environments too (seed 003), so environment handling is compared as well.
    const f = await createOrgFixture(t, {
      name: 'Local checks',
      preset: 'idwise',
      clientRole: 'administrator',
    });
    const { gh, orgId, revisions } = f;
    const uk = revisions.note(
      await gh.api.scopes.create.mutate({ orgId, kind: 'tenant', name: 'UK' }),
    ).id;
    revisions.note(await gh.api.scopes.create.mutate({ orgId, kind: 'tenant', name: 'UAE' }));
    const grp = revisions.note(
      await gh.api.groups.create.mutate({ orgId, name: 'UK reviewers', limitedTo: [uk] }),
    ).id;
    const person = revisions.note(
      await gh.api.members.add.mutate({ orgId, email: email('reviewer') }),
    ).userId;
    revisions.note(
      await gh.api.groups.addMembers.mutate({ orgId, groupId: grp, memberIds: [person] }),
    );
    revisions.note(
      await gh.api.assignments.assign.mutate({
        orgId,
        subjectId: grp,
        role: 'view_verification',
        scopeId: uk,
        environment: 'live',
      }),
    );
    revisions.note(
      await gh.api.assignments.assign.mutate({
        orgId,
        subjectId: person,
        role: 'analytics',
        scopeId: uk,
        environment: null,
      }),
    );
    revisions.note(
      await gh.api.assignments.assign.mutate({
        orgId,
        subjectId: person,
        role: 'flow_builder',
        environment: 'sandbox',
      }),
    );

    for (const org of [B, f]) {
      const local = await org.gh.loadSnapshot(org.orgId, org.revisions.latest);
      expect(local.revision).toBeGreaterThanOrEqual(org.revisions.latest);
      const snap = local.engine.snapshot;
      const subjects = [...snap.subjects.map((s) => s.id), 'usr_00000000000000000000000000'];
      const permissions = [...snap.permissions.map((p) => p.name), 'nothing.here'];
      const scopes = [...snap.scopes.map((s) => s.id), 'scp_00000000000000000000000000'];
      const envs = org === f ? (['live', 'sandbox', undefined] as const) : ([undefined] as const);
      const checks = subjects.flatMap((subject) =>
        permissions.flatMap((permission) =>
          scopes.flatMap((scope) =>
            envs.map((environment) => ({
              subject,
              permission,
              scope,
              ...(environment ? { environment } : {}),
            })),
          ),
        ),
      );
      expect(checks.length).toBeLessThanOrEqual(10_000);
      const { revision, result } = await org.gh.api.authz.checkMany.query({
        orgId: org.orgId,
        checks,
        minRevision: local.revision,
      });
      expect(revision).toBe(local.revision);
      const disagreements = checks.flatMap((c, i) => {
        const here = local.check(c);
        const there = result[i]!;
        return here.allowed === there.allowed && here.code === there.code
          ? []
          : [`${JSON.stringify(c)}: local ${here.code}, server ${there.code}`];
      });
      expect(disagreements).toEqual([]);
      expect(result.some((d) => d.allowed)).toBe(true);
      expect(result.some((d) => !d.allowed)).toBe(true);
      // And the convenience form.
      expect(local.can(org.ownerUserId, snap.permissions[0]!.name, org.orgId)).toBe(true);
    }
  });
});
