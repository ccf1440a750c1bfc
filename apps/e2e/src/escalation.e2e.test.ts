/**
 * R6 M7 (issue 10): the privilege-escalation paths an attacker with ordinary keys tries, end to
 * end through the SDK against a real server, for every preset. The actor is an API client (or
 * a signed-in user) holding a custom "limited admin" role: it manages clients, members, roles and
 * groups, but is not an Owner. Every attempt on something stronger is FORBIDDEN and changes
 * nothing; the same actions on something weaker still work (so the rules are not just "no").
 */
import { expandPatterns, type Preset, presets } from '@gatehouse/core';
import { createGatehouse, type Gatehouse } from '@gatehouse/sdk';
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

/** Owner powers the limited admin is denied (whichever of them the preset's owner holds). */
const HELD_BACK = new Set(['org.delete', 'org.update', 'sso.manage', 'domains.manage']);

/**
 * The limited admin: everything the preset's Owner holds but a few owner powers, so it manages
 * clients, members, roles and groups, holds every product permission the members hold, and
 * still stands below the Owner.
 */
function limitedAdmin(preset: Preset): string[] {
  const owner = preset.roles.find((r) => r.key === preset.ownerRole)!;
  const perms = expandPatterns(preset.catalog.permissions, owner.permissions).names;
  return perms.filter((p) => !HELD_BACK.has(p));
}

/** The role a plain member gets: the preset's default at the root, or its smallest root role. */
function plainRole(preset: Preset): string {
  const fallback = preset.roles
    .filter(
      (r) =>
        r.key !== preset.ownerRole && (!r.scopeKinds || r.scopeKinds.includes(preset.rootKind)),
    )
    .sort((x, y) => x.permissions.length - y.permissions.length)[0]!.key;
  return preset.defaultRoles[preset.rootKind] ?? fallback;
}

/** A scope kind that can sit right under the root, if the preset has one. */
function childKind(preset: Preset): string | undefined {
  return preset.scopeKinds.find((k) => k.parents.includes(preset.rootKind))?.key;
}

describe.each(backends)('no escalation by any write, end to end on $name (issue 10)', (backend) => {
  let t: TestServer;
  let anon: Gatehouse;

  beforeAll(async () => {
    t = await startTestServer(backend);
    anon = createGatehouse({ url: t.url });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The link token of the newest invitation email to `to` (log-only delivery: the server's log). */
  async function invitationToken(to: string): Promise<string> {
    return /token=([A-Za-z0-9_-]+)/.exec(await t.emailTo(to))![1]!;
  }

  describe.each(Object.values(presets).map((p) => ({ key: p.key, preset: p })))(
    'preset $key',
    ({ preset }) => {
      const owner = preset.ownerRole;
      let o: OrgFixture;
      let actor: Gatehouse;
      let actorId: string;
      let strongKey: string;
      let strongId: string;
      let ownerGroup: string;
      let owner2: string;
      let weak: string;

      beforeAll(async () => {
        o = await createOrgFixture(t, {
          name: `Esc ${preset.key}`,
          preset: preset.key,
          clientRole: owner,
        });
        await o.gh.api.roles.create.mutate({
          orgId: o.orgId,
          key: 'limited_admin',
          name: 'Limited admin',
          permissions: limitedAdmin(preset),
        });
        const a = (
          await o.gh.api.apiClients.create.mutate({
            orgId: o.orgId,
            name: 'limited',
            roles: [{ role: 'limited_admin' }],
          })
        ).result;
        actor = t.connect(a.key);
        actorId = a.client.id;
        const s = (
          await o.gh.api.apiClients.create.mutate({
            orgId: o.orgId,
            name: 'strong',
            roles: [{ role: owner }],
          })
        ).result;
        strongKey = s.key;
        strongId = s.client.id;
        owner2 = (
          await o.gh.api.members.add.mutate({
            orgId: o.orgId,
            email: email('owner2'),
            roles: [{ role: owner }],
          })
        ).result.userId;
        weak = (await o.gh.api.members.add.mutate({ orgId: o.orgId, email: email('weak') })).result
          .userId;
        ownerGroup = (await o.gh.api.groups.create.mutate({ orgId: o.orgId, name: 'Owners' }))
          .result.id;
        await o.gh.api.assignments.assign.mutate({
          orgId: o.orgId,
          subjectId: ownerGroup,
          role: owner,
        });
        await o.gh.api.groups.addMembers.mutate({
          orgId: o.orgId,
          groupId: ownerGroup,
          memberIds: [owner2],
        });
      });

      it('a client with apiClients.manage cannot rotate or revoke a stronger client, nor mint an Owner one', async () => {
        const rotate = await failure(
          actor.api.apiClients.rotate.mutate({ orgId: o.orgId, clientId: strongId }),
        );
        expect(rotate).toMatchObject({ code: 'FORBIDDEN' });
        expect(rotate.message).toContain(strongId);
        expect(
          await failure(actor.api.apiClients.revoke.mutate({ orgId: o.orgId, clientId: strongId })),
        ).toMatchObject({ code: 'FORBIDDEN' });
        expect(
          await failure(
            actor.api.apiClients.create.mutate({
              orgId: o.orgId,
              name: 'mine',
              roles: [{ role: owner }],
            }),
          ),
        ).toMatchObject({ code: 'FORBIDDEN' });
        // The strong key still works, unchanged.
        const strong = t.connect(strongKey);
        expect(
          (await strong.api.apiClients.list.query({ orgId: o.orgId })).map((c) => c.id),
        ).toContain(strongId);
        // On a weaker client the same calls work.
        const weakClient = (
          await actor.api.apiClients.create.mutate({
            orgId: o.orgId,
            name: 'weak client',
            roles: [],
          })
        ).result;
        await actor.api.apiClients.rotate.mutate({
          orgId: o.orgId,
          clientId: weakClient.client.id,
        });
        await actor.api.apiClients.revoke.mutate({
          orgId: o.orgId,
          clientId: weakClient.client.id,
        });
      });

      it('a lower role cannot deactivate, remove, re-email or reset the MFA of a higher member; it can a lower one', async () => {
        for (const call of [
          actor.api.members.deactivate.mutate({ orgId: o.orgId, userId: o.ownerUserId }),
          actor.api.members.remove.mutate({ orgId: o.orgId, userId: owner2 }),
          actor.api.members.resetMfa.mutate({ orgId: o.orgId, userId: owner2 }),
          actor.api.members.resetPassword.mutate({ orgId: o.orgId, userId: owner2 }),
          actor.api.members.update.mutate({
            orgId: o.orgId,
            userId: o.ownerUserId,
            email: email('taken'),
          }),
        ]) {
          expect(await failure(call)).toMatchObject({ code: 'FORBIDDEN' });
        }
        const members = await o.gh.api.members.list.query({ orgId: o.orgId, limit: 500 });
        const ownerRow = members.items.find((m) => m.userId === o.ownerUserId);
        expect(ownerRow).toMatchObject({ status: 'active' });
        const rename = actor.api.members.update.mutate({
          orgId: o.orgId,
          userId: weak,
          name: 'Renamed',
        });
        if (preset.everyUserOwnsAnOrg) {
          // Seed 004: the weak member also owns an organization of their own, and an account
          // several orgs know is edited only by its user or the instance admin (M6).
          expect(await failure(rename)).toMatchObject({
            code: 'FORBIDDEN',
            message: expect.stringContaining('also belongs to other organizations'),
          });
        } else {
          await rename;
        }
        const resetMfa = actor.api.members.resetMfa.mutate({ orgId: o.orgId, userId: weak });
        if (preset.everyUserOwnsAnOrg) {
          // Seed 004 again: a factor guards the account in its own organization too.
          expect(await failure(resetMfa)).toMatchObject({
            code: 'FORBIDDEN',
            message: expect.stringContaining('other organizations'),
          });
        } else {
          expect((await resetMfa).result).toMatchObject({ userId: weak, removedFactors: 0 });
        }
        await actor.api.members.deactivate.mutate({ orgId: o.orgId, userId: weak });
        await actor.api.members.reactivate.mutate({ orgId: o.orgId, userId: weak });
      });

      it('roles.manage cannot widen a role (its own or another) past what the actor holds', async () => {
        expect(
          await failure(
            actor.api.roles.update.mutate({
              orgId: o.orgId,
              key: 'limited_admin',
              name: 'Limited admin',
              permissions: [...limitedAdmin(preset), 'org.delete'],
            }),
          ),
        ).toMatchObject({ code: 'FORBIDDEN' });
        expect(
          await failure(
            actor.api.roles.create.mutate({
              orgId: o.orgId,
              name: 'Everything',
              permissions: ['*'],
            }),
          ),
        ).toMatchObject({ code: 'FORBIDDEN' });
        const roles = await o.gh.api.roles.list.query({ orgId: o.orgId });
        expect(roles.find((r) => r.key === 'limited_admin')?.permissions).not.toContain(
          'org.delete',
        );
        await actor.api.roles.create.mutate({
          orgId: o.orgId,
          name: 'Readers',
          permissions: ['org.read'],
        });
      });

      it('groups.manage cannot join a stronger group, take someone out of it, or move its limits', async () => {
        expect(
          await failure(
            actor.api.groups.addMembers.mutate({
              orgId: o.orgId,
              groupId: ownerGroup,
              memberIds: [actorId],
            }),
          ),
        ).toMatchObject({ code: 'FORBIDDEN' });
        expect(
          await failure(
            actor.api.groups.removeMembers.mutate({
              orgId: o.orgId,
              groupId: ownerGroup,
              memberIds: [owner2],
            }),
          ),
        ).toMatchObject({ code: 'FORBIDDEN' });
        expect(
          await failure(
            actor.api.groups.update.mutate({
              orgId: o.orgId,
              groupId: ownerGroup,
              limitedTo: [o.orgId],
            }),
          ),
        ).toMatchObject({ code: 'FORBIDDEN' });
        expect(
          (await o.gh.api.groups.members.query({ orgId: o.orgId, groupId: ownerGroup })).items.map(
            (m) => m.memberId,
          ),
        ).toEqual([owner2]);
      });

      it('a SCIM token stands above every member: only an actor holding every role may mint one', async () => {
        expect(
          await failure(actor.api.scimTokens.create.mutate({ orgId: o.orgId, name: 'mine' })),
        ).toMatchObject({
          code: 'FORBIDDEN',
        });
        const issued = (await o.gh.api.scimTokens.create.mutate({ orgId: o.orgId, name: 'IdP' }))
          .result;
        expect(
          await failure(
            actor.api.scimTokens.rotate.mutate({ orgId: o.orgId, tokenId: issued.scimToken.id }),
          ),
        ).toMatchObject({ code: 'FORBIDDEN' });
      });

      it('accepting an invitation never sets an existing account’s password (no takeover by invitation)', async () => {
        // The victim: an Owner of this org without a password (provisioned, signs in some other way).
        const victim = o.ownerUserId;
        const victimEmail = (
          await o.gh.api.members.list.query({ orgId: o.orgId, limit: 500 })
        ).items.find((m) => m.userId === victim)!.email;
        // The attacker runs another org and invites the victim's address there.
        const theirs = await createOrgFixture(t, {
          name: `Attacker ${preset.key}`,
          preset: preset.key,
          clientRole: owner,
        });
        await theirs.gh.api.invitations.invite.mutate({
          orgId: theirs.orgId,
          email: victimEmail,
          roles: [{ role: plainRole(preset) }],
        });
        const token = await invitationToken(victimEmail);
        const taken = await failure(
          anon.api.invitations.accept.mutate({ token, password: PASSWORD }),
        );
        expect(taken).toMatchObject({ code: 'BAD_REQUEST' });
        expect(taken.message).toContain('sign in');
        expect(
          await failure(
            anon.api.sessions.login.mutate({
              email: victimEmail,
              password: PASSWORD,
              orgId: o.orgId,
            }),
          ),
        ).toMatchObject({ code: 'UNAUTHORIZED' });
        // Without a password the existing account joins; its credentials stay as they were.
        const joined = (await anon.api.invitations.accept.mutate({ token })).result;
        expect(joined).toMatchObject({ userId: victim, createdUser: false });
      });

      it('a signed-in limited admin cannot end a stronger user’s sessions', async () => {
        const person = async (roles: Array<{ role: string }>) => {
          const address = email('person');
          await o.gh.api.invitations.invite.mutate({ orgId: o.orgId, email: address, roles });
          await anon.api.invitations.accept.mutate({
            token: await invitationToken(address),
            password: PASSWORD,
          });
          const login = sessionOf(
            (
              await anon.api.sessions.login.mutate({
                email: address,
                password: PASSWORD,
                orgId: o.orgId,
              })
            ).result,
          );
          return { token: login.token, sessionId: login.session.id };
        };
        const high = await person([{ role: owner }]);
        const mid = await person([{ role: 'limited_admin' }]);
        const low = await person([{ role: plainRole(preset) }]);
        const midGh = createGatehouse({ url: t.url, sessionToken: mid.token });
        expect(
          await failure(
            midGh.api.sessions.revoke.mutate({ orgId: o.orgId, sessionId: high.sessionId }),
          ),
        ).toMatchObject({ code: 'FORBIDDEN' });
        const highGh = createGatehouse({ url: t.url, sessionToken: high.token });
        expect((await highGh.api.sessions.me.query()).session.id).toBe(high.sessionId);
        await midGh.api.sessions.revoke.mutate({ orgId: o.orgId, sessionId: low.sessionId });
      });

      it('M7 invariants count effective holders: limiting the only Owner group away from the root is refused', async () => {
        const kind = childKind(preset);
        if (!kind) return; // a preset with no scopes below the root has nowhere to limit a group to
        const org = await createOrgFixture(t, {
          name: `Inv ${preset.key}`,
          preset: preset.key,
          clientRole: owner,
        });
        const ws = (
          await org.gh.api.scopes.create.mutate({ orgId: org.orgId, kind, name: 'Below' })
        ).result;
        const group = (
          await org.gh.api.groups.create.mutate({ orgId: org.orgId, name: 'Only owners' })
        ).result.id;
        await org.gh.api.assignments.assign.mutate({
          orgId: org.orgId,
          subjectId: group,
          role: owner,
        });
        await org.gh.api.groups.addMembers.mutate({
          orgId: org.orgId,
          groupId: group,
          memberIds: [org.ownerUserId],
        });
        // The Owner now holds the role only through the group.
        const direct = await org.gh.api.assignments.list.query({
          orgId: org.orgId,
          subjectId: org.ownerUserId,
        });
        for (const a of direct.items) {
          if (a.role === owner)
            await t.admin.api.assignments.revoke.mutate({ orgId: org.orgId, assignmentId: a.id });
        }
        const limited = await failure(
          t.admin.api.groups.update.mutate({
            orgId: org.orgId,
            groupId: group,
            limitedTo: [ws.id],
          }),
        );
        expect(limited).toMatchObject({ code: 'PRECONDITION_FAILED', domainCode: 'INVARIANT' });
      });
    },
  );
});
