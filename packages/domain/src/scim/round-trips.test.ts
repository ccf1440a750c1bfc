/**
 * Issue 15: how many statements one SCIM write sends to the database, counted on both backends
 * by a Kysely plugin that sees every query the domain runs (BEGIN and COMMIT not included; each
 * statement is one round trip). The bounds are today's counts: a change that adds round trips to
 * these paths fails here.
 */
import type { Gatedb } from '@gatehouse/db';
import { QueryCounter, testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inOrg } from '../call.js';
import type { Caller } from '../context.js';
import { groupCommitStats } from '../group-commit.js';
import { createOrg } from '../orgs/index.js';
import { createServices, type Services } from '../services.js';
import {
  changeDirectoryGroup,
  createDirectoryGroup,
  createScimToken,
  type FilterNode,
  listDirectoryUsers,
  provisionDirectoryUser,
  replaceDirectoryUser,
} from './index.js';
import type { AttrDef, ResourceSchema } from './schema.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };

describe.each(testBackends())('statements per SCIM write on $name (issue 15)', (backend) => {
  let g: Gatedb;
  let s: Services;
  const counter = new QueryCounter();
  let scim: Caller;
  let orgId: string;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db.withPlugin(counter));
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      { name: 'Round trips', preset: 'flowcode', owner: { email: 'owner@rt.example' } },
    );
    orgId = org.id;
    const { result: issued } = await createScimToken(
      { services: s, caller: admin, orgId },
      { name: 'IdP' },
    );
    scim = { principal: { kind: 'scim', orgId, tokenId: issued.scimToken.id }, source: 'scim' };
  });
  afterAll(async () => {
    await g?.close();
  });

  const doc = (n: number) => ({
    userName: `u${n}@rt.example`,
    externalId: `ext-${n}`,
    email: `u${n}@rt.example`,
    name: `User ${n}`,
    active: true,
    doc: { userName: `u${n}@rt.example` },
  });

  async function count(run: () => Promise<unknown>): Promise<string[]> {
    counter.kinds = [];
    await run();
    return counter.kinds;
  }

  it('S1: POST /Users (provision a new user) sends a bounded number of statements', async () => {
    // Warm: the org's engine is cached after a first write.
    await provisionDirectoryUser(inOrg({ services: s, caller: scim }, orgId), doc(0));
    const kinds = await count(() =>
      provisionDirectoryUser(inOrg({ services: s, caller: scim }, orgId), doc(1)),
    );
    console.log(`${backend.name}: provision ${kinds.length} statements: ${kinds.join(' ')}`);
    // Lock+bump with audit head, user (found or created in one statement), member with its
    // SCIM columns (one insert, whose unique indexes are the uniqueness check), role, the
    // journal catch-up (keys and changed rows in one `journal_rows` call, migration 0023),
    // audit+outbox+notify. 21 before issue 15, 11 before group commit, 8 before the member
    // insert took the SCIM columns and the uniqueness check.
    expect(kinds.length).toBeLessThanOrEqual(6);
  });

  it('S3: PUT /Users/:id (replace) sends a bounded number of statements', async () => {
    const { result: u } = await provisionDirectoryUser(
      inOrg({ services: s, caller: scim }, orgId),
      doc(2),
    );
    const kinds = await count(() =>
      replaceDirectoryUser(inOrg({ services: s, caller: scim }, orgId), {
        userId: u.userId,
        input: { ...doc(2), name: 'Renamed' },
      }),
    );
    console.log(`${backend.name}: replace ${kinds.length} statements: ${kinds.join(' ')}`);
    // 19 before issue 15, 12 before the one-call catch-up.
    expect(kinds.length).toBeLessThanOrEqual(10);
  });
  it('S3: PATCH /Groups/:id adding 20 members sends a bounded number of statements', async () => {
    const call = inOrg({ services: s, caller: scim }, orgId);
    const users: string[] = [];
    for (let n = 30; n < 50; n++)
      users.push((await provisionDirectoryUser(call, doc(n))).result.userId);
    const { result: group } = await createDirectoryGroup(call, {
      displayName: 'Patched',
      externalId: null,
      userIds: [],
    });
    const kinds = await count(() =>
      changeDirectoryGroup(call, {
        groupId: group.groupId,
        changes: [{ kind: 'addMembers', userIds: users }],
      }),
    );
    console.log(`${backend.name}: group PATCH ${kinds.length} statements: ${kinds.join(' ')}`);
    // Lock+bump, the group, find-and-insert the members, touch returning the group, the
    // journal's keys and changes, audit+outbox+notify. 10 before find-and-insert and touch
    // returning the group were one statement each.
    expect(kinds.length).toBeLessThanOrEqual(8);
  });

  it('issue 15 group commit: 8 concurrent POST /Users in one batch send fewer statements than 8 alone', async () => {
    const before = { ...groupCommitStats };
    const kinds = await count(() =>
      Promise.all(
        [10, 11, 12, 13, 14, 15, 16, 17].map((n) =>
          provisionDirectoryUser(inOrg({ services: s, caller: scim }, orgId), doc(n)),
        ),
      ),
    );
    expect(groupCommitStats.batches - before.batches).toBe(1);
    expect(groupCommitStats.replays - before.replays).toBe(0);
    expect(groupCommitStats.batched - before.batched).toBe(8);
    console.log(
      `${backend.name}: 8 provisions in one batch ${kinds.length} statements (${(kinds.length / 8).toFixed(1)} a write, one BEGIN/COMMIT)`,
    );
    // The lock, the audit/outbox/NOTIFY statement and the commit are shared, a batch in which
    // no write fails takes no savepoints, and like writes run set-based (../write-batch.ts):
    // the lock, ONE statement for every user, member and role, ONE journal catch-up, the
    // audit/outbox/NOTIFY statement. 8 x 6 alone; 41 in one batch with savepoints, 34 without,
    // 4 set-based.
    expect(kinds.length).toBeLessThanOrEqual(4);
  });

  it('issue 15: 8 concurrent group PATCHes adding 20 members each run as one set-based step', async () => {
    const call = inOrg({ services: s, caller: scim }, orgId);
    const users: string[] = [];
    for (let n = 60; n < 80; n++)
      users.push((await provisionDirectoryUser(call, doc(n))).result.userId);
    const groups: string[] = [];
    for (let n = 0; n < 8; n++) {
      const { result } = await createDirectoryGroup(call, {
        displayName: `Batched ${n}`,
        externalId: null,
        userIds: [],
      });
      groups.push(result.groupId);
    }
    const before = { ...groupCommitStats };
    const kinds = await count(() =>
      Promise.all(
        groups.map((groupId) =>
          changeDirectoryGroup(call, {
            groupId,
            changes: [{ kind: 'addMembers', userIds: users }],
          }),
        ),
      ),
    );
    expect(groupCommitStats.batches - before.batches).toBe(1);
    expect(groupCommitStats.replays - before.replays).toBe(0);
    expect(groupCommitStats.batched - before.batched).toBe(8);
    console.log(`${backend.name}: 8 group PATCHes in one batch ${kinds.length} statements`);
    // The lock, ONE statement reading, filling and touching every group, the journal catch-up,
    // the audit/outbox/NOTIFY statement. 8 x 3 + 3 before they ran set-based.
    expect(kinds.length).toBeLessThanOrEqual(4);
  });

  it('issue 15: a GET /Users by userName (total, page and groups) is one statement; totals stay right', async () => {
    const str = (name: string): AttrDef => ({
      name,
      type: 'string',
      multiValued: false,
      caseExact: false,
      mutable: true,
      returned: 'default',
      sub: [],
    });
    const schema: ResourceSchema = {
      name: 'User',
      endpoint: '/Users',
      urn: 'urn:ietf:params:scim:schemas:core:2.0:User',
      attrs: [str('userName'), str('externalId'), str('displayName')],
      extensions: new Map(),
    };
    const call = inOrg({ services: s, caller: scim }, orgId);
    const eq = (value: string): FilterNode => ({
      kind: 'compare',
      path: 'userName',
      op: 'eq',
      value,
    });
    const first = await listDirectoryUsers(call, {
      schema,
      filter: eq('u0@rt.example'),
      startIndex: 1,
      count: 1,
    });
    const { result: group } = await createDirectoryGroup(call, {
      displayName: 'Lookups',
      externalId: null,
      userIds: [first.items[0]!.userId],
    });
    const lookup = (filter: FilterNode | undefined, startIndex = 1, count = 10) =>
      listDirectoryUsers(call, { schema, filter, startIndex, count }, { withGroups: true });
    let page!: Awaited<ReturnType<typeof lookup>>;
    const kinds = await count(async () => {
      page = await lookup(eq('U0@RT.EXAMPLE'));
    });
    expect(kinds).toHaveLength(1);
    expect(page.total).toBe(1);
    expect(page.items.map((u) => u.userName)).toEqual(['u0@rt.example']);
    expect(page.groups?.get(page.items[0]!.userId)).toEqual([
      { id: group.groupId, name: 'Lookups' },
    ]);
    // No match; a page past the end; only the total: the total is still right.
    expect(await lookup(eq('nobody@rt.example'))).toMatchObject({ total: 0, items: [] });
    const all = await lookup(undefined);
    expect(all.total).toBeGreaterThanOrEqual(2);
    expect(await lookup(undefined, all.total + 1)).toMatchObject({ total: all.total, items: [] });
    expect(await lookup(undefined, 1, 0)).toMatchObject({ total: all.total, items: [] });
    expect((await lookup(undefined, 2, 1)).items[0]?.userId).toBe(all.items[1]?.userId);
    // A pinned lookup past its one match, or with a full page, still counts.
    expect(await lookup(eq('u0@rt.example'), 2)).toMatchObject({ total: 1, items: [] });
    expect((await lookup(eq('u0@rt.example'), 1, 1)).total).toBe(1);
    // A sorted first page that is not full is one statement too, with the right total.
    let sorted!: Awaited<ReturnType<typeof lookup>>;
    const sortKinds = await count(async () => {
      sorted = await listDirectoryUsers(call, {
        schema,
        sortBy: 'userName',
        startIndex: 1,
        count: 1000,
      });
    });
    expect(sortKinds).toHaveLength(1);
    expect(sorted.total).toBe(all.total);
    const names = sorted.items.map((u) => u.userName);
    expect(names).toEqual([...names].sort());
    expect(
      await listDirectoryUsers(call, { schema, sortBy: 'userName', startIndex: 2, count: 1 }),
    ).toMatchObject({ total: all.total, items: [expect.objectContaining({ userName: names[1] })] });
  });
});
