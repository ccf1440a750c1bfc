import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH } from './audit/index.js';
import type { Caller } from './context.js';
import {
  addMember,
  assignRole,
  authenticateApiKey,
  authz,
  createApiClient,
  createOrg,
  createScope,
  deleteScope,
  listAudit,
  removeMember,
  revokeApiClient,
  rotateApiClient,
  setMemberRoles,
  setMemberStatus,
  updateOrg,
} from './index.js';
import { createServices, type Services } from './services.js';
import { asClient } from './testing.js';

const admin: Caller = {
  principal: { kind: 'instance_admin' },
  source: 'api',
  requestId: 'req_test',
};

describe.each(testBackends())('domain use cases on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db);
  });
  afterAll(async () => {
    await g?.close();
  });

  async function orgWithAdminClient(preset = 'idnow', ownerRole = 'editor') {
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      {
        name: 'Acme Identity',
        preset,
        owner: { email: `owner-${Math.random()}@acme.test` },
      },
    );
    const { result: issued } = await createApiClient(
      { services: s, caller: admin, orgId: org.id },
      {
        name: 'backend',
        roles: [{ role: ownerRole }],
      },
    );
    return { org, client: issued.client, key: issued.key };
  }

  it('T1 creates an org with a slug, root scope, first owner, audit entries and revision', async () => {
    const { result: org, revision } = await createOrg(
      { services: s, caller: admin },
      {
        name: 'Über Org',
        preset: 'flowcode',
        owner: { email: 'Boss@Uber.test', name: 'Boss' },
      },
    );
    expect(org.slug).toBe('uber-org');
    expect(revision).toBe(1);
    const again = await createOrg(
      { services: s, caller: admin },
      { name: 'Über Org', preset: 'flowcode' },
    );
    expect(again.result.slug).toBe('uber-org-2');
    await expect(
      createOrg({ services: s, caller: admin }, { name: 'X', preset: 'nope' }),
    ).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(
      createOrg({ services: s, caller: admin }, { name: 'X', preset: 'idnow', slug: 'uber-org' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const engine = await s.engines.get(org.id);
    const owner = engine.snapshot.subjects.find((x) => x.label === 'Boss@Uber.test')!;
    expect(engine.can(owner.id, 'org.update', org.id)).toBe(true);
  });

  it('K1 API keys: shown once, stored hashed, rotate kills the old key, revoke denies everything', async () => {
    const { org, client, key } = await orgWithAdminClient();
    const stored = await g.db
      .selectFrom('api_clients')
      .selectAll()
      .where('id', '=', client.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret_hash).not.toContain(key.split('.')[1]!);
    expect(await authenticateApiKey(s, key)).toMatchObject({ orgId: org.id, clientId: client.id });
    const { result: rotated } = await rotateApiClient(
      { services: s, caller: admin, orgId: org.id },
      { clientId: client.id },
    );
    await expect(authenticateApiKey(s, key)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await authenticateApiKey(s, rotated.key)).toMatchObject({ clientId: client.id });
    const { revision } = await revokeApiClient(
      { services: s, caller: admin, orgId: org.id },
      { clientId: client.id },
    );
    await expect(authenticateApiKey(s, rotated.key)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const d = await authz.check(
      { services: s, caller: admin, orgId: org.id },
      { subject: client.id, permission: 'org.read', scope: org.id },
      revision,
    );
    expect(d.result.code).toBe('inactive_subject');
  });

  it('M5 members: add with default role, change roles, remove; C6 minRevision reads the write', async () => {
    const { org, client } = await orgWithAdminClient();
    const caller = asClient(org.id, client.id);
    const added = await addMember(
      { services: s, caller, orgId: org.id },
      { email: 'dev@acme.test' },
    );
    expect(added.result.roles.map((r) => r.role)).toEqual(['viewer']);
    const userId = added.result.userId;
    const set = await setMemberRoles(
      { services: s, caller, orgId: org.id },
      { userId, roles: [{ role: 'developer' }] },
    );
    const check = await authz.check(
      { services: s, caller, orgId: org.id },
      { subject: userId, permission: 'webhooks.manage', scope: org.id },
      set.revision,
    );
    expect(check.result.allowed).toBe(true);
    expect(check.revision).toBeGreaterThanOrEqual(set.revision);
    await expect(
      setMemberRoles(
        { services: s, caller, orgId: org.id },
        {
          userId,
          roles: [{ role: 'developer' }, { role: 'viewer' }],
        },
      ),
    ).rejects.toMatchObject({ code: 'INVALID' });
    const removed = await removeMember({ services: s, caller, orgId: org.id }, { userId });
    const after = await authz.check(
      { services: s, caller, orgId: org.id },
      { subject: userId, permission: 'flows.read', scope: org.id },
      removed.revision,
    );
    expect(after.result.allowed).toBe(false);
    await expect(
      authz.check(
        { services: s, caller, orgId: org.id },
        { subject: userId, permission: 'flows.read', scope: org.id },
        removed.revision + 100,
      ),
    ).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('R6 no escalation: a Developer client cannot grant Editor, nor act in another org', async () => {
    const { org } = await orgWithAdminClient();
    const { result: dev } = await createApiClient(
      { services: s, caller: admin, orgId: org.id },
      {
        name: 'dev',
        roles: [{ role: 'developer' }],
      },
    );
    const devCaller = asClient(org.id, dev.client.id);
    await expect(
      addMember(
        { services: s, caller: devCaller, orgId: org.id },
        { email: 'x@acme.test', roles: [{ role: 'editor' }] },
      ),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const other = await orgWithAdminClient();
    await expect(
      addMember({ services: s, caller: devCaller, orgId: other.org.id }, { email: 'y@acme.test' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      authz.check(
        { services: s, caller: devCaller, orgId: other.org.id },
        {
          subject: 'usr_x',
          permission: 'flows.read',
          scope: other.org.id,
        },
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('T2/R4 scopes: kinds checked, delete refused while members remain, cascade revokes; on-behalf-of needs both', async () => {
    const { org, client } = await orgWithAdminClient('flowcode', 'org_admin');
    const caller = asClient(org.id, client.id);
    await expect(
      createScope({ services: s, caller, orgId: org.id }, { kind: 'galaxy', name: 'X' }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    const { result: ws } = await createScope(
      { services: s, caller, orgId: org.id },
      {
        kind: 'workspace',
        name: 'Marketing',
      },
    );
    await expect(
      createScope(
        { services: s, caller, orgId: org.id },
        { parentId: ws.id, kind: 'workspace', name: 'Nested' },
      ),
    ).rejects.toMatchObject({
      code: 'INVALID',
    });
    const { result: m } = await addMember(
      { services: s, caller, orgId: org.id },
      {
        email: 'wsadmin@acme.test',
        roles: [{ role: 'org_user' }, { role: 'workspace_admin', scopeId: ws.id }],
      },
    );
    const { result: ws2 } = await createScope(
      { services: s, caller, orgId: org.id },
      {
        kind: 'workspace',
        name: 'Sales',
      },
    );
    // Acting for the workspace admin: allowed in their workspace, refused in another.
    const forAdmin = asClient(org.id, client.id, m.userId);
    await assignRole(
      { services: s, caller: forAdmin, orgId: org.id },
      {
        subjectId: m.userId,
        role: 'flows_manager',
        scopeId: ws.id,
      },
    );
    await expect(
      assignRole(
        { services: s, caller: forAdmin, orgId: org.id },
        {
          subjectId: m.userId,
          role: 'flows_manager',
          scopeId: ws2.id,
        },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const audit = await listAudit(
      { services: s, caller, orgId: org.id },
      { entityType: 'assignment', limit: 1 },
    );
    expect(audit.items[0]).toMatchObject({
      actorId: client.id,
      onBehalfOf: m.userId,
      action: 'RoleAssigned',
    });
    await expect(
      deleteScope({ services: s, caller, orgId: org.id }, { scopeId: ws.id }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const del = await deleteScope(
      { services: s, caller, orgId: org.id },
      { scopeId: ws.id, cascade: true },
    );
    expect(del.result).toEqual({ deletedScopes: 1, revokedAssignments: 2 });
  });

  it('M7 the last Owner cannot be demoted or removed', async () => {
    const { org, client } = await orgWithAdminClient();
    const caller = asClient(org.id, client.id);
    const engine = await s.engines.get(org.id);
    const owner = engine.snapshot.subjects.find((x) => x.type === 'user')!;
    await expect(
      setMemberRoles(
        { services: s, caller, orgId: org.id },
        { userId: owner.id, roles: [{ role: 'viewer' }] },
      ),
    ).rejects.toMatchObject({
      code: 'INVARIANT',
    });
    await expect(
      removeMember({ services: s, caller, orgId: org.id }, { userId: owner.id }),
    ).rejects.toMatchObject({
      code: 'INVARIANT',
    });
    // Nothing was half-written: still an editor.
    const after = await authz.check(
      { services: s, caller, orgId: org.id },
      {
        subject: owner.id,
        permission: 'roles.assign',
        scope: org.id,
      },
    );
    expect(after.result.allowed).toBe(true);
  });

  it('M6 deactivate denies every check from that revision on; reactivate restores; last owner stays', async () => {
    const { org, client } = await orgWithAdminClient();
    const caller = asClient(org.id, client.id);
    const { result: m } = await addMember(
      { services: s, caller, orgId: org.id },
      {
        email: 'leaver@acme.test',
        roles: [{ role: 'developer' }],
      },
    );
    const ask = { subject: m.userId, permission: 'webhooks.manage', scope: org.id };
    const off = await setMemberStatus(
      { services: s, caller, orgId: org.id },
      {
        userId: m.userId,
        status: 'deactivated',
      },
    );
    expect(
      (await authz.check({ services: s, caller, orgId: org.id }, ask, off.revision)).result.code,
    ).toBe('inactive_subject');
    const on = await setMemberStatus(
      { services: s, caller, orgId: org.id },
      { userId: m.userId, status: 'active' },
    );
    expect(
      (await authz.check({ services: s, caller, orgId: org.id }, ask, on.revision)).result.allowed,
    ).toBe(true);
    const engine = await s.engines.get(org.id);
    const owner = engine.snapshot.subjects.find((x) => x.type === 'user' && x.id !== m.userId)!;
    await expect(
      setMemberStatus(
        { services: s, caller, orgId: org.id },
        { userId: owner.id, status: 'deactivated' },
      ),
    ).rejects.toMatchObject({
      code: 'INVARIANT',
    });
  });

  it('M7 two admins demoting the last two owners at the same moment: exactly one wins', async () => {
    const { org, client } = await orgWithAdminClient();
    const caller = asClient(org.id, client.id);
    const { result: second } = await addMember(
      { services: s, caller, orgId: org.id },
      {
        email: 'second@acme.test',
        roles: [{ role: 'editor' }],
      },
    );
    const engine = await s.engines.get(org.id);
    const first = engine.snapshot.subjects.find(
      (x) => x.type === 'user' && x.id !== second.userId,
    )!;
    const { result: c2 } = await createApiClient(
      { services: s, caller: admin, orgId: org.id },
      {
        name: 'admin-2',
        roles: [{ role: 'editor' }],
      },
    );
    const results = await Promise.allSettled([
      setMemberRoles(
        { services: s, caller, orgId: org.id },
        { userId: first.id, roles: [{ role: 'viewer' }] },
      ),
      setMemberRoles(
        { services: s, caller: asClient(org.id, c2.client.id), orgId: org.id },
        {
          userId: second.userId,
          roles: [{ role: 'viewer' }],
        },
      ),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toMatchObject({ code: 'INVARIANT' });
    const owners = await g.db
      .selectFrom('assignments')
      .select('subject_id')
      .where('org_id', '=', org.id)
      .where('role_key', '=', 'editor')
      .where('subject_type', '=', 'user')
      .execute();
    expect(owners).toHaveLength(1);
  });

  it('A1/A4 every write is audited with a hash chain; T1 update keeps before/after', async () => {
    const { org, client } = await orgWithAdminClient();
    const caller = { ...asClient(org.id, client.id), requestId: 'req_42' };
    await updateOrg(
      { services: s, caller, orgId: org.id },
      {
        description: 'We verify',
        settings: { invitationDays: 3 },
      },
    );
    const rows = await g.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', org.id)
      .orderBy('seq')
      .execute();
    expect(rows.length).toBeGreaterThan(3);
    let prev = GENESIS_HASH;
    for (const r of rows) {
      expect(r.prev_hash).toBe(prev);
      expect(entryHash(prev, r)).toBe(r.hash);
      prev = r.hash;
    }
    const last = rows[rows.length - 1]!;
    expect(last).toMatchObject({
      action: 'Updated',
      entity_type: 'org',
      request_id: 'req_42',
      actor_id: client.id,
      actor_label: 'backend',
    });
    expect(JSON.parse(last.after!)).toMatchObject({
      description: 'We verify',
      settings: { invitationDays: 3 },
    });
    const outbox = await g.db
      .selectFrom('outbox')
      .select('type')
      .where('org_id', '=', org.id)
      .execute();
    expect(outbox.map((o) => o.type)).toContain('org.updated');
  });
});
