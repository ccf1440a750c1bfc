/**
 * The request sequence of Microsoft's SCIM provisioning tutorial ("Develop and plan
 * provisioning for a SCIM endpoint in Microsoft Entra ID"), with the bodies Entra sends: lookup
 * by userName, POST, PATCH with capitalized ops and `emails[type eq "work"].value`, the manager
 * as a bare id, `"False"` strings, deactivation, group create + member patches, DELETE (S1, S3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  ENTERPRISE_URN,
  type Env,
  GROUP_URN,
  type Org,
  PATCH_URN,
  startEnv,
  USER_URN,
} from './harness.js';

const op = (o: string, path: string | undefined, value?: unknown) => ({
  schemas: [PATCH_URN],
  Operations: [{ op: o, ...(path ? { path } : {}), ...(value === undefined ? {} : { value }) }],
});

describe.each(backends)('Microsoft Entra ID request sequence on $name', (backend) => {
  let env: Env;
  let org: Org;
  let userId = '';
  let managerId = '';
  let groupId = '';
  const userName = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com';

  beforeAll(async () => {
    env = await startEnv(backend);
    org = await env.newOrg('Contoso');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('S2 GET /Users?filter=userName eq "…" finds nothing yet', async () => {
    const a = await org.raw(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
    );
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('S1 POST /Users with the Create User body', async () => {
    const a = await org.raw('POST', '/Users', {
      schemas: [USER_URN, ENTERPRISE_URN],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName,
      active: true,
      emails: [
        {
          primary: true,
          type: 'work',
          value: 'Test_User_fd0ea13b-5d43-4f4c-a4a8-8c72f8c62b38@testuser.com',
        },
      ],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    });
    expect(a.status).toBe(201);
    userId = a.body.id;
    expect(a.body).toMatchObject({
      userName,
      active: true,
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
    });
    const mgr = await org.raw('POST', '/Users', {
      schemas: [USER_URN],
      userName: 'manager@testuser.com',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'manager@testuser.com' }],
    });
    managerId = mgr.body.id;
  });

  it('S2 S6 GET /Users?filter=userName eq "…" (any case) and externalId eq "…" find it; a retried POST is 409', async () => {
    for (const f of [
      `userName eq "${userName.toUpperCase()}"`,
      'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
    ]) {
      const a = await org.raw('GET', `/Users?filter=${encodeURIComponent(f)}`);
      expect(a.body.totalResults).toBe(1);
      expect(a.body.Resources[0].id).toBe(userId);
    }
    const again = await org.raw('POST', '/Users', { schemas: [USER_URN], userName, active: true });
    expect(again.status).toBe(409);
    expect(again.body.scimType).toBe('uniqueness');
    expect((await org.raw('GET', `/Users/${userId}`)).status).toBe(200);
  });

  it('S3 PATCH Update User [multi-valued properties] with "Replace"', async () => {
    const a = await org.raw('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_URN],
      Operations: [
        {
          op: 'Replace',
          path: 'emails[type eq "work"].value',
          value: 'updatedEmail@microsoft.com',
        },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    expect(a.status).toBe(200);
    expect(a.body.emails).toEqual([
      { primary: true, type: 'work', value: 'updatedEmail@microsoft.com' },
    ]);
    expect(a.body.name.familyName).toBe('updatedFamilyName');
  });

  it('S3 PATCH "Add" to emails[type eq "work"].value on a user without a work email creates it', async () => {
    const u = await org.scim.users.create({ userName: 'nowork@testuser.com' });
    const a = await org.raw('PATCH', `/Users/${u.id}`, {
      schemas: [PATCH_URN],
      Operations: [
        { op: 'Replace', path: 'title', value: 'tester' },
        { op: 'Add', path: 'emails[type eq "work"].value', value: 'nowork@joe.com' },
      ],
    });
    expect(a.status).toBe(200);
    expect(a.body.emails).toEqual([{ type: 'work', value: 'nowork@joe.com' }]);
    expect(a.body.title).toBe('tester');
  });

  it('S3 PATCH Update User [single-valued properties]: userName', async () => {
    const renamed = '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com';
    const a = await org.raw('PATCH', `/Users/${userId}`, op('Replace', 'userName', renamed));
    expect(a.status).toBe(200);
    expect(a.body.userName).toBe(renamed);
    const found = await org.raw(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${renamed}"`)}`,
    );
    expect(found.body.totalResults).toBe(1);
  });

  it('S3 PATCH the manager as a bare id, then as [{ $ref: null, value }], then remove it', async () => {
    let a = await org.raw(
      'PATCH',
      `/Users/${userId}`,
      op('Add', `${ENTERPRISE_URN}:manager`, managerId),
    );
    expect(a.status).toBe(200);
    expect(a.body[ENTERPRISE_URN].manager).toEqual({ value: managerId });
    a = await org.raw(
      'PATCH',
      `/Users/${userId}`,
      op('Replace', `${ENTERPRISE_URN}:manager`, [{ $ref: null, value: 'other-mgr' }]),
    );
    expect(a.body[ENTERPRISE_URN].manager).toEqual({ value: 'other-mgr' });
    a = await org.raw('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_URN],
      Operations: [
        {
          op: 'Replace',
          value: { [`${ENTERPRISE_URN}:department`]: 'Finance', displayName: 'Test User' },
        },
        { op: 'Remove', path: `${ENTERPRISE_URN}:manager` },
      ],
    });
    expect(a.body[ENTERPRISE_URN]).toEqual({ department: 'Finance' });
    expect(a.body.displayName).toBe('Test User');
  });

  it('S3 PATCH with null values clears attributes', async () => {
    let a = await org.raw('PATCH', `/Users/${userId}`, op('Replace', 'title', 'Boss'));
    expect(a.body.title).toBe('Boss');
    a = await org.raw('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_URN],
      Operations: [
        { op: 'Replace', path: 'title', value: null },
        { op: 'Replace', value: { displayName: null } },
      ],
    });
    expect(a.body.title).toBeUndefined();
    expect(a.body.displayName).toBeUndefined();
  });

  it('S3 S5 PATCH active "False" (string) deactivates, "True" reactivates, boolean false deactivates', async () => {
    let a = await org.raw('PATCH', `/Users/${userId}`, op('Replace', 'active', 'False'));
    expect(a.status).toBe(200);
    expect(a.body.active).toBe(false);
    a = await org.raw('PATCH', `/Users/${userId}`, op('Replace', 'active', 'True'));
    expect(a.body.active).toBe(true);
    a = await org.raw('PATCH', `/Users/${userId}`, op('Replace', 'active', false));
    expect(a.body.active).toBe(false);
    const r = await org.raw('PATCH', `/Users/${userId}`, op('Replace', 'active', false));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-gatehouse-revision')).toBeNull();
  });

  it('S1 S2 Groups: lookup by displayName (members excluded), POST with the Microsoft schema, GET', async () => {
    const q = `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}`;
    expect((await org.raw('GET', q)).body.totalResults).toBe(0);
    const a = await org.raw('POST', '/Groups', {
      schemas: [
        GROUP_URN,
        'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
      ],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
    });
    expect(a.status).toBe(201);
    groupId = a.body.id;
    const got = await org.raw('GET', `/Groups/${groupId}?excludedAttributes=members`);
    expect(got.status).toBe(200);
    expect(got.body.members).toBeUndefined();
    expect(got.body).toMatchObject({
      displayName: 'displayName',
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    });
    const found = await org.raw('GET', q);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].members).toBeUndefined();
  });

  it('S3 G3 PATCH Update Group [add members], [remove members], [non-member attributes]', async () => {
    let a = await org.raw(
      'PATCH',
      `/Groups/${groupId}`,
      op('Add', 'members', [
        { $ref: null, value: userId },
        { $ref: null, value: managerId },
      ]),
    );
    expect(a.status).toBe(204);
    let g = await org.scim.groups.get(groupId);
    expect(g.members?.map((m) => m.value).sort()).toEqual([userId, managerId].sort());
    a = await org.raw(
      'PATCH',
      `/Groups/${groupId}`,
      op('Remove', 'members', [{ $ref: null, value: managerId }]),
    );
    expect(a.status).toBe(204);
    g = await org.scim.groups.get(groupId);
    expect(g.members?.map((m) => m.value)).toEqual([userId]);
    a = await org.raw(
      'PATCH',
      `/Groups/${groupId}`,
      op('Replace', 'displayName', '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName'),
    );
    expect(a.status).toBe(204);
    g = await org.scim.groups.get(groupId, { excludedAttributes: ['members'] });
    expect(g.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
    const user = await org.scim.users.get(userId);
    expect(user.groups).toEqual([
      expect.objectContaining({ value: groupId, display: g.displayName, type: 'direct' }),
    ]);
  });

  it('S1 S5 DELETE group and user: 204, then 404', async () => {
    expect((await org.raw('DELETE', `/Groups/${groupId}`)).status).toBe(204);
    expect((await org.raw('GET', `/Groups/${groupId}`)).status).toBe(404);
    expect((await org.raw('DELETE', `/Users/${userId}`)).status).toBe(204);
    expect((await org.raw('GET', `/Users/${userId}`)).status).toBe(404);
    expect((await org.raw('DELETE', `/Users/${userId}`)).status).toBe(404);
  });
});
