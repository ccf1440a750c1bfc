/**
 * T3 M4 seed 004: in the identity-platform preset a module role set at a sub-organization
 * replaces the inherited one of that module (override slots); the directory lists the inherited
 * role with the assignment that wins over it.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, authz, createOrg, createScope, listDirectory } from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin } from '../testing.js';

describe.each(testBackends())('directory with override slots on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  let orgId: string;
  let sub: string;
  let userId: string;

  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db);
    const call = () => ({ services: s, caller: admin, orgId });
    orgId = (
      await createOrg(
        { services: s, caller: admin },
        { name: 'Override Co', preset: 'identity-platform', owner: { email: 'o@ov.test' } },
      )
    ).result.id;
    sub = (await createScope(call(), { kind: 'sub_organization', name: 'EU' })).result.id;
    userId = (
      await addMember(call(), {
        email: 'narrowed@ov.test',
        roles: [{ role: 'workflows_write' }, { role: 'workflows_read', scopeId: sub }],
      })
    ).result.userId;
  });
  afterAll(async () => {
    await g?.close();
  });

  it('T3 seed 004: org write + sub-org read is read-only at the sub-org', async () => {
    const q = (scope: string, permission: string) =>
      authz.check({ services: s, caller: admin, orgId }, { subject: userId, permission, scope });
    expect((await q(orgId, 'workflows.write')).result.allowed).toBe(true);
    expect((await q(sub, 'workflows.write')).result.allowed).toBe(false);
    expect((await q(sub, 'workflows.read')).result.allowed).toBe(true);
  });

  it('T3 M4 seed 004: the sub-org directory shows the winning role and the overridden one', async () => {
    const page = await listDirectory(
      { services: s, caller: admin, orgId },
      { scopeId: sub, search: 'narrowed@' },
    );
    const roles = page.items[0]!.roles;
    const read = roles.find((r) => r.role === 'workflows_read')!;
    const write = roles.find((r) => r.role === 'workflows_write')!;
    expect(read).toMatchObject({ scopeId: sub, membership: 'direct' });
    expect(read.overriddenBy).toBeUndefined();
    expect(write).toMatchObject({
      scopeId: orgId,
      membership: 'inherited',
      overriddenBy: [{ assignmentId: read.assignmentId, role: 'workflows_read', scopeId: sub }],
    });
  });
});
