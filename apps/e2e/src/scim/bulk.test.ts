/**
 * RFC 7644 §3.7 Bulk against the real server over HTTP: users and a group that references them
 * by bulkId in one request (S1), PUT / PATCH / DELETE by bulkId with their versions (S5, S6),
 * a failing operation that changes nothing while the others go on (S6 uniqueness), bulkIds that
 * cannot be resolved, failOnErrors, limits (413 tooMany, body size), bad syntax (400, nothing
 * written), another org's ids (S4: 404), and what ServiceProviderConfig advertises.
 */
import { groupCommitStats } from '@gatehouse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  type Env,
  ERROR_URN,
  GROUP_URN,
  type Org,
  PATCH_URN,
  startEnv,
  userBody,
} from './harness.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

type Op = Record<string, unknown>;
const bulk = (Operations: unknown, extra: Record<string, unknown> = {}) => ({
  schemas: [BULK_REQUEST],
  Operations,
  ...extra,
});
const postUser = (bulkId: string, userName: string): Op => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: userBody(userName),
});

describe.each(backends)('RFC 7644 §3.7 Bulk on $name', (backend) => {
  let env: Env;
  let org: Org;
  let other: Org;

  beforeAll(async () => {
    env = await startEnv(backend);
    org = await env.newOrg('Bulk');
    other = await env.newOrg('Bulk other');
  });
  afterAll(async () => {
    await env?.close();
  });

  const userNamed = async (o: Org, userName: string) =>
    (await o.raw('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body
      .Resources[0];
  const userCount = async (o: Org) =>
    (await o.raw('GET', '/Users?count=0')).body.totalResults as number;

  it('S1 RFC 7644 §3.7 ServiceProviderConfig advertises bulk with the enforced limits', async () => {
    const a = await org.raw('GET', '/ServiceProviderConfig');
    expect(a.body.bulk).toEqual({
      supported: true,
      maxOperations: 1000,
      maxPayloadSize: 1024 * 1024,
    });
  });

  it('S1 RFC 7644 §3.7 creates users and a group whose members reference them by bulkId', async () => {
    const a = await org.raw(
      'POST',
      '/Bulk',
      bulk([
        postUser('u1', 'ada@bulk.test'),
        postUser('u2', 'bob@bulk.test'),
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g1',
          data: {
            schemas: [GROUP_URN],
            displayName: 'Bulk team',
            members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }],
          },
        },
      ]),
    );
    expect(a.status).toBe(200);
    expect(a.body.schemas).toEqual([BULK_RESPONSE]);
    const ops = a.body.Operations;
    expect(ops.map((o: Op) => [o.method, o.bulkId, o.status])).toEqual([
      ['POST', 'u1', '201'],
      ['POST', 'u2', '201'],
      ['POST', 'g1', '201'],
    ]);
    const ada = await userNamed(org, 'ada@bulk.test');
    const bob = await userNamed(org, 'bob@bulk.test');
    expect(ops[0].location).toBe(ada.meta.location);
    expect(ops[0].version).toBe(ada.meta.version);
    expect(ops[2].location).toMatch(/\/scim\/v2\/Groups\/[^/]+$/);
    const group = await org.raw('GET', new URL(ops[2].location).pathname.replace('/scim/v2', ''));
    expect(group.status).toBe(200);
    expect(group.body.meta.version).toBe(ops[2].version);
    expect(group.body.members.map((m: { value: string }) => m.value).sort()).toEqual(
      [ada.id, bob.id].sort(),
    );
  });

  it('S5 S6 RFC 7644 §3.7 PUT, PATCH and DELETE by bulkId path, with version as If-Match', async () => {
    const a = await org.raw(
      'POST',
      '/Bulk',
      bulk([
        postUser('c', 'cy@bulk.test'),
        {
          method: 'PATCH',
          path: '/Users/bulkId:c',
          data: {
            schemas: [PATCH_URN],
            Operations: [{ op: 'replace', path: 'displayName', value: 'Cy' }],
          },
        },
        {
          method: 'PUT',
          path: '/Users/bulkId:c',
          version: 'W/"not-the-version"',
          data: userBody('cy@bulk.test', { displayName: 'Stale' }),
        },
        { method: 'DELETE', path: '/Users/bulkId:c' },
      ]),
    );
    expect(a.status).toBe(200);
    const ops = a.body.Operations;
    expect(ops.map((o: Op) => o.status)).toEqual(['201', '200', '412', '204']);
    expect(ops[2].response).toMatchObject({ schemas: [ERROR_URN], status: '412' });
    expect(ops[3].location).toBe(ops[0].location);
    const gone = await org.raw('GET', new URL(ops[0].location).pathname.replace('/scim/v2', ''));
    expect(gone.status).toBe(404);
  });

  it('S6 RFC 7644 §3.7 a failing operation changes nothing and the others go on', async () => {
    const before = await userCount(org);
    const a = await org.raw(
      'POST',
      '/Bulk',
      bulk([
        postUser('d1', 'dee@bulk.test'),
        postUser('d2', 'dee@bulk.test'),
        postUser('d3', 'eve@bulk.test'),
      ]),
    );
    expect(a.status).toBe(200);
    const ops = a.body.Operations;
    expect(ops.map((o: Op) => o.status)).toEqual(['201', '409', '201']);
    expect(ops[1].response).toMatchObject({
      schemas: [ERROR_URN],
      status: '409',
      scimType: 'uniqueness',
    });
    expect(ops[1].location).toBeUndefined();
    expect(await userCount(org)).toBe(before + 2);
  });

  it('RFC 7644 §3.7 an unknown or failed bulkId cannot be resolved: 409 invalidValue', async () => {
    const a = await org.raw(
      'POST',
      '/Bulk',
      bulk([
        postUser('f1', 'not an email'),
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'fg',
          data: { schemas: [GROUP_URN], displayName: 'Refs', members: [{ value: 'bulkId:f1' }] },
        },
        { method: 'DELETE', path: '/Users/bulkId:nowhere' },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'later',
          data: { schemas: [GROUP_URN], displayName: 'Later', members: [{ value: 'bulkId:f9' }] },
        },
        postUser('f9', 'fay@bulk.test'),
      ]),
    );
    expect(a.status).toBe(200);
    const ops = a.body.Operations;
    expect(Number(ops[0].status)).toBeGreaterThanOrEqual(400);
    for (const i of [1, 2, 3]) {
      expect(ops[i].status).toBe('409');
      expect(ops[i].response).toMatchObject({ status: '409', scimType: 'invalidValue' });
    }
    expect(ops[4].status).toBe('201');
    const groups = await org.raw(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "Refs" or displayName eq "Later"')}`,
    );
    expect(groups.body.totalResults).toBe(0);
  });

  // A userName two creations of one run share goes to the first: the S6 test above.
  it('S1 RFC 7644 §3.7 consecutive user creations run together (issue 15), answered in order', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `run${i}@bulk.test`);
    const ops = names.map((n, i) => postUser(`r${i}`, n));
    const before = { ...groupCommitStats };
    const a = await org.raw('POST', '/Bulk', bulk(ops));
    expect(a.status).toBe(200);
    const results = a.body.Operations as Op[];
    expect(results.map((o) => o.bulkId)).toEqual(ops.map((o) => o.bulkId));
    expect(results.map((o) => o.status)).toEqual(names.map(() => '201'));
    // Each location is the user its operation named.
    for (const [i, name] of names.entries()) {
      const found = await userNamed(org, name);
      expect(results[i]!.location).toBe(found.meta.location);
    }
    // The server's group commit wrote them set-based, in batches, not one by one.
    expect(groupCommitStats.batched - before.batched).toBeGreaterThanOrEqual(names.length - 1);
    expect(groupCommitStats.batches - before.batches).toBeLessThan(names.length / 2);
  });

  it('RFC 7644 §3.7 failOnErrors stops after that many errors', async () => {
    const a = await org.raw(
      'POST',
      '/Bulk',
      bulk(
        [
          postUser('h1', 'hal@bulk.test'),
          postUser('h2', 'hal@bulk.test'),
          { method: 'DELETE', path: '/Users/no-such-user' },
          postUser('h4', 'ivy@bulk.test'),
        ],
        { failOnErrors: 2 },
      ),
    );
    expect(a.status).toBe(200);
    expect(a.body.Operations.map((o: Op) => o.status)).toEqual(['201', '409', '404']);
    expect(await userNamed(org, 'ivy@bulk.test')).toBeUndefined();
  });

  it('S6 RFC 7644 §3.7 more than 1000 operations is 413 tooMany, a body over the limit 413', async () => {
    const before = await userCount(org);
    const many = Array.from({ length: 1001 }, (_, i) => postUser(`m${i}`, `m${i}@bulk.test`));
    const a = await org.raw('POST', '/Bulk', bulk(many));
    expect(a.status).toBe(413);
    expect(a.body).toMatchObject({ schemas: [ERROR_URN], status: '413', scimType: 'tooMany' });
    const big = bulk([
      {
        ...postUser('big', 'big@bulk.test'),
        data: userBody('big@bulk.test', { nickName: 'x'.repeat(1024 * 1024) }),
      },
    ]);
    const b = await org.raw('POST', '/Bulk', big);
    expect(b.status).toBe(413);
    expect(b.body).toMatchObject({ schemas: [ERROR_URN], status: '413' });
    expect(await userCount(org)).toBe(before);
  });

  it('S6 RFC 7644 §3.7 a malformed BulkRequest is a 400 and writes nothing', async () => {
    const before = await userCount(org);
    const good = postUser('s', 'syntax@bulk.test');
    const cases: Array<[unknown, string]> = [
      [{ schemas: ['urn:wrong'], Operations: [good] }, 'invalidSyntax'],
      [{ Operations: [good] }, 'invalidSyntax'],
      [bulk({ method: 'POST' }), 'invalidSyntax'],
      [bulk([good, { method: 'GET', path: '/Users/x' }]), 'invalidSyntax'],
      [bulk([good, { method: 'POST', path: '/Things', bulkId: 't', data: {} }]), 'invalidSyntax'],
      [bulk([good, { method: 'POST', path: '/Users/x', bulkId: 't', data: {} }]), 'invalidSyntax'],
      [bulk([good, { method: 'DELETE', path: '/Users' }]), 'invalidSyntax'],
      [
        bulk([good, { method: 'POST', path: '/Users', data: userBody('n@bulk.test') }]),
        'invalidSyntax',
      ],
      [bulk([good, { method: 'PUT', path: '/Users/x' }]), 'invalidSyntax'],
      [bulk([good, 'nope']), 'invalidSyntax'],
      [bulk([good, { method: 'DELETE', path: '/Users/%zz' }]), 'invalidSyntax'],
      [bulk([good, postUser('s', 'dup@bulk.test')]), 'invalidValue'],
      [bulk([good], { failOnErrors: 0 }), 'invalidValue'],
      [[good], 'invalidSyntax'],
    ];
    for (const [body, scimType] of cases) {
      const a = await org.raw('POST', '/Bulk', body);
      expect(a.status, JSON.stringify(body)).toBe(400);
      expect(a.body).toMatchObject({ schemas: [ERROR_URN], status: '400', scimType });
    }
    expect(await userCount(org)).toBe(before);
  });

  it('S7 RFC 7644 §3.7 each operation is audited with source scim and emits events; a failed one neither', async () => {
    const db = env.server.gatedb.db;
    const audited = async () =>
      (
        await env.admin.api.audit.list.query({
          orgId: org.orgId,
          actorId: org.tokenId,
          limit: 1000,
        })
      ).items;
    const events = async () =>
      Number(
        (
          await db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('org_id', '=', org.orgId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const counts = async () => [(await audited()).length, await events()];
    const before = await counts();
    const failed = await org.raw('POST', '/Bulk', bulk([postUser('x', 'ada@bulk.test')]));
    expect(failed.body.Operations[0].status).toBe('409');
    expect(await counts()).toEqual(before);

    const a = await org.raw(
      'POST',
      '/Bulk',
      bulk([
        postUser('a7', 'audit7@bulk.test'),
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g7',
          data: { schemas: [GROUP_URN], displayName: 'Audited', members: [{ value: 'bulkId:a7' }] },
        },
      ]),
    );
    expect(a.body.Operations.map((o: Op) => o.status)).toEqual(['201', '201']);
    const entries = await audited();
    expect(entries.length).toBeGreaterThanOrEqual(before[0]! + 2);
    expect(await events()).toBeGreaterThanOrEqual(before[1]! + 2);
    for (const e of entries.slice(0, entries.length - before[0]!)) {
      expect(e).toMatchObject({ source: 'scim', actorId: org.tokenId });
    }
  });

  it("S4 RFC 7644 §3.7 another org's ids are 404 for that operation and stay unchanged", async () => {
    const theirs = (await other.scim.users.create({ userName: 'theirs@bulk.test' })).id!;
    const group = (await other.scim.groups.create({ displayName: 'Their team' })).id!;
    const a = await org.raw(
      'POST',
      '/Bulk',
      bulk([
        { method: 'PUT', path: `/Users/${theirs}`, data: userBody('taken@bulk.test') },
        {
          method: 'PATCH',
          path: `/Users/${theirs}`,
          data: {
            schemas: [PATCH_URN],
            Operations: [{ op: 'replace', path: 'active', value: false }],
          },
        },
        { method: 'DELETE', path: `/Users/${theirs}` },
        { method: 'DELETE', path: `/Groups/${group}` },
        postUser('mine', 'mine@bulk.test'),
      ]),
    );
    expect(a.status).toBe(200);
    expect(a.body.Operations.map((o: Op) => o.status)).toEqual(['404', '404', '404', '404', '201']);
    const still = await other.raw('GET', `/Users/${theirs}`);
    expect(still.body).toMatchObject({ userName: 'theirs@bulk.test', active: true });
    expect((await other.raw('GET', `/Groups/${group}`)).status).toBe(200);
  });
});
