/**
 * RFC 7644 conformance, part two, against the real server over HTTP: versions of Groups and of
 * PATCHed Users (§3.14: ETag = meta.version on GET/POST/PUT/PATCH, If-Match → 412,
 * If-None-Match → 304), projections on searches (§3.4.3, §3.9), what is not implemented
 * answering 501 as advertised (/Me; /Bulk is ./bulk.test.ts), and fuzzing of Group and User bodies: every failure
 * a SCIM error (§3.12), never a 500, and a rejected write changes nothing (S6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  ENTERPRISE_URN,
  type Env,
  ERROR_URN,
  GROUP_URN,
  type Org,
  patchBody,
  SEARCH_URN,
  startEnv,
  USER_URN,
  userBody,
} from './harness.js';

function expectError(a: { status: number; body: unknown }, status: number, scimType?: string) {
  expect(a.status).toBe(status);
  expect(a.body).toMatchObject({ schemas: [ERROR_URN], status: String(status) });
  if (scimType) expect(a.body).toMatchObject({ scimType });
}

describe.each(backends)('RFC 7644 conformance (groups, versions, fuzz) on $name', (backend) => {
  let env: Env;
  let org: Org;
  let userId = '';

  beforeAll(async () => {
    env = await startEnv(backend);
    org = await env.newOrg('RFC 7644 part two');
    userId = (await org.scim.users.create({ userName: 'member@rfc.test', displayName: 'M' })).id!;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('S6 Group versions: ETag = meta.version on POST, GET, PUT and PATCH; If-Match; If-None-Match', async () => {
    const created = await org.raw('POST', '/Groups', { schemas: [GROUP_URN], displayName: 'V' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const v1 = created.body.meta.version as string;
    expect(v1).toMatch(/^W\/".+"$/);
    expect(created.headers.get('etag')).toBe(v1);
    expect(created.headers.get('location')).toBe(`${env.url}/scim/v2/Groups/${id}`);
    const got = await org.raw('GET', `/Groups/${id}`);
    expect(got.headers.get('etag')).toBe(v1);

    const notModified = await org.raw('GET', `/Groups/${id}`, undefined, { 'if-none-match': v1 });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    const listed = await org.raw('GET', `/Groups/${id}`, undefined, {
      'if-none-match': `W/"other", ${v1}`,
    });
    expect(listed.status).toBe(304);
    const changed = await org.raw('GET', `/Groups/${id}`, undefined, { 'if-none-match': 'W/"x"' });
    expect(changed.status).toBe(200);

    const body = { schemas: [GROUP_URN], displayName: 'V2', members: [{ value: userId }] };
    expectError(await org.raw('PUT', `/Groups/${id}`, body, { 'if-match': 'W/"stale"' }), 412);
    const put = await org.raw('PUT', `/Groups/${id}`, body, { 'if-match': v1 });
    expect(put.status).toBe(200);
    const v2 = put.body.meta.version as string;
    expect(v2).not.toBe(v1);
    expect(put.headers.get('etag')).toBe(v2);

    const patch = patchBody({ op: 'replace', path: 'displayName', value: 'V3' });
    expectError(await org.raw('PATCH', `/Groups/${id}`, patch, { 'if-match': v1 }), 412);
    const patched = await org.raw('PATCH', `/Groups/${id}`, patch, { 'if-match': v2 });
    expect(patched.status).toBe(204);
    const v3 = patched.headers.get('etag');
    expect(v3).not.toBe(v2);
    expect((await org.raw('GET', `/Groups/${id}`)).body.meta.version).toBe(v3);
    const projected = await org.raw('PATCH', `/Groups/${id}?attributes=displayName`, patch);
    expect(projected.status).toBe(200);
    expect(projected.body).toEqual({ schemas: [GROUP_URN], id, displayName: 'V3' });

    expectError(await org.raw('DELETE', `/Groups/${id}`, undefined, { 'if-match': v2 }), 412);
    expect((await org.raw('GET', `/Groups/${id}`)).body.displayName).toBe('V3');
    expect((await org.raw('DELETE', `/Groups/${id}`, undefined, { 'if-match': '*' })).status).toBe(
      204,
    );
  });

  it('S6 a PATCHed User carries its new version as ETag; a no-op PATCH keeps it', async () => {
    const u = await org.scim.users.create({ userName: 'etag-patch@rfc.test' });
    const a = await org.raw(
      'PATCH',
      `/Users/${u.id}`,
      patchBody({ op: 'replace', path: 'title', value: 'T' }),
    );
    expect(a.status).toBe(200);
    expect(a.headers.get('etag')).toBe(a.body.meta.version);
    expect(a.body.meta.version).not.toBe(u.meta!.version);
    const same = await org.raw(
      'PATCH',
      `/Users/${u.id}`,
      patchBody({ op: 'replace', path: 'title', value: 'T' }),
    );
    expect(same.headers.get('etag')).toBe(a.body.meta.version);
    const inm = await org.raw('GET', `/Users/${u.id}`, undefined, { 'if-none-match': 'W/"x"' });
    expect(inm.status).toBe(200);
  });

  it('S2 attributes and excludedAttributes on searches, lists and single Groups', async () => {
    await org.scim.groups.create({ displayName: 'Projected', members: [{ value: userId }] });
    const users = await org.raw('POST', '/Users/.search', {
      schemas: [SEARCH_URN],
      filter: 'userName eq "member@rfc.test"',
      attributes: ['userName', 'displayName'],
    });
    expect(users.body.Resources).toEqual([
      { schemas: [USER_URN], id: userId, userName: 'member@rfc.test', displayName: 'M' },
    ]);
    const lean = await org.raw('POST', '/Users/.search', {
      schemas: [SEARCH_URN],
      filter: 'userName eq "member@rfc.test"',
      excludedAttributes: ['emails', 'meta', 'groups'],
    });
    const r = lean.body.Resources[0];
    expect(r.userName).toBe('member@rfc.test');
    expect([r.emails, r.meta, r.groups]).toEqual([undefined, undefined, undefined]);
    const root = await org.raw('POST', '/.search', {
      schemas: [SEARCH_URN],
      filter: 'displayName eq "Projected" or displayName eq "M"',
      attributes: ['displayName'],
    });
    expect(root.body.totalResults).toBe(2);
    for (const res of root.body.Resources) {
      expect(Object.keys(res).sort()).toEqual(['displayName', 'id', 'schemas']);
    }
    const groups = await org.raw('GET', '/Groups?excludedAttributes=members,meta');
    for (const g of groups.body.Resources) {
      expect(g.members).toBeUndefined();
      expect(g.meta).toBeUndefined();
    }
    const one = groups.body.Resources.find(
      (g: { displayName: string }) => g.displayName === 'Projected',
    );
    const only = await org.raw('GET', `/Groups/${one.id}?attributes=members.value`);
    expect(only.body).toEqual({ schemas: [GROUP_URN], id: one.id, members: [{ value: userId }] });
  });

  it('S6 uniqueness on every write: renames into a taken userName or externalId, Group externalIds, parallel retries', async () => {
    const a = await org.scim.users.create({ userName: 'taken@rfc.test', externalId: 'ext-taken' });
    const b = await org.scim.users.create({ userName: 'free@rfc.test' });
    const rename = patchBody({ op: 'replace', path: 'userName', value: 'TAKEN@rfc.test' });
    expectError(await org.raw('PATCH', `/Users/${b.id}`, rename), 409, 'uniqueness');
    const put = userBody('free@rfc.test', { externalId: 'ext-taken' });
    expectError(await org.raw('PUT', `/Users/${b.id}`, put), 409, 'uniqueness');
    expect((await org.scim.users.get(b.id!)).externalId).toBeUndefined();
    // externalId is case-exact: another case is another value.
    const other = patchBody({ op: 'add', path: 'externalId', value: 'EXT-TAKEN' });
    expect((await org.raw('PATCH', `/Users/${b.id}`, other)).status).toBe(200);
    expect((await org.raw('PATCH', `/Users/${a.id}`, rename)).status).toBe(200);

    const g = { schemas: [GROUP_URN], displayName: 'Unique', externalId: 'g-ext' };
    expect((await org.raw('POST', '/Groups', g)).status).toBe(201);
    expectError(await org.raw('POST', '/Groups', { ...g, displayName: 'U2' }), 409, 'uniqueness');

    // An identity provider retrying in parallel: exactly one create wins.
    const tries = await Promise.all(
      Array.from({ length: 5 }, () => org.raw('POST', '/Users', userBody('Retry@rfc.test'))),
    );
    expect(tries.map((t) => t.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const t of tries.filter((x) => x.status === 409)) expectError(t, 409, 'uniqueness');
  });

  it('S1 what is advertised as unsupported answers 501 in SCIM error shape: non-GET /Me', async () => {
    expectError(await org.raw('PUT', '/Me', userBody('me@rfc.test')), 501);
    expect(
      (await org.raw('GET', '/Users?filter=userName eq "me@rfc.test"')).body.totalResults,
    ).toBe(0);
    expect((await org.raw('GET', '/ServiceProviderConfig')).body.changePassword.supported).toBe(
      false,
    );
  });

  it('S6 arrays where objects are expected and non-object values are 400 invalidValue, and store nothing', async () => {
    const before = (await org.raw('GET', '/Users?count=0')).body.totalResults;
    for (const body of [
      { schemas: [USER_URN], userName: 'e1@rfc.test', emails: [[{ value: 'e1@rfc.test' }]] },
      { schemas: [USER_URN], userName: 'e2@rfc.test', emails: [5] },
      { schemas: [USER_URN], userName: 'e3@rfc.test', phoneNumbers: [true] },
      { schemas: [USER_URN], userName: 'e4@rfc.test', [ENTERPRISE_URN]: [{ department: 'x' }] },
      { schemas: [USER_URN], userName: 'e5@rfc.test', [ENTERPRISE_URN]: 'x' },
    ]) {
      expectError(await org.raw('POST', '/Users', body), 400, 'invalidValue');
    }
    expect((await org.raw('GET', '/Users?count=0')).body.totalResults).toBe(before);
    const u = await org.scim.users.get(userId);
    for (const ops of [
      [{ op: 'add', path: 'emails', value: [[1]] }],
      [{ op: 'add', path: 'addresses', value: ['street'] }],
      [{ op: 'add', value: { [ENTERPRISE_URN]: [1] } }],
      [{ op: 'replace', path: 'name', value: [1, 2] }],
    ]) {
      expectError(
        await org.raw('PATCH', `/Users/${userId}`, patchBody(...ops)),
        400,
        'invalidValue',
      );
    }
    expect(await org.scim.users.get(userId)).toEqual(u);
  });

  it('S6 never a 500 for Group bodies, Group PATCHes and Group filters; failures change nothing', async () => {
    const g = await org.scim.groups.create({ displayName: 'Fuzzed', members: [{ value: userId }] });
    const cases: Array<[string, string, unknown]> = [
      ['POST', '/Groups', '{"displayName":'],
      ['POST', '/Groups', [{ displayName: 'x' }]],
      ['POST', '/Groups', 'null'],
      ['POST', '/Groups', { schemas: ['urn:nope'], displayName: 'x' }],
      ['POST', '/Groups', { schemas: 'x', displayName: 'x' }],
      ['POST', '/Groups', { schemas: [GROUP_URN] }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 5 }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: '' }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'x'.repeat(1_000_000) }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'n\u0000ul' }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'x', externalId: 5 }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'x', externalId: 'e'.repeat(5000) }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'x', members: 'x' }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'x', members: {} }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'x', members: [[1]] }],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'x', members: [{ value: 5 }] }],
      [
        'POST',
        '/Groups',
        { schemas: [GROUP_URN], displayName: 'x', members: [{ value: 'usr_x' }] },
      ],
      ['POST', '/Groups', { schemas: [GROUP_URN], displayName: 'x', members: [{ value: g.id }] }],
      [
        'POST',
        '/Groups',
        { schemas: [GROUP_URN], displayName: 'x', members: [{ value: 'v'.repeat(5000) }] },
      ],
      ['PUT', `/Groups/${g.id}`, { schemas: [GROUP_URN], displayName: ['x'] }],
      ['PUT', `/Groups/${g.id}`, { schemas: [GROUP_URN] }],
      ['PUT', `/Groups/${g.id}`, '{{'],
      [
        'PUT',
        `/Groups/${g.id}`,
        { schemas: [GROUP_URN], displayName: 'x', members: [{ value: null }] },
      ],
      ['PATCH', `/Groups/${g.id}`, { Operations: { op: 'add' } }],
      ['PATCH', `/Groups/${g.id}`, { Operations: [[]] }],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'move', path: 'displayName', value: 'x' })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 5, value: 'x' })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members[value eq', value: [] })],
      [
        'PATCH',
        `/Groups/${g.id}`,
        patchBody({ op: 'replace', path: 'members[value eq "x"]', value: [] }),
      ],
      [
        'PATCH',
        `/Groups/${g.id}`,
        patchBody({ op: 'remove', path: 'members[value eq "x"].display' }),
      ],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: 'members[nope eq "x"]' })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: 'members[value xx "5"]' })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [[1]] })],
      [
        'PATCH',
        `/Groups/${g.id}`,
        patchBody({ op: 'add', path: 'members', value: [{ value: {} }] }),
      ],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: [1] })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: null })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName.x', value: 'x' })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'id', value: 'x' })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'urn:nope:x', value: 'x' })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', value: 'x' })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', value: { members: 'x' } })],
      ['PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove' })],
      [
        'PATCH',
        `/Groups/${g.id}`,
        patchBody(...new Array(1001).fill({ op: 'add', path: 'externalId', value: 'x' })),
      ],
      ['GET', `/Groups?filter=${encodeURIComponent('members[value eq 5]')}`, undefined],
      [
        'GET',
        `/Groups?filter=${encodeURIComponent('members.display gt "m" and not (displayName pr)')}`,
        undefined,
      ],
      ['GET', `/Groups?filter=${encodeURIComponent('meta.lastModified ge "2020"')}`, undefined],
      ['GET', `/Groups?filter=${encodeURIComponent('displayName eq "\\u0000"')}`, undefined],
      ['GET', `/Groups?filter=${encodeURIComponent('emails pr')}`, undefined],
      ['GET', `/Groups?sortBy=members&sortOrder=descending`, undefined],
      ['GET', `/Groups?sortBy=${encodeURIComponent('urn:nope:x')}`, undefined],
      [
        'GET',
        `/Groups/${g.id}?attributes=${encodeURIComponent('members[value eq "x"]')}`,
        undefined,
      ],
    ];
    for (const [method, path, body] of cases) {
      const a = await org.raw(method, path, body);
      const what = `${method} ${path.slice(0, 80)} ${JSON.stringify(body)?.slice(0, 80)} → ${a.text.slice(0, 200)}`;
      expect(a.status, what).toBeLessThan(500);
      if (a.status >= 400) expect(a.body?.schemas, what).toEqual([ERROR_URN]);
      if (method !== 'GET') expect(a.status, what).toBeGreaterThanOrEqual(400);
    }
    const after = await org.scim.groups.get(g.id!);
    expect(after.displayName).toBe('Fuzzed');
    expect(after.members?.map((m) => m.value)).toEqual([userId]);
    const names = (await org.raw('GET', '/Groups?count=1000')).body.Resources.map(
      (x: { displayName: string }) => x.displayName,
    );
    expect(names).not.toContain('x');
  });
});
