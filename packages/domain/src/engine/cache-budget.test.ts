/**
 * Issue 15 "Memory": the engine cache holds at most its budget of engines (by
 * `Engine.estimatedBytes`), dropping the least recently used org first; a dropped org is loaded
 * again at its next check and answers exactly as before, and a write to it still reaches it.
 * On PGlite and PostgreSQL.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, authz, createOrg } from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin } from '../testing.js';

describe.each(testBackends())('issue 15 engine cache budget on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  /** One flowcode org's engine, measured on the first org. */
  let oneEngine = 0;

  beforeAll(async () => {
    g = await backend.open();
  });
  afterAll(async () => {
    await g?.close();
  });

  async function org(n: number) {
    const { result } = await createOrg(
      { services: s, caller: admin },
      {
        name: `Budget ${n}`,
        preset: 'flowcode',
        owner: { email: `owner-${n}-${Date.now()}@budget.test` },
      },
    );
    return result;
  }
  const check = (orgId: string, subject: string) =>
    authz.check(
      { services: s, caller: admin, orgId },
      { subject, permission: 'members.invite', scope: orgId },
    );

  it('issue 15 keeps within the budget, least recently used out; a dropped org reloads and answers the same, writes included', async () => {
    // Measure one engine first, then give the cache room for two and a half of them.
    s = createServices(g.db);
    const probe = await org(0);
    oneEngine = (await s.engines.get(probe.id)).estimatedBytes;
    expect(oneEngine).toBeGreaterThan(0);
    s = createServices(g.db, { engineCacheBytes: Math.floor(oneEngine * 2.5) });
    const orgs = [await org(1), await org(2), await org(3), await org(4)];
    const owners = await Promise.all(
      orgs.map(
        async (o) =>
          (
            await g.db
              .selectFrom('members')
              .select('user_id')
              .where('org_id', '=', o.id)
              .executeTakeFirstOrThrow()
          ).user_id,
      ),
    );
    const first: boolean[] = [];
    for (const [i, o] of orgs.entries()) {
      first.push((await check(o.id, owners[i]!)).result.allowed);
      expect(s.engines.usage.bytes).toBeLessThanOrEqual(s.engines.maxBytes);
    }
    expect(first).toEqual([true, true, true, true]);
    expect(s.engines.usage.engines).toBe(2);
    expect(s.engines.evictions).toBeGreaterThanOrEqual(2);
    // Orgs 3 and 4 were used last: 1 and 2 were dropped.
    expect(s.engines.peek(orgs[0]!.id)).toBeUndefined();
    expect(s.engines.peek(orgs[3]!.id)).toBeDefined();
    // Using org 3 makes it recent: loading org 1 again drops org 4, not org 3.
    await check(orgs[2]!.id, owners[2]!);
    const loads = s.engines.fullLoads;
    expect((await check(orgs[0]!.id, owners[0]!)).result.allowed).toBe(true);
    expect(s.engines.fullLoads).toBe(loads + 1);
    expect(s.engines.peek(orgs[2]!.id)).toBeDefined();
    expect(s.engines.peek(orgs[3]!.id)).toBeUndefined();
    // A write to a dropped org: its next check sees it.
    const { result: m, revision } = await addMember(
      { services: s, caller: admin, orgId: orgs[3]!.id },
      { email: `new-${Date.now()}@budget.test`, roles: [{ role: 'org_admin' }] },
    );
    const d = await authz.check(
      { services: s, caller: admin, orgId: orgs[3]!.id },
      { subject: m.userId, permission: 'members.invite', scope: orgs[3]!.id },
      revision,
    );
    expect(d.result.allowed).toBe(true);
    expect(s.engines.usage.bytes).toBeLessThanOrEqual(s.engines.maxBytes);
  });

  it('issue 15 an engine larger than the whole budget is still served (and kept alone)', async () => {
    s = createServices(g.db, { engineCacheBytes: 1 });
    const a = await org(5);
    const b = await org(6);
    const ownerOf = async (id: string) =>
      (
        await g.db
          .selectFrom('members')
          .select('user_id')
          .where('org_id', '=', id)
          .executeTakeFirstOrThrow()
      ).user_id;
    expect((await check(a.id, await ownerOf(a.id))).result.allowed).toBe(true);
    expect((await check(b.id, await ownerOf(b.id))).result.allowed).toBe(true);
    expect(s.engines.usage.engines).toBe(1);
  });
});
