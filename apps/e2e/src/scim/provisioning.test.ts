/**
 * What SCIM provisioning means inside Gatehouse, checked through both doors (SCIM and tRPC):
 * S4 tokens and tenant isolation, S5 deprovisioning (checks denied from that revision on),
 * G3 IdP groups mapped to roles, S7 audit (source `scim`, actor = token) and outbox events,
 * and M7 the last Owner. (A 10k-member group: ./scale.test.ts.)
 */
import { createHash } from 'node:crypto';
import { createGatehouse, TRPCClientError } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type Env, type Org, patchBody, request, startEnv, userBody } from './harness.js';

describe.each(backends)('SCIM provisioning in Gatehouse on $name', (backend) => {
  let env: Env;
  let a: Org;
  let b: Org;

  beforeAll(async () => {
    env = await startEnv(backend);
    a = await env.newOrg('Tenant A');
    b = await env.newOrg('Tenant B');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('S4 tokens: created, rotated and revoked through the API; stored hashed; scim.manage needed', async () => {
    const api = env.admin.api;
    const listed = await api.scimTokens.list.query({ orgId: a.orgId });
    expect(listed).toEqual([
      expect.objectContaining({ id: a.tokenId, name: 'IdP', revokedAt: null }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(a.token.split('.')[1]);
    const stored = await env.server.gatedb.db
      .selectFrom('scim_tokens')
      .select('secret_hash')
      .where('id', '=', a.tokenId)
      .executeTakeFirstOrThrow();
    expect(stored.secret_hash).toBe(createHash('sha256').update(a.token).digest('hex'));

    const { result: extra } = await api.scimTokens.create.mutate({ orgId: a.orgId, name: 'spare' });
    expect((await request(env.url, extra.token, 'GET', '/Users')).status).toBe(200);
    const { result: rotated } = await api.scimTokens.rotate.mutate({
      orgId: a.orgId,
      tokenId: extra.scimToken.id,
    });
    expect((await request(env.url, extra.token, 'GET', '/Users')).status).toBe(401);
    expect((await request(env.url, rotated.token, 'GET', '/Users')).status).toBe(200);
    await api.scimTokens.revoke.mutate({ orgId: a.orgId, tokenId: extra.scimToken.id });
    const revoked = await request(env.url, rotated.token, 'GET', '/Users');
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse-scim"/);

    const { result: user } = await api.apiClients.create.mutate({
      orgId: a.orgId,
      name: 'app',
      roles: [{ role: 'org_user' }],
    });
    const asUser = createGatehouse({ url: env.url, apiKey: user.key });
    await expect(asUser.api.scimTokens.create.mutate({ orgId: a.orgId })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    const { result: adm } = await api.apiClients.create.mutate({
      orgId: a.orgId,
      name: 'admin app',
      roles: [{ role: 'org_admin' }],
    });
    const asAdmin = createGatehouse({ url: env.url, apiKey: adm.key });
    const made = await asAdmin.api.scimTokens.create.mutate({ orgId: a.orgId, name: 'by admin' });
    await asAdmin.api.scimTokens.revoke.mutate({
      orgId: a.orgId,
      tokenId: made.result.scimToken.id,
    });
    // A client of org A cannot touch org B's tokens.
    await expect(asAdmin.api.scimTokens.list.query({ orgId: b.orgId })).rejects.toBeInstanceOf(
      TRPCClientError,
    );
  });

  it("S4 one org's token never sees or changes another org's users or groups", async () => {
    const ua = await a.scim.users.create({ userName: 'only-a@iso.test' });
    const ub = await b.scim.users.create({ userName: 'only-b@iso.test' });
    const gb = await b.scim.groups.create({ displayName: 'B team', members: [{ value: ub.id! }] });
    const ga = await a.scim.groups.create({ displayName: 'A team' });
    for (const [method, path, body] of [
      ['GET', `/Users/${ub.id}`, undefined],
      ['PUT', `/Users/${ub.id}`, userBody('only-b@iso.test', { title: 'pwned' })],
      ['PATCH', `/Users/${ub.id}`, patchBody({ op: 'replace', path: 'active', value: false })],
      ['DELETE', `/Users/${ub.id}`, undefined],
      ['GET', `/Groups/${gb.id}`, undefined],
      ['PUT', `/Groups/${gb.id}`, { displayName: 'pwned' }],
      ['PATCH', `/Groups/${gb.id}`, patchBody({ op: 'remove', path: 'members' })],
      ['DELETE', `/Groups/${gb.id}`, undefined],
    ] as const) {
      const r = await a.raw(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    const filters = [`id eq "${ub.id}"`, 'userName eq "only-b@iso.test"', 'userName pr'];
    for (const f of filters) {
      const r = await a.raw('GET', `/Users?filter=${encodeURIComponent(f)}`);
      expect(r.body.Resources.map((x: { id: string }) => x.id)).not.toContain(ub.id);
    }
    const groups = await a.raw(
      'GET',
      `/Groups?filter=${encodeURIComponent(`members[value eq "${ub.id}"]`)}`,
    );
    expect(groups.body.totalResults).toBe(0);
    const root = await a.raw('POST', '/.search', {
      filter: `id eq "${gb.id}" or id eq "${ub.id}"`,
    });
    expect(root.body.totalResults).toBe(0);
    const steal = await a.raw(
      'PATCH',
      `/Groups/${ga.id}`,
      patchBody({ op: 'add', path: 'members', value: [{ value: ub.id }] }),
    );
    expect(steal.status).toBe(400);
    expect(steal.body.scimType).toBe('invalidValue');
    // B is untouched.
    const still = await b.scim.users.get(ub.id!);
    expect(still.title).toBeUndefined();
    expect(still.active).toBe(true);
    expect((await b.scim.groups.get(gb.id!)).members).toHaveLength(1);
    expect(ua.id).not.toBe(ub.id);
  });

  it('S4 the same person in two orgs: one Gatehouse user, one SCIM document per org', async () => {
    const inA = await a.scim.users.create({
      userName: 'shared@iso.test',
      displayName: 'Shared in A',
    });
    const inB = await b.scim.users.create({
      userName: 'SHARED@iso.test',
      displayName: 'Shared in B',
      title: 'B title',
    });
    expect(inA.id).toBe(inB.id);
    await a.scim.users.patch(inA.id!, [
      { op: 'replace', path: 'displayName', value: 'Renamed by A' },
    ]);
    const fromB = await b.scim.users.get(inB.id!);
    expect(fromB).toMatchObject({
      userName: 'SHARED@iso.test',
      displayName: 'Shared in B',
      title: 'B title',
    });
    await a.scim.users.delete(inA.id!);
    expect((await b.raw('GET', `/Users/${inB.id}`)).status).toBe(200);
  });

  it('S5 + G3: an IdP group maps to roles; active=false denies every check from that revision on', async () => {
    const api = env.admin.api;
    const { result: ws } = await api.scopes.create.mutate({
      orgId: a.orgId,
      kind: 'workspace',
      name: 'Marketing',
    });
    const u = await a.scim.users.create({ userName: 'deprov@iso.test' });
    const g = await a.scim.groups.create({
      displayName: 'Marketing Editors',
      members: [{ value: u.id! }],
    });
    const { revision: granted } = await api.assignments.assign.mutate({
      orgId: a.orgId,
      subjectId: g.id!,
      role: 'workspace_editor',
      scopeId: ws.id,
    });
    const check = (minRevision: number) =>
      api.authz.check.query({
        orgId: a.orgId,
        subject: u.id!,
        permission: 'flows.write',
        scope: ws.id,
        minRevision,
      });
    expect((await check(granted)).result.allowed).toBe(true);

    const off = await a.raw(
      'PATCH',
      `/Users/${u.id}`,
      patchBody({ op: 'Replace', path: 'active', value: 'False' }),
    );
    expect(off.status).toBe(200);
    const offRevision = Number(off.headers.get('x-gatehouse-revision'));
    expect(offRevision).toBeGreaterThan(granted);
    const denied = await check(offRevision);
    expect(denied.result.allowed).toBe(false);
    expect(denied.revision).toBeGreaterThanOrEqual(offRevision);

    await a.scim.users.patch(u.id!, [{ op: 'replace', value: { active: true } }]);
    expect((await check(a.scim.lastRevision!)).result.allowed).toBe(true);

    // Leaving the IdP group takes the group's role away.
    await a.scim.groups.patch(g.id!, [{ op: 'remove', path: `members[value eq "${u.id}"]` }]);
    expect((await check(a.scim.lastRevision!)).result.allowed).toBe(false);

    // DELETE removes the member from the org; the history stays in the audit log.
    await a.scim.users.delete(u.id!);
    const members = await api.members.list.query({ orgId: a.orgId });
    expect(members.items.map((m) => m.userId)).not.toContain(u.id);
    const history = await api.audit.list.query({ orgId: a.orgId, entityId: u.id! });
    const actions = history.items.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['Provisioned', 'Deactivated', 'Reactivated', 'MemberRemoved']),
    );
  });

  it('S7 SCIM changes are audited with source scim and the token as actor, and emit outbox events', async () => {
    const u = await a.scim.users.create({ userName: 'audited@iso.test' });
    await a.scim.users.patch(u.id!, [{ op: 'replace', path: 'title', value: 'Audited' }]);
    await a.scim.users.patch(u.id!, [{ op: 'replace', path: 'active', value: false }]);
    const g = await a.scim.groups.create({
      displayName: 'Audited group',
      members: [{ value: u.id! }],
    });
    const entries = (
      await env.admin.api.audit.list.query({ orgId: a.orgId, actorId: a.tokenId, limit: 1000 })
    ).items;
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(e.source).toBe('scim');
      expect(e.actorId).toBe(a.tokenId);
      expect(e.actorLabel).toBe('SCIM: IdP');
    }
    const mine = entries.filter((e) => e.entityId === u.id || e.entityId === g.id);
    expect(mine.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'Created',
        'MemberAdded',
        'Provisioned',
        'Updated',
        'GroupMembersAdded',
      ]),
    );
    // The preset's default role at the root (M1), given in the same write.
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'RoleAssigned',
        after: expect.objectContaining({ subjectId: u.id, role: 'org_user' }),
      }),
    );
    const updated = mine.find((e) => e.action === 'Updated' && e.entityType === 'member');
    expect(updated?.after).toMatchObject({ doc: { title: 'Audited' } });
    const events = await env.server.gatedb.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('org_id', '=', a.orgId)
      .execute();
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'scim.user.provisioned',
        'scim.user.updated',
        'group.created',
        'group.members_added',
        'member.deactivated',
      ]),
    );
    const verified = await env.admin.api.audit.verify.query({ orgId: a.orgId });
    expect(verified.ok).toBe(true);
  });

  it('M7 the last Owner cannot be deactivated or deleted through SCIM: 409 with a clear detail', async () => {
    const members = await env.admin.api.members.list.query({ orgId: b.orgId });
    const owner = members.items.find((m) => m.userId === b.ownerId)!;
    const adopted = await b.raw('POST', '/Users', userBody(owner.email));
    expect(adopted.status).toBe(201);
    expect(adopted.body.id).toBe(b.ownerId);
    const off = await b.raw(
      'PATCH',
      `/Users/${b.ownerId}`,
      patchBody({ op: 'replace', path: 'active', value: false }),
    );
    expect(off.status).toBe(409);
    expect(off.body.detail).toMatch(/at least 1 active org_admin/);
    const del = await b.raw('DELETE', `/Users/${b.ownerId}`);
    expect(del.status).toBe(409);
    expect((await b.scim.users.get(b.ownerId)).active).toBe(true);
    // The adopted owner kept their role.
    const check = await env.admin.api.authz.check.query({
      orgId: b.orgId,
      subject: b.ownerId,
      permission: 'members.invite',
      scope: b.orgId,
    });
    expect(check.result.allowed).toBe(true);
  });
});
