/**
 * X1 S1–S6: the SDK's typed SCIM client (`createScimClient`, `scimFilter`, `ScimError`) against
 * the real server: list / search / all / get / create / replace / patch / delete for users and
 * groups, filters built with `scimFilter`, pagination, projections, `ifMatch`, discovery,
 * errors, and `lastRevision` for read-your-writes checks (C6).
 */
import {
  createScimClient,
  SCIM_ENTERPRISE_URN,
  SCIM_GROUP_URN,
  SCIM_USER_URN,
  ScimError,
  type ScimUser,
  scimFilter,
} from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type Env, type Org, startEnv } from './harness.js';

/** The ScimError a promise rejects with. */
async function scimErrorOf(p: Promise<unknown>): Promise<ScimError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ScimError);
  return e as ScimError;
}

describe.each(backends)('X1 SDK SCIM client on $name', (backend) => {
  let env: Env;
  let org: Org;
  const made: ScimUser[] = [];

  beforeAll(async () => {
    env = await startEnv(backend);
    org = await env.newOrg('SDK');
    for (const [i, n] of ['ada', 'bob', 'cy "the quoted" x', 'dee', 'eve'].entries()) {
      made.push(
        await org.scim.users.create({
          userName: `user${i}@sdk.test`,
          displayName: n,
          emails: [{ value: `user${i}@sdk.test`, type: i % 2 ? 'home' : 'work', primary: true }],
          [SCIM_ENTERPRISE_URN]: { department: i < 2 ? 'R&D' : 'Sales' },
        }),
      );
    }
  });
  afterAll(async () => {
    await env?.close();
  });

  it('X1 S1 users: create adds the schema, get projects, replace and patch return the resource', async () => {
    const u = await org.scim.users.create({ userName: 'typed@sdk.test', title: 'A' });
    expect(u.schemas).toEqual([SCIM_USER_URN]);
    expect(u.id).toMatch(/^usr_/);
    expect(u.meta?.version).toMatch(/^W\//);
    const lean = await org.scim.users.get(u.id!, { attributes: ['userName'] });
    expect(lean).toEqual({ schemas: [SCIM_USER_URN], id: u.id, userName: 'typed@sdk.test' });
    const noMeta = await org.scim.users.get(u.id!, { excludedAttributes: ['meta', 'emails'] });
    expect(noMeta.meta).toBeUndefined();
    expect(noMeta.title).toBe('A');
    const replaced = await org.scim.users.replace(u.id!, {
      userName: 'typed@sdk.test',
      title: 'B',
    });
    expect(replaced.title).toBe('B');
    const patched = await org.scim.users.patch(u.id!, [
      { op: 'replace', path: 'title', value: 'C' },
    ]);
    expect(patched?.title).toBe('C');
    expect(org.scim.lastRevision).toBeGreaterThan(0);
    await org.scim.users.delete(u.id!);
    const gone = await scimErrorOf(org.scim.users.get(u.id!));
    expect(gone.status).toBe(404);
  });

  it('X1 S2 users: list and search with scimFilter, pagination and all()', async () => {
    const byName = await org.scim.users.list({
      filter: scimFilter.eq('userName', 'USER1@sdk.test'),
    });
    expect(byName.Resources.map((r) => r.id)).toEqual([made[1]!.id]);
    const quoted = await org.scim.users.search({
      filter: scimFilter.eq('displayName', 'cy "the quoted" x'),
    });
    expect(quoted.Resources.map((r) => r.id)).toEqual([made[2]!.id]);
    const complex = await org.scim.users.list({
      filter: scimFilter.and(
        scimFilter.valuePath('emails', scimFilter.eq('type', 'work')),
        scimFilter.not(scimFilter.eq(`${SCIM_ENTERPRISE_URN}:department`, 'Sales')),
      ),
    });
    expect(complex.Resources.map((r) => r.id)).toEqual([made[0]!.id]);
    const either = await org.scim.users.search({
      filter: scimFilter.or(scimFilter.sw('displayName', 'd'), scimFilter.ew('displayName', 've')),
      sortBy: 'displayName',
      sortOrder: 'descending',
      attributes: ['displayName'],
    });
    expect(either.Resources).toEqual([
      expect.objectContaining({ displayName: 'eve' }),
      expect.objectContaining({ displayName: 'dee' }),
    ]);
    expect(either.Resources[0]!.userName).toBeUndefined();
    const page = await org.scim.users.list({ startIndex: 2, count: 2, sortBy: 'userName' });
    expect(page).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(page.Resources.map((r) => r.userName)).toEqual(['user1@sdk.test', 'user2@sdk.test']);
    const seen: string[] = [];
    for await (const u of org.scim.users.all({ count: 2, filter: scimFilter.pr('title') })) {
      seen.push(u.id!);
    }
    expect(seen).toEqual([]);
    for await (const u of org.scim.users.all({
      count: 2,
      filter: scimFilter.co('userName', 'sdk'),
    })) {
      seen.push(u.id!);
    }
    expect(seen.sort()).toEqual(made.map((u) => u.id!).sort());
  });

  it('X1 S1 groups: create, list, search, all, get, replace, patch (204 → undefined), delete', async () => {
    const g = await org.scim.groups.create({
      displayName: 'SDK group',
      members: [{ value: made[0]!.id! }],
    });
    expect(g.schemas).toEqual([SCIM_GROUP_URN]);
    expect(g.members?.map((m) => m.value)).toEqual([made[0]!.id]);
    const listed = await org.scim.groups.list({
      filter: scimFilter.eq('displayName', 'sdk GROUP'),
    });
    expect(listed.Resources.map((r) => r.id)).toEqual([g.id]);
    const searched = await org.scim.groups.search({
      filter: scimFilter.valuePath('members', scimFilter.eq('value', made[0]!.id!)),
      excludedAttributes: ['members'],
    });
    expect(searched.Resources).toEqual([expect.objectContaining({ id: g.id })]);
    expect(searched.Resources[0]!.members).toBeUndefined();
    const all: string[] = [];
    for await (const x of org.scim.groups.all()) all.push(x.id!);
    expect(all).toEqual([g.id]);
    const replaced = await org.scim.groups.replace(g.id!, {
      displayName: 'SDK group 2',
      members: [{ value: made[1]!.id! }, { value: made[2]!.id! }],
    });
    expect(replaced.members?.map((m) => m.value).sort()).toEqual([made[1]!.id, made[2]!.id].sort());
    const patched = await org.scim.groups.patch(g.id!, [
      { op: 'remove', path: `members[value eq "${made[1]!.id}"]` },
    ]);
    expect(patched).toBeUndefined();
    expect((await org.scim.groups.get(g.id!)).members?.map((m) => m.value)).toEqual([made[2]!.id]);
    await org.scim.groups.delete(g.id!);
    expect((await scimErrorOf(org.scim.groups.get(g.id!))).status).toBe(404);
  });

  it('X1 S6 ifMatch: a stale version is 412, the current one succeeds; errors carry status and scimType', async () => {
    const u = await org.scim.users.create({ userName: 'versions@sdk.test' });
    const v1 = u.meta!.version!;
    const v2 = (await org.scim.users.patch(u.id!, [{ op: 'add', path: 'title', value: 'x' }]))!
      .meta!.version!;
    expect(v2).not.toBe(v1);
    const stale = await scimErrorOf(org.scim.users.replace(u.id!, u, { ifMatch: v1 }));
    expect(stale.status).toBe(412);
    expect(
      (
        await scimErrorOf(
          org.scim.users.patch(u.id!, [{ op: 'remove', path: 'title' }], { ifMatch: v1 }),
        )
      ).status,
    ).toBe(412);
    expect((await scimErrorOf(org.scim.users.delete(u.id!, { ifMatch: v1 }))).status).toBe(412);
    const ok = await org.scim.users.replace(
      u.id!,
      { userName: 'versions@sdk.test' },
      { ifMatch: v2 },
    );
    await org.scim.users.delete(u.id!, { ifMatch: ok.meta!.version! });

    const dup = await scimErrorOf(org.scim.users.create({ userName: 'USER0@sdk.test' }));
    expect(dup).toMatchObject({ status: 409, scimType: 'uniqueness' });
    expect(dup.detail).toContain('userName');
    const bad = await scimErrorOf(org.scim.users.list({ filter: 'userName eq' }));
    expect(bad).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    const denied = createScimClient({ url: env.url, token: 'sct_nope.nope' });
    expect((await scimErrorOf(denied.users.list())).status).toBe(401);
  });

  it('X1 S1 S2 discovery and the cross-type search', async () => {
    const spc = await org.scim.serviceProviderConfig();
    expect(spc).toMatchObject({ patch: { supported: true }, bulk: { supported: true } });
    const types = await org.scim.resourceTypes();
    expect(types.Resources.map((r) => r.id).sort()).toEqual(['Group', 'User']);
    const schemas = await org.scim.schemas();
    expect(schemas.Resources.map((r) => r.id)).toContain(SCIM_ENTERPRISE_URN);
    await org.scim.groups.create({ displayName: 'Cross' });
    const both = await org.scim.search({ count: 0 });
    const users = (await org.scim.users.list({ count: 0 })).totalResults;
    const groups = (await org.scim.groups.list({ count: 0 })).totalResults;
    expect(both.totalResults).toBe(users + groups);
    const cross = await org.scim.search({ filter: scimFilter.eq('displayName', 'cross') });
    expect(cross.Resources).toEqual([expect.objectContaining({ displayName: 'Cross' })]);
  });
});
