/**
 * A directory user's life in Gatehouse, seen through both doors (SCIM over HTTP and the tRPC
 * API through the SDK): provisioning makes a Gatehouse user and org member with the preset's
 * default role (S1, M1); SCIM groups are ordinary groups whose roles reach their members (G3);
 * active=false denies every check from its revision on and active=true restores (S5); DELETE
 * removes the membership while the user row and the audit history stay (S5); and every kind of
 * SCIM write is audited with source `scim` and emits an outbox event (S7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  type Env,
  type Org,
  patchBody,
  startEnv,
  USER_URN,
  userBody,
} from './harness.js';

describe.each(backends)('SCIM user lifecycle on $name', (backend) => {
  let env: Env;
  let org: Org;
  let workspace = '';

  beforeAll(async () => {
    env = await startEnv(backend);
    org = await env.newOrg('Lifecycle');
    const { result } = await env.admin.api.scopes.create.mutate({
      orgId: org.orgId,
      kind: 'workspace',
      name: 'Design',
    });
    workspace = result.id;
  });
  afterAll(async () => {
    await env?.close();
  });

  /** Decisions for `subject` at (at least) `minRevision`: org.read at the root, flows.write in the workspace. */
  const decisions = async (subject: string, minRevision: number) => {
    const { result, revision } = await env.admin.api.authz.checkMany.query({
      orgId: org.orgId,
      minRevision,
      checks: [
        { subject, permission: 'org.read', scope: org.orgId },
        { subject, permission: 'flows.write', scope: workspace },
        { subject, permission: 'flows.read', scope: workspace },
      ],
    });
    expect(revision).toBeGreaterThanOrEqual(minRevision);
    return result.map((d) => d.allowed);
  };
  const revisionOf = (a: { headers: Headers }) => Number(a.headers.get('x-gatehouse-revision'));

  it('S1 M1 a SCIM user is a Gatehouse user and org member with the preset default role', async () => {
    const created = await org.raw('POST', '/Users', userBody('Member.One@Example.test'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const members = await env.admin.api.members.list.query({ orgId: org.orgId });
    const m = members.items.find((x) => x.userId === id);
    expect(m).toMatchObject({ email: 'Member.One@Example.test', status: 'active' });
    expect(m?.roles).toEqual([
      expect.objectContaining({ role: 'org_user', scopeId: org.orgId, membership: 'direct' }),
    ]);
    expect(await decisions(id, revisionOf(created))).toEqual([true, false, false]);
  });

  it('S1 G3 a SCIM group is an ordinary group: a role given to it through the API reaches its SCIM members', async () => {
    const u = await org.scim.users.create({ userName: 'designer@example.test' });
    const g = await org.scim.groups.create({
      displayName: 'Designers',
      members: [{ value: u.id! }],
    });
    const listed = await env.admin.api.groups.list.query({ orgId: org.orgId });
    expect(listed).toContainEqual(
      expect.objectContaining({ id: g.id, name: 'Designers', memberCount: 1 }),
    );
    const members = await env.admin.api.groups.members.query({
      orgId: org.orgId,
      groupId: g.id!,
    });
    expect(members.items.map((x) => x.memberId)).toEqual([u.id]);
    expect(await decisions(u.id!, org.scim.lastRevision!)).toEqual([true, false, false]);
    const { revision } = await env.admin.api.assignments.assign.mutate({
      orgId: org.orgId,
      subjectId: g.id!,
      role: 'workspace_editor',
      scopeId: workspace,
    });
    expect(await decisions(u.id!, revision)).toEqual([true, true, true]);
    // A new SCIM member of the group gets the group's role at once; a removed one loses it.
    const v = await org.scim.users.create({ userName: 'second.designer@example.test' });
    await org.scim.groups.patch(g.id!, [{ op: 'add', path: 'members', value: [{ value: v.id }] }]);
    expect(await decisions(v.id!, org.scim.lastRevision!)).toEqual([true, true, true]);
    await org.scim.groups.patch(g.id!, [{ op: 'remove', path: `members[value eq "${u.id}"]` }]);
    expect(await decisions(u.id!, org.scim.lastRevision!)).toEqual([true, false, false]);
    // Deleting the IdP group takes its role away from everyone in it.
    await org.scim.groups.delete(g.id!);
    expect(await decisions(v.id!, org.scim.lastRevision!)).toEqual([true, false, false]);
  });

  it('S5 active=false denies every check from that revision on; active=true restores; removing active changes nothing', async () => {
    const u = await org.scim.users.create({ userName: 'leaver@example.test' });
    const g = await org.scim.groups.create({ displayName: 'Leavers', members: [{ value: u.id! }] });
    const { revision: granted } = await env.admin.api.assignments.assign.mutate({
      orgId: org.orgId,
      subjectId: g.id!,
      role: 'workspace_editor',
      scopeId: workspace,
    });
    expect(await decisions(u.id!, granted)).toEqual([true, true, true]);

    const off = await org.raw(
      'PATCH',
      `/Users/${u.id}`,
      patchBody({ op: 'Replace', path: 'active', value: 'False' }),
    );
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(revisionOf(off)).toBeGreaterThan(granted);
    expect(await decisions(u.id!, revisionOf(off))).toEqual([false, false, false]);
    // Later revisions keep denying, whatever else changes.
    const other = await org.raw('POST', '/Users', userBody('bystander@example.test'));
    expect(revisionOf(other)).toBeGreaterThan(revisionOf(off));
    expect(await decisions(u.id!, revisionOf(other))).toEqual([false, false, false]);
    const members = await env.admin.api.members.list.query({ orgId: org.orgId });
    expect(members.items.find((m) => m.userId === u.id)?.status).toBe('deactivated');
    // Removing `active`, or a PUT that leaves it out, does not reactivate (S5).
    const removed = await org.raw(
      'PATCH',
      `/Users/${u.id}`,
      patchBody({ op: 'remove', path: 'active' }, { op: 'replace', path: 'title', value: 'Gone' }),
    );
    expect(removed.status).toBe(200);
    expect(removed.body.active).toBe(false);
    const put = await org.raw('PUT', `/Users/${u.id}`, {
      schemas: [USER_URN],
      userName: 'leaver@example.test',
      emails: [{ value: 'leaver@example.test', primary: true }],
    });
    expect(put.status).toBe(200);
    expect(put.body.active).toBe(false);
    expect(await decisions(u.id!, revisionOf(put))).toEqual([false, false, false]);

    const on = await org.raw(
      'PATCH',
      `/Users/${u.id}`,
      patchBody({ op: 'replace', value: { active: 'True' } }),
    );
    expect(on.body.active).toBe(true);
    expect(await decisions(u.id!, revisionOf(on))).toEqual([true, true, true]);
  });

  it('S5 DELETE removes the member from the org; the user row and the audit history stay', async () => {
    const u = await org.scim.users.create({
      userName: 'deleted@example.test',
      externalId: 'del-1',
    });
    await org.scim.users.patch(u.id!, [{ op: 'replace', path: 'active', value: false }]);
    await org.scim.users.patch(u.id!, [{ op: 'replace', path: 'active', value: true }]);
    const del = await org.raw('DELETE', `/Users/${u.id}`);
    expect(del.status).toBe(204);
    expect(await decisions(u.id!, revisionOf(del))).toEqual([false, false, false]);
    expect((await org.raw('GET', `/Users/${u.id}`)).status).toBe(404);
    const byExt = await org.raw(
      'GET',
      `/Users?filter=${encodeURIComponent('externalId eq "del-1"')}`,
    );
    expect(byExt.body.totalResults).toBe(0);
    const members = await env.admin.api.members.list.query({ orgId: org.orgId });
    expect(members.items.map((m) => m.userId)).not.toContain(u.id);
    const row = await env.server.gatedb.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('id', '=', u.id!)
      .executeTakeFirst();
    expect(row).toEqual({ id: u.id, email: 'deleted@example.test' });
    const history = await env.admin.api.audit.list.query({ orgId: org.orgId, entityId: u.id! });
    expect(history.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['Provisioned', 'Deactivated', 'Reactivated', 'MemberRemoved']),
    );
    for (const e of history.items) expect(e.source).toBe('scim');
    // The IdP provisions the person again: the same Gatehouse user comes back as a member.
    const again = await org.raw('POST', '/Users', userBody('deleted@example.test'));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(u.id);
  });

  it('S7 every kind of SCIM write is audited with source scim and emits an outbox event', async () => {
    const db = env.server.gatedb.db;
    const audited = async () =>
      (
        await env.admin.api.audit.list.query({
          orgId: org.orgId,
          actorId: org.tokenId,
          limit: 1000,
        })
      ).items;
    const events = async () =>
      Number(
        (
          await db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('org_id', '=', org.orgId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    let ids = { user: '', group: '', other: '' };
    const steps: Array<[string, () => Promise<{ status: number; headers: Headers }>]> = [
      [
        'POST /Users',
        async () => {
          const a = await org.raw('POST', '/Users', userBody('s7@example.test'));
          ids = { ...ids, user: a.body.id };
          return a;
        },
      ],
      [
        'POST /Users (second)',
        async () => {
          const a = await org.raw('POST', '/Users', userBody('s7b@example.test'));
          ids = { ...ids, other: a.body.id };
          return a;
        },
      ],
      [
        'PUT /Users',
        () => org.raw('PUT', `/Users/${ids.user}`, userBody('s7@example.test', { title: 'T' })),
      ],
      [
        'PATCH /Users',
        () =>
          org.raw(
            'PATCH',
            `/Users/${ids.user}`,
            patchBody({ op: 'add', path: 'nickName', value: 'N' }),
          ),
      ],
      [
        'PATCH active false',
        () =>
          org.raw(
            'PATCH',
            `/Users/${ids.user}`,
            patchBody({ op: 'replace', path: 'active', value: false }),
          ),
      ],
      [
        'PATCH active true',
        () =>
          org.raw(
            'PATCH',
            `/Users/${ids.user}`,
            patchBody({ op: 'replace', path: 'active', value: true }),
          ),
      ],
      [
        'POST /Groups',
        async () => {
          const a = await org.raw('POST', '/Groups', {
            displayName: 'S7',
            members: [{ value: ids.user }],
          });
          ids = { ...ids, group: a.body.id };
          return a;
        },
      ],
      [
        'PATCH group rename',
        () =>
          org.raw(
            'PATCH',
            `/Groups/${ids.group}`,
            patchBody({ op: 'replace', path: 'displayName', value: 'S7b' }),
          ),
      ],
      [
        'PATCH group externalId',
        () =>
          org.raw(
            'PATCH',
            `/Groups/${ids.group}`,
            patchBody({ op: 'add', path: 'externalId', value: 'g-s7' }),
          ),
      ],
      [
        'PATCH add member',
        () =>
          org.raw(
            'PATCH',
            `/Groups/${ids.group}`,
            patchBody({ op: 'add', path: 'members', value: [{ value: ids.other }] }),
          ),
      ],
      [
        'PATCH remove member',
        () =>
          org.raw(
            'PATCH',
            `/Groups/${ids.group}`,
            patchBody({ op: 'remove', path: `members[value eq "${ids.other}"]` }),
          ),
      ],
      [
        'PUT /Groups',
        () =>
          org.raw('PUT', `/Groups/${ids.group}`, {
            displayName: 'S7c',
            members: [{ value: ids.other }],
          }),
      ],
      ['DELETE /Groups', () => org.raw('DELETE', `/Groups/${ids.group}`)],
      ['DELETE /Users', () => org.raw('DELETE', `/Users/${ids.user}`)],
    ];
    let lastRevision = 0;
    for (const [name, run] of steps) {
      const [auditBefore, eventsBefore] = [(await audited()).length, await events()];
      const a = await run();
      expect(a.status, name).toBeLessThan(300);
      const revision = revisionOf(a);
      expect(revision, `${name}: a new revision`).toBeGreaterThan(lastRevision);
      lastRevision = revision;
      const entries = await audited();
      expect(entries.length, `${name}: audited`).toBeGreaterThan(auditBefore);
      expect(await events(), `${name}: an outbox event`).toBeGreaterThan(eventsBefore);
      for (const e of entries) {
        expect(e).toMatchObject({ source: 'scim', actorId: org.tokenId, actorLabel: 'SCIM: IdP' });
      }
    }
    const verified = await env.admin.api.audit.verify.query({ orgId: org.orgId });
    expect(verified.ok).toBe(true);
  });
});
