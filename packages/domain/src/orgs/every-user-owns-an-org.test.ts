/**
 * M7 seed 004 "each user must be an Owner of at least one organization" (identity-platform, the
 * only preset with `everyUserOwnsAnOrg`): joining by members.add, an invitation or SCIM gives a
 * user who owns no organization one of their own, in the same transaction; no write may leave a
 * user who owned an organization owning none (demote, revoke, replace, remove, deactivate, SCIM
 * deprovisioning, group changes), also when two writes in two orgs race. Other presets are
 * untouched. On PGlite and PostgreSQL.
 */
import { presets, requiredRoleHolders } from '@gatehouse/core';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import {
  acceptInvitation,
  addGroupMembers,
  addMember,
  assignRole,
  createGroup,
  createOrg,
  createScimToken,
  createScope,
  deleteGroup,
  deprovisionDirectoryUser,
  inviteMember,
  listAudit,
  provisionDirectoryUser,
  readQueuedEmail,
  removeGroupMembers,
  removeMember,
  replaceDirectoryUser,
  revokeRole,
  setMemberRoles,
  setMemberStatus,
  updateGroup,
  verifyAuditChain,
} from '../index.js';
import { ownersElsewhere } from '../rules/index.js';
import { createServices, type Services } from '../services.js';

const admin: Caller = {
  principal: { kind: 'instance_admin' },
  source: 'api',
  requestId: 'req_seed004',
};
const RULE = /^seed 004: every user must own at least one organization; usr_\w+ would own none/;
let seq = 0;
const tag = () => `${++seq}${Math.random().toString(36).slice(2, 6)}`;
const email = (who: string) => `${who}-${tag()}@seed004.test`;

describe.each(testBackends())(
  'M7 seed 004: every user owns an organization, on $name',
  (backend) => {
    let g: Gatedb;
    let s: Services;
    beforeAll(async () => {
      g = await backend.open();
      s = createServices(g.db, { publicUrl: 'https://gatehouse.acme.test' });
    });
    afterAll(async () => {
      await g?.close();
    });

    const inOrg = (orgId: string, caller: Caller = admin) => ({ services: s, caller, orgId });

    /** An identity-platform org created by the instance admin with a first Owner. */
    async function ipOrg(name = 'Acme', preset = 'identity-platform') {
      const ownerEmail = email('owner');
      const { result } = await createOrg(
        { services: s, caller: admin },
        { name: `${name} ${tag()}`, preset, owner: { email: ownerEmail } },
      );
      const owner = await userId(ownerEmail);
      return { orgId: result.id, owner };
    }

    async function userId(address: string): Promise<string> {
      const row = await g.db
        .selectFrom('users')
        .select('id')
        .where('email_lower', '=', address.toLowerCase())
        .executeTakeFirstOrThrow();
      return row.id;
    }

    async function emailOf(user: string): Promise<string> {
      const row = await g.db
        .selectFrom('users')
        .select('email')
        .where('id', '=', user)
        .executeTakeFirstOrThrow();
      return row.email;
    }

    /** The orgs of the preset the user owns (active member, the owner role at the root), by id. */
    async function owned(user: string, preset = 'identity-platform'): Promise<string[]> {
      const out = await ownedByEngines(user, preset);
      // The SQL count the rule uses (rules/ownership.ts) agrees with the engines.
      for (const exceptOrgId of ['org_none', ...out]) {
        const counted = await g.db
          .transaction()
          .execute((trx) =>
            ownersElsewhere(trx, { userIds: [user], preset: presets[preset]!, exceptOrgId }),
          );
        expect(counted.has(user), `${user} owns an org other than ${exceptOrgId}`).toBe(
          out.some((id) => id !== exceptOrgId),
        );
      }
      return out;
    }

    /** `owned`, read from each org's engine (the last-Owner invariant's count). */
    async function ownedByEngines(user: string, preset: string): Promise<string[]> {
      const orgs = await g.db
        .selectFrom('members')
        .innerJoin('orgs', 'orgs.id', 'members.org_id')
        .select('orgs.id')
        .where('members.user_id', '=', user)
        .where('members.status', '=', 'active')
        .where('orgs.preset', '=', preset)
        .execute();
      const out: string[] = [];
      for (const o of orgs) {
        const engine = await s.engines.get(o.id);
        const owner = presets[preset]!.ownerRole;
        if (requiredRoleHolders(engine.snapshot, owner).includes(user)) out.push(o.id);
      }
      return out.sort();
    }

    /** How many orgs the user is a member of. */
    async function memberships(user: string): Promise<number> {
      const rows = await g.db
        .selectFrom('members')
        .select('org_id')
        .where('user_id', '=', user)
        .execute();
      return rows.length;
    }

    async function revisionOf(orgId: string): Promise<number> {
      const row = await g.db
        .selectFrom('orgs')
        .select('revision')
        .where('id', '=', orgId)
        .executeTakeFirstOrThrow();
      return row.revision;
    }

    /** The one org the user owns besides `except`: their personal org. */
    async function personalOrg(user: string, ...except: string[]): Promise<string> {
      const mine = (await owned(user)).filter((id) => !except.includes(id));
      expect(mine).toHaveLength(1);
      return mine[0]!;
    }

    async function ownerAssignment(orgId: string, user: string): Promise<string> {
      const row = await g.db
        .selectFrom('assignments')
        .select('id')
        .where('org_id', '=', orgId)
        .where('subject_id', '=', user)
        .where('role_key', '=', 'owner')
        .where('scope_id', '=', orgId)
        .executeTakeFirstOrThrow();
      return row.id;
    }

    /**
     * Runs `writes` at the same moment. On PostgreSQL another transaction holds the rows of
     * `orgIds` first, so every write waits at its org lock and all start together when it lets go
     * (without the user lock in rules/ownership.ts both count before either commits). PGlite has
     * one connection: the writes run one after the other.
     */
    async function released(
      orgIds: readonly string[],
      ...writes: Array<() => Promise<unknown>>
    ): Promise<PromiseSettledResult<unknown>[]> {
      if (backend.name !== 'postgres') return Promise.allSettled(writes.map((w) => w()));
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let locked!: () => void;
      const holding = new Promise<void>((r) => {
        locked = r;
      });
      const blocker = g.db.transaction().execute(async (trx) => {
        await trx.selectFrom('orgs').select('id').where('id', 'in', orgIds).forUpdate().execute();
        locked();
        await held;
      });
      await holding;
      const settled = Promise.allSettled(writes.map((w) => w()));
      await new Promise((r) => setTimeout(r, 300));
      release();
      await blocker;
      return settled;
    }

    /** Expects `write` to be refused by the seed 004 rule and to change nothing in `orgId`. */
    async function expectRefused(orgId: string, write: () => Promise<unknown>): Promise<void> {
      const before = await revisionOf(orgId);
      const engine = await s.engines.get(orgId);
      await expect(write()).rejects.toMatchObject({
        code: 'INVARIANT',
        message: expect.stringMatching(RULE),
      });
      expect(await revisionOf(orgId)).toBe(before);
      expect((await s.engines.get(orgId)).snapshot.assignments).toEqual(
        engine.snapshot.assignments,
      );
    }

    it('M7 M5 seed 004: a member added with another role gets an organization of their own as its Owner, audited and announced', async () => {
      const a = await ipOrg();
      const address = email('ana');
      const { result: ana } = await addMember(inOrg(a.orgId), { email: address, name: 'Ana Lima' });
      expect(ana.roles.map((r) => r.role)).toEqual(['member']);
      const p = await personalOrg(ana.userId);
      const org = await g.db
        .selectFrom('orgs')
        .selectAll()
        .where('id', '=', p)
        .executeTakeFirstOrThrow();
      expect(org).toMatchObject({ name: "Ana Lima's organization", preset: 'identity-platform' });
      expect(org.slug).toMatch(/^ana-lima-s-organization(-\d+)?$/);
      // The user is its only member, as Owner, and it has a root scope like any org.
      const engine = await s.engines.get(p);
      expect(engine.snapshot.subjects.map((x) => x.id)).toEqual([ana.userId]);
      expect(requiredRoleHolders(engine.snapshot, 'owner')).toEqual([ana.userId]);
      expect(engine.snapshot.scopes).toEqual([
        expect.objectContaining({ id: p, parentId: null, kind: 'organization' }),
      ]);
      // Its own audit chain starts with its creation, as the system, with the triggering call's
      // source and request id.
      const audit = (await listAudit(inOrg(p))).items.sort((x, y) => x.seq - y.seq);
      expect(audit.map((e) => [e.seq, e.action, e.entityType])).toEqual([
        [1, 'Created', 'org'],
        [2, 'MemberAdded', 'member'],
        [3, 'RoleAssigned', 'assignment'],
      ]);
      expect(audit[0]).toMatchObject({
        actorId: 'system',
        source: 'api',
        requestId: 'req_seed004',
        after: { personalFor: ana.userId, joinedOrgId: a.orgId, preset: 'identity-platform' },
      });
      expect((await verifyAuditChain(inOrg(p))).ok).toBe(true);
      const events = await g.db
        .selectFrom('outbox')
        .select('type')
        .where('org_id', '=', p)
        .orderBy('id')
        .execute();
      expect(events.map((e) => e.type)).toEqual(['org.created', 'member.added']);
      // A user without a name: the email names it.
      const { result: bea } = await addMember(inOrg(a.orgId), { email: email('bea') });
      const pb = await personalOrg(bea.userId);
      const named = await g.db
        .selectFrom('orgs')
        .select('name')
        .where('id', '=', pb)
        .executeTakeFirstOrThrow();
      expect(named.name).toMatch(/^bea-\w+@seed004\.test's organization$/);
    });

    it('M7 seed 004: a second join creates no other organization; joining as Owner, or creating an org, creates none', async () => {
      const a = await ipOrg();
      const b = await ipOrg('Beta');
      const address = email('cai');
      const { result: cai } = await addMember(inOrg(a.orgId), { email: address });
      const p = await personalOrg(cai.userId);
      await addMember(inOrg(b.orgId), {
        email: address,
        roles: [{ role: 'workflows_write' }],
      });
      expect(await owned(cai.userId)).toEqual([p]);
      expect(await memberships(cai.userId)).toBe(3);
      const { result: dan } = await addMember(inOrg(a.orgId), {
        email: email('dan'),
        roles: [{ role: 'owner' }],
      });
      expect(await owned(dan.userId)).toEqual([a.orgId]);
      expect(await memberships(dan.userId)).toBe(1);
      expect(await owned(a.owner)).toEqual([a.orgId]);
      expect(await memberships(a.owner)).toBe(1);
    });

    it('M3 M7 seed 004: accepting an invitation gives the new member an organization of their own', async () => {
      const a = await ipOrg();
      const to = email('eva');
      const { result: inv } = await inviteMember(inOrg(a.orgId), { email: to });
      const mail = await g.db
        .selectFrom('emails')
        .select('id')
        .where('ref_id', '=', inv.id)
        .executeTakeFirstOrThrow();
      const text = (await readQueuedEmail(g.db, mail.id))!.text;
      const token = /accept\?token=([A-Za-z0-9_-]+)/.exec(text)![1]!;
      const { result } = await acceptInvitation(
        s,
        { token, name: 'Eva' },
        { requestId: 'req_accept' },
      );
      const p = await personalOrg(result.userId);
      const first = (await listAudit(inOrg(p))).items.find((e) => e.seq === 1)!;
      expect(first).toMatchObject({ action: 'Created', source: 'api', requestId: 'req_accept' });
    });

    it('S1 S5 M7 seed 004: SCIM provisioning gives an organization of their own; deprovisioning the last ownership is refused', async () => {
      const a = await ipOrg();
      const { result: issued } = await createScimToken(inOrg(a.orgId), { name: 'IdP' });
      const scim: Caller = {
        principal: { kind: 'scim', orgId: a.orgId, tokenId: issued.scimToken.id },
        source: 'scim',
      };
      const doc = (address: string, active = true) => ({
        userName: address,
        externalId: null,
        email: address,
        name: null,
        active,
        doc: { userName: address },
      });
      const address = email('fay');
      const { result: fay } = await provisionDirectoryUser(inOrg(a.orgId, scim), doc(address));
      const p = await personalOrg(fay.userId);
      const first = (await listAudit(inOrg(p))).items.find((e) => e.seq === 1)!;
      expect(first).toMatchObject({ action: 'Created', source: 'scim', actorId: 'system' });
      // Provisioned inactive: not a member yet in effect, so no organization.
      const { result: off } = await provisionDirectoryUser(
        inOrg(a.orgId, scim),
        doc(email('gus'), false),
      );
      expect(await owned(off.userId)).toEqual([]);
      expect(await memberships(off.userId)).toBe(1);
      // Fay becomes Owner of the customer's org and steps down in her own: she owns only `a` now.
      await assignRole(inOrg(a.orgId), { subjectId: fay.userId, role: 'owner', replace: true });
      await addMember(inOrg(p), { email: email('helper'), roles: [{ role: 'owner' }] });
      await setMemberRoles(inOrg(p), { userId: fay.userId, roles: [{ role: 'member' }] });
      expect(await owned(fay.userId)).toEqual([a.orgId]);
      await expectRefused(a.orgId, () =>
        deprovisionDirectoryUser(inOrg(a.orgId, scim), { userId: fay.userId }),
      );
      await expectRefused(a.orgId, () =>
        replaceDirectoryUser(inOrg(a.orgId, scim), {
          userId: fay.userId,
          input: doc(address, false),
        }),
      );
    });

    it('M5 M6 M7 seed 004: demoting, revoking, replacing, removing or deactivating the last ownership is refused and changes nothing', async () => {
      const a = await ipOrg();
      const { result: ian } = await addMember(inOrg(a.orgId), { email: email('ian') });
      const p = await personalOrg(ian.userId);
      // A second Owner in Ian's org, so the org keeps one (M7) and only seed 004 can refuse.
      await addMember(inOrg(p), { email: email('jo'), roles: [{ role: 'owner' }] });
      const asg = await ownerAssignment(p, ian.userId);
      const attempts: Array<[string, () => Promise<unknown>]> = [
        [
          'setRoles',
          () => setMemberRoles(inOrg(p), { userId: ian.userId, roles: [{ role: 'member' }] }),
        ],
        ['setRoles to none', () => setMemberRoles(inOrg(p), { userId: ian.userId, roles: [] })],
        ['revoke', () => revokeRole(inOrg(p), { assignmentId: asg })],
        [
          'assign with replace',
          () => assignRole(inOrg(p), { subjectId: ian.userId, role: 'member', replace: true }),
        ],
        ['remove', () => removeMember(inOrg(p), { userId: ian.userId })],
        [
          'deactivate',
          () => setMemberStatus(inOrg(p), { userId: ian.userId, status: 'deactivated' }),
        ],
      ];
      for (const [what, attempt] of attempts) {
        await expectRefused(p, attempt).catch((e: unknown) => {
          throw new Error(`${what}: ${String(e)}`);
        });
      }
      expect(await owned(ian.userId)).toEqual([p]);
      // The message names the user.
      await expect(removeMember(inOrg(p), { userId: ian.userId })).rejects.toThrow(
        `${ian.userId} would own none`,
      );
    });

    it('M7 seed 004: stepping down is allowed while the user owns another organization', async () => {
      const a = await ipOrg();
      const { result: kim } = await addMember(inOrg(a.orgId), { email: email('kim') });
      const p = await personalOrg(kim.userId);
      await setMemberRoles(inOrg(a.orgId), { userId: kim.userId, roles: [{ role: 'owner' }] });
      expect(await owned(kim.userId)).toEqual([a.orgId, p].sort());
      // Owner of both: demoted in the customer's org, she still owns her own.
      await setMemberRoles(inOrg(a.orgId), { userId: kim.userId, roles: [{ role: 'member' }] });
      await removeMember(inOrg(a.orgId), { userId: kim.userId });
      expect(await owned(kim.userId)).toEqual([p]);
      // The creator of `a` owns only `a` (a second Owner keeps the org's own Owner, M7): refused
      // until they own another org.
      await addMember(inOrg(a.orgId), { email: email('next'), roles: [{ role: 'owner' }] });
      await expectRefused(a.orgId, () =>
        setMemberRoles(inOrg(a.orgId), { userId: a.owner, roles: [{ role: 'member' }] }),
      );
      const other = await ipOrg('Other');
      await addMember(inOrg(other.orgId), {
        email: await emailOf(a.owner),
        roles: [{ role: 'owner' }],
      });
      await setMemberRoles(inOrg(a.orgId), { userId: a.owner, roles: [{ role: 'member' }] });
      expect(await owned(a.owner)).toEqual([other.orgId]);
    });

    it('G1 G2 M7 seed 004: ownership through a group counts; taking the group away is refused when it is the last', async () => {
      const a = await ipOrg();
      const { result: sub } = await createScope(inOrg(a.orgId), {
        kind: 'sub_organization',
        name: 'EU',
      });
      const { result: lea } = await addMember(inOrg(a.orgId), { email: email('lea') });
      const p = await personalOrg(lea.userId);
      const { result: group } = await createGroup(inOrg(a.orgId), { name: 'Owners' });
      await assignRole(inOrg(a.orgId), { subjectId: group.id, role: 'owner' });
      await addGroupMembers(inOrg(a.orgId), { groupId: group.id, memberIds: [lea.userId] });
      // Lea owns `a` through the group, so she may step down in her own org.
      await addMember(inOrg(p), { email: email('max'), roles: [{ role: 'owner' }] });
      await setMemberRoles(inOrg(p), { userId: lea.userId, roles: [{ role: 'member' }] });
      expect(await owned(lea.userId)).toEqual([a.orgId]);
      const groupOwner = await g.db
        .selectFrom('assignments')
        .select('id')
        .where('org_id', '=', a.orgId)
        .where('subject_id', '=', group.id)
        .executeTakeFirstOrThrow();
      await expectRefused(a.orgId, () =>
        removeGroupMembers(inOrg(a.orgId), { groupId: group.id, memberIds: [lea.userId] }),
      );
      await expectRefused(a.orgId, () =>
        updateGroup(inOrg(a.orgId), { groupId: group.id, limitedTo: [sub.id] }),
      );
      await expectRefused(a.orgId, () => deleteGroup(inOrg(a.orgId), { groupId: group.id }));
      await expectRefused(a.orgId, () =>
        revokeRole(inOrg(a.orgId), { assignmentId: groupOwner.id }),
      );
      await expectRefused(a.orgId, () => removeMember(inOrg(a.orgId), { userId: lea.userId }));
      // Owner of her own org again, she may limit the group away: it then holds nothing up.
      await setMemberRoles(inOrg(p), { userId: lea.userId, roles: [{ role: 'owner' }] });
      await updateGroup(inOrg(a.orgId), { groupId: group.id, limitedTo: [sub.id] });
      expect(await owned(lea.userId)).toEqual([p]);
    });

    it("M7 seed 004: two writes in two orgs taking a user's two ownerships at the same moment: exactly one wins", async () => {
      const a = await ipOrg();
      const { result: ned } = await addMember(inOrg(a.orgId), {
        email: email('ned'),
        roles: [{ role: 'owner' }],
      });
      expect(await owned(ned.userId)).toEqual([a.orgId]);
      const b = await ipOrg('Beta');
      await addMember(inOrg(b.orgId), {
        email: await emailOf(ned.userId),
        roles: [{ role: 'owner' }],
      });
      expect(await owned(ned.userId)).toEqual([a.orgId, b.orgId].sort());
      const results = await released(
        [a.orgId, b.orgId],
        () => setMemberRoles(inOrg(a.orgId), { userId: ned.userId, roles: [{ role: 'member' }] }),
        () => setMemberRoles(inOrg(b.orgId), { userId: ned.userId, roles: [{ role: 'member' }] }),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failed.reason).toMatchObject({
        code: 'INVARIANT',
        message: expect.stringMatching(RULE),
      });
      expect(await owned(ned.userId)).toHaveLength(1);
    });

    it('M7 seed 004: one person joining two orgs at the same moment gets one organization of their own', async () => {
      const a = await ipOrg();
      const b = await ipOrg('Beta');
      // An existing user (of another preset's org): a new one would be serialized by the
      // unique email already.
      const address = email('olu');
      const plain = await ipOrg('Plain', 'flowcode');
      await addMember(inOrg(plain.orgId), { email: address });
      const results = await released(
        [a.orgId, b.orgId],
        () => addMember(inOrg(a.orgId), { email: address }),
        () => addMember(inOrg(b.orgId), { email: address }),
      );
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual([
        'fulfilled',
        'fulfilled',
      ]);
      const olu = await userId(address);
      await personalOrg(olu);
      expect(await memberships(olu)).toBe(4);
    });

    it.each(
      Object.values(presets)
        .filter((p) => !p.everyUserOwnsAnOrg)
        .map((p) => ({ preset: p.key })),
    )(
      'M7 seed 004: $preset has no such rule: joining creates no org, stepping down is allowed',
      async ({ preset }) => {
        const a = await ipOrg('Plain', preset);
        const owner = presets[preset]!.ownerRole;
        const orgs = async () =>
          Number(
            (
              await g.db
                .selectFrom('orgs')
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        const before = await orgs();
        const { result: pia } = await addMember(inOrg(a.orgId), {
          email: email('pia'),
          roles: [{ role: owner }],
        });
        await addMember(inOrg(a.orgId), { email: email('quinn') });
        expect(await orgs()).toBe(before);
        await removeMember(inOrg(a.orgId), { userId: a.owner });
        expect(await memberships(a.owner)).toBe(0);
        expect(await owned(pia.userId, preset)).toEqual([a.orgId]);
      },
    );
  },
);
