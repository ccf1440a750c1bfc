/**
 * S2 and S3 at size, over HTTP against the real server, with the server's SQL watched
 * (`./queries.ts`): filters and pages run in the database (a lookup among 10k users reads one
 * row), and a group of 10k members is patched with set-based SQL that never reads its member
 * list. The pre-write engine snapshot the write path loads (org-write, outside the SCIM code)
 * is reported by `watchQueries` and not counted here.
 */
import { sql } from '@gatehouse/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type Env, type Org, patchBody, startEnv } from './harness.js';
import { type SeenQuery, watchQueries } from './queries.js';

const N = 10_000;

/** The most rows any query outside the engine snapshot returned. */
const most = (seen: readonly SeenQuery[], table?: string) =>
  Math.max(
    0,
    ...seen
      .filter((q) => !q.engineSnapshot && (!table || q.tables.includes(table)))
      .map((q) => q.rows),
  );

describe.each(backends)('SCIM at size on $name', (backend) => {
  let env: Env;
  let org: Org;
  let groupId = '';
  const id = (i: number) => `usr_big${String(i).padStart(6, '0')}${org.orgId.slice(-6)}`;

  beforeAll(async () => {
    env = await startEnv(backend);
    org = await env.newOrg('Big directory');
    const db = env.server.gatedb.db;
    await sql`insert into users (id, email, email_lower, updated_at)
      select 'usr_big' || lpad(i::text, 6, '0') || ${org.orgId.slice(-6)},
             'big' || i || '-' || ${org.orgId} || '@big.test', 'big' || i || '-' || ${org.orgId} || '@big.test', now()
        from generate_series(1, ${N}) i`.execute(db);
    await sql`insert into members (org_id, user_id, status, external_id, scim_user_name, scim_doc, updated_at)
      select ${org.orgId}, 'usr_big' || lpad(i::text, 6, '0') || ${org.orgId.slice(-6)}, 'active', null,
             'big' || i || '@big.test', '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}'::jsonb, now()
        from generate_series(1, ${N}) i`.execute(db);
    await sql`analyze`.execute(db);
    groupId = (await org.scim.groups.create({ displayName: 'Everyone' })).id!;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('S2 filters and pages run in the database: a lookup among 10k users reads only its rows', async () => {
    const watch = watchQueries(env);
    try {
      const one = await org.raw(
        'GET',
        `/Users?filter=${encodeURIComponent('userName eq "BIG1234@big.test"')}`,
      );
      expect(one.body.totalResults).toBe(1);
      expect(one.body.Resources[0].id).toBe(id(1234));
      expect(watch.seen.some((q) => q.tables.includes('members'))).toBe(true);
      expect(most(watch.seen)).toBe(1);

      watch.seen.length = 0;
      const page = await org.raw(
        'GET',
        `/Users?filter=${encodeURIComponent('userName sw "big99"')}&startIndex=3&count=5`,
      );
      // big99, big990–big999, big9900–big9999: 111 matches, counted in SQL, 5 rows read.
      expect(page.body).toMatchObject({ totalResults: 111, startIndex: 3, itemsPerPage: 5 });
      expect(most(watch.seen)).toBe(5);

      // ServiceProviderConfig's filter.maxResults (1000) caps any page.
      const capped = await org.raw('GET', '/Users?count=5000&attributes=id');
      expect(capped.body).toMatchObject({ totalResults: N, itemsPerPage: 1000 });
    } finally {
      watch.stop();
    }
  });

  it('S3 a 10k-member group is patched without reading its member list', async () => {
    const all = Array.from({ length: N }, (_, i) => ({ value: id(i + 1) }));
    const added = await org.raw(
      'PATCH',
      `/Groups/${groupId}`,
      patchBody({ op: 'add', path: 'members', value: all }),
    );
    expect(added.status).toBe(204);
    const db = env.server.gatedb.db;
    const count = async () =>
      Number(
        (
          await db
            .selectFrom('group_members')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('org_id', '=', org.orgId)
            .where('group_id', '=', groupId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBe(N);

    const watch = watchQueries(env);
    const t0 = performance.now();
    let small: Awaited<ReturnType<Org['raw']>>;
    try {
      small = await org.raw(
        'PATCH',
        `/Groups/${groupId}`,
        patchBody(
          { op: 'remove', path: `members[value eq "${id(17)}"]` },
          { op: 'remove', path: 'members', value: [{ value: id(18) }] },
          { op: 'Add', path: 'members', value: [{ value: id(17) }] },
          { op: 'remove', path: 'members[display eq "nobody at all"]' },
          { op: 'replace', path: 'displayName', value: 'Everyone but 18' },
        ),
      );
    } finally {
      watch.stop();
    }
    const patchMs = performance.now() - t0;
    expect(small.status).toBe(204);
    expect(await count()).toBe(N - 1);
    expect(patchMs).toBeLessThan(10_000);
    // Set-based SQL: no query of the SCIM write reads more than the ids it names.
    expect(watch.seen.some((q) => q.tables.includes('group_members'))).toBe(true);
    expect(most(watch.seen, 'group_members')).toBeLessThanOrEqual(1);
    expect(most(watch.seen)).toBeLessThanOrEqual(2);

    const t1 = performance.now();
    const lean = await org.raw('GET', `/Groups/${groupId}?excludedAttributes=members`);
    expect(performance.now() - t1).toBeLessThan(2_000);
    expect(lean.body.members).toBeUndefined();
    expect(lean.body.displayName).toBe('Everyone but 18');
    const byMember = await org.raw(
      'GET',
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`members[value eq "${id(9999)}"]`)}`,
    );
    expect(byMember.body.totalResults).toBe(1);
    const full = await org.raw('GET', `/Groups/${groupId}`);
    expect(full.body.members).toHaveLength(N - 1);

    const replaced = await org.raw(
      'PATCH',
      `/Groups/${groupId}`,
      patchBody({ op: 'replace', path: 'members', value: [{ value: id(1) }, { value: id(2) }] }),
    );
    expect(replaced.status).toBe(204);
    expect(await count()).toBe(2);
  });
});
