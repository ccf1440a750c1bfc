/**
 * Okta's SCIM 2.0 test flow ("SCIM 2.0 Spec Test" and Okta's SCIM 2.0 reference) with the
 * bodies Okta sends: the initial paging probes, lookup by userName, POST (with `password` and an
 * empty `groups`), GET by id, PUT of the whole user, PATCH `replace` with no path to deactivate,
 * and group push (create, rename with `id` in the value, `replace members`, `remove members[…]`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  type Env,
  GROUP_URN,
  type Org,
  PATCH_URN,
  startEnv,
  USER_URN,
} from './harness.js';

describe.each(backends)('Okta SCIM 2.0 test flow on $name', (backend) => {
  let env: Env;
  let org: Org;
  let userId = '';
  let groupId = '';
  const second: string[] = [];
  const userName = 'test.user@okta.local';

  beforeAll(async () => {
    env = await startEnv(backend);
    org = await env.newOrg('Okta Customer');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('S2 GET /Users?startIndex=1&count=2 and /Groups?startIndex=1&count=100 answer ListResponses', async () => {
    const u = await org.raw('GET', '/Users?startIndex=1&count=2');
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
    const g = await org.raw('GET', '/Groups?startIndex=1&count=100');
    expect(g.body.Resources).toEqual([]);
  });

  it('S1 S2 GET /Users?filter=userName eq "…"&startIndex=1&count=100 finds no one, then POST creates', async () => {
    const q = `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;
    expect((await org.raw('GET', q)).body.totalResults).toBe(0);
    const a = await org.raw('POST', '/Users', {
      schemas: [USER_URN],
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expect(a.status).toBe(201);
    userId = a.body.id;
    expect(a.body.password).toBeUndefined();
    expect(a.body).toMatchObject({
      userName,
      active: true,
      displayName: 'Test User',
      locale: 'en-US',
    });
    const found = await org.raw('GET', q);
    expect(found.body).toMatchObject({ totalResults: 1, itemsPerPage: 1 });
    expect(found.body.Resources[0].id).toBe(userId);
  });

  it('S1 S2 S6 GET /Users/{id} returns the user; an unknown id is 404; userName lookup is case-insensitive', async () => {
    const a = await org.raw('GET', `/Users/${userId}`);
    expect(a.body).toMatchObject({
      id: userId,
      userName,
      name: { givenName: 'Test', familyName: 'User' },
    });
    expect((await org.raw('GET', '/Users/010101010101010101')).status).toBe(404);
    const upper = await org.raw(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`,
    );
    expect(upper.body.totalResults).toBe(1);
  });

  it('S6 POST of an existing userName is 409 uniqueness', async () => {
    const a = await org.raw('POST', '/Users', { schemas: [USER_URN], userName, active: true });
    expect(a.status).toBe(409);
    expect(a.body.scimType).toBe('uniqueness');
  });

  it('S1 S3 PUT /Users/{id} replaces the profile (Okta sends id, password and groups back)', async () => {
    const a = await org.raw('PUT', `/Users/${userId}`, {
      schemas: [USER_URN],
      id: userId,
      userName,
      name: { givenName: 'Another', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Another User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: 't1meMa$heen',
      active: true,
    });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ name: { givenName: 'Another' }, displayName: 'Another User' });
    expect((await org.scim.users.get(userId)).displayName).toBe('Another User');
  });

  it('S3 S5 PATCH replace with no path and {active:false} deactivates; {active:true} reactivates', async () => {
    let a = await org.raw('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(a.status).toBe(200);
    expect(a.body.active).toBe(false);
    const listed = await org.raw('GET', `/Users?filter=${encodeURIComponent('active eq false')}`);
    expect(listed.body.Resources.map((r: { id: string }) => r.id)).toEqual([userId]);
    a = await org.raw('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(a.body.active).toBe(true);
  });

  it('S3 G3 group push: POST, rename (value carries the id), replace members, remove members[value eq …]', async () => {
    for (const n of ['second', 'third']) {
      second.push((await org.scim.users.create({ userName: `${n}@okta.local` })).id!);
    }
    const created = await org.raw('POST', '/Groups', {
      schemas: [GROUP_URN],
      displayName: 'Test SCIMv2',
      members: [],
    });
    expect(created.status).toBe(201);
    groupId = created.body.id;
    expect((await org.raw('GET', `/Groups/${groupId}`)).body.displayName).toBe('Test SCIMv2');
    const byName = await org.raw(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`,
    );
    expect(byName.body.totalResults).toBe(1);

    const renamed = await org.raw('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 renamed' } }],
    });
    expect(renamed.status).toBe(204);

    const add = await org.raw('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'add', path: 'members', value: [{ value: userId, display: userName }] }],
    });
    expect(add.status).toBe(204);
    const replace = await org.raw('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_URN],
      Operations: [
        {
          op: 'replace',
          path: 'members',
          value: second.map((value) => ({ value, display: value })),
        },
      ],
    });
    expect(replace.status).toBe(204);
    let g = await org.scim.groups.get(groupId);
    expect(g.displayName).toBe('Test SCIMv2 renamed');
    expect(g.members?.map((m) => m.value).sort()).toEqual([...second].sort());

    const remove = await org.raw('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'remove', path: `members[value eq "${second[0]}"]` }],
    });
    expect(remove.status).toBe(204);
    g = await org.scim.groups.get(groupId);
    expect(g.members?.map((m) => m.value)).toEqual([second[1]]);
  });

  it('S1 S3 PUT /Groups/{id} replaces name and members; DELETE removes the group', async () => {
    const a = await org.raw('PUT', `/Groups/${groupId}`, {
      schemas: [GROUP_URN],
      id: groupId,
      displayName: 'Test SCIMv2 put',
      members: [{ value: userId }],
    });
    expect(a.status).toBe(200);
    expect(a.body.members.map((m: { value: string }) => m.value)).toEqual([userId]);
    expect((await org.raw('DELETE', `/Groups/${groupId}`)).status).toBe(204);
    expect((await org.raw('GET', `/Groups/${groupId}`)).status).toBe(404);
  });
});
