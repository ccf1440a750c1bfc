/**
 * S4 tenant isolation for groups and memberships, over HTTP with two orgs' tokens: a token never
 * lists, finds, searches or changes another org's groups, and never puts another org's user into
 * its own groups (POST, PUT, PATCH add/replace, no-path add). Users: ./provisioning.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  type Env,
  GROUP_URN,
  type Org,
  patchBody,
  SEARCH_URN,
  startEnv,
} from './harness.js';

describe.each(backends)('S4 group isolation on $name', (backend) => {
  let env: Env;
  let a: Org;
  let b: Org;
  const ids = { ua: '', ub: '', ga: '', gb: '' };

  beforeAll(async () => {
    env = await startEnv(backend);
    a = await env.newOrg('Tenant A');
    b = await env.newOrg('Tenant B');
    ids.ua = (await a.scim.users.create({ userName: 'a-user@iso.test' })).id!;
    ids.ub = (await b.scim.users.create({ userName: 'b-user@iso.test' })).id!;
    ids.ga = (await a.scim.groups.create({ displayName: 'A team', externalId: 'team' })).id!;
    ids.gb = (
      await b.scim.groups.create({
        displayName: 'B team',
        externalId: 'team',
        members: [{ value: ids.ub }],
      })
    ).id!;
  });
  afterAll(async () => {
    await env?.close();
  });

  const found = async (org: Org, method: string, path: string, body?: unknown) => {
    const r = await org.raw(method, path, body);
    expect(r.status, `${method} ${path}`).toBe(200);
    return r.body.Resources.map((x: { id: string }) => x.id) as string[];
  };

  it("S4 another org's groups are never listed, filtered or searched", async () => {
    expect(await found(a, 'GET', '/Groups')).toEqual([ids.ga]);
    for (const f of [
      `id eq "${ids.gb}"`,
      'displayName eq "B team"',
      'externalId eq "team"',
      `members[value eq "${ids.ub}"]`,
      'members pr',
    ]) {
      const q = encodeURIComponent(f);
      expect(await found(a, 'GET', `/Groups?filter=${q}`), f).not.toContain(ids.gb);
      expect(
        await found(a, 'POST', '/Groups/.search', { schemas: [SEARCH_URN], filter: f }),
      ).not.toContain(ids.gb);
    }
    const everything = await found(a, 'POST', '/.search', { schemas: [SEARCH_URN], count: 1000 });
    expect(everything).toEqual(expect.arrayContaining([ids.ua, ids.ga]));
    expect(everything).not.toContain(ids.gb);
    expect(everything).not.toContain(ids.ub);
    const byGroup = encodeURIComponent(
      `groups[value eq "${ids.gb}"] or groups.display eq "B team"`,
    );
    expect(await found(a, 'GET', `/Users?filter=${byGroup}`)).toEqual([]);
  });

  it("S4 another org's user is never added to a group: POST, PUT, PATCH add, replace and no-path add", async () => {
    // A member in the group, so a refused replace is seen to have removed nothing either.
    await a.scim.groups.patch(ids.ga, [{ op: 'add', path: 'members', value: [{ value: ids.ua }] }]);
    const before = await found(a, 'GET', '/Groups');
    const foreign = [{ value: ids.ub }];
    const attempts: Array<[string, string, unknown]> = [
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'Stolen', members: foreign }],
      [
        'PUT',
        `/Groups/${ids.ga}`,
        { schemas: [GROUP_URN], displayName: 'A team', members: [{ value: ids.ua }, ...foreign] },
      ],
      ['PATCH', `/Groups/${ids.ga}`, patchBody({ op: 'add', path: 'members', value: foreign })],
      ['PATCH', `/Groups/${ids.ga}`, patchBody({ op: 'replace', path: 'members', value: foreign })],
      ['PATCH', `/Groups/${ids.ga}`, patchBody({ op: 'Add', value: { members: foreign } })],
    ];
    for (const [method, path, body] of attempts) {
      const r = await a.raw(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.body.scimType).toBe('invalidValue');
    }
    expect(await found(a, 'GET', '/Groups')).toEqual(before);
    const ga = await a.scim.groups.get(ids.ga);
    expect(ga.displayName).toBe('A team');
    expect((ga.members ?? []).map((m) => m.value)).toEqual([ids.ua]);
    await a.scim.groups.patch(ids.ga, [{ op: 'remove', path: 'members' }]);
    const members = await env.server.gatedb.db
      .selectFrom('group_members')
      .select(['org_id', 'group_id'])
      .where('member_id', '=', ids.ub)
      .execute();
    expect(members).toEqual([{ org_id: b.orgId, group_id: ids.gb }]);
  });

  it("S4 another org's groups and their members are never changed", async () => {
    const attempts: Array<[string, string, unknown]> = [
      ['PUT', `/Groups/${ids.gb}`, { schemas: [GROUP_URN], displayName: 'pwned', members: [] }],
      ['PATCH', `/Groups/${ids.gb}`, patchBody({ op: 'replace', path: 'displayName', value: 'x' })],
      ['PATCH', `/Groups/${ids.gb}`, patchBody({ op: 'remove', path: 'members' })],
      ['DELETE', `/Groups/${ids.gb}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      expect((await a.raw(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    // Removing B's user from A's own group is a no-op for B.
    const r = await a.raw(
      'PATCH',
      `/Groups/${ids.ga}`,
      patchBody({ op: 'remove', path: `members[value eq "${ids.ub}"]` }),
    );
    expect(r.status).toBe(204);
    const gb = await b.scim.groups.get(ids.gb);
    expect(gb).toMatchObject({ displayName: 'B team', externalId: 'team' });
    expect(gb.members?.map((m) => m.value)).toEqual([ids.ub]);
    // Nothing in B's audit log was done with A's token.
    const log = await env.admin.api.audit.list.query({ orgId: b.orgId, actorId: a.tokenId });
    expect(log.items).toEqual([]);
  });
});
