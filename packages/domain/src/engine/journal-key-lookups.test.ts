/**
 * Issue 15, migration 0027: a catch-up's lookups read what changed, not the org. The plans of
 * `journal_rows` are made at its first call, while the org is small, and kept; the org then grows
 * to hundreds of members, groups, scopes and assignments, and one of each changes. The index
 * entries the catch-up reads in each table (counted by the transaction's own statistics,
 * `pg_stat_get_xact_tuples_returned`) must stay a handful, whatever the org's size. Under
 * migration 0026 both backends read every member and every scope of the org for each changed
 * key (608 and 1,208 entries here). On PGlite and PostgreSQL.
 */
import { type Gatedb, type Kysely, sql } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import { createOrg } from '../orgs/index.js';
import { createServices } from '../services.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };
const GROWN = 600;

describe.each(testBackends())('journal_rows lookups on $name (issue 15, 0027)', (backend) => {
  let g: Gatedb;
  beforeAll(async () => {
    g = await backend.open();
  });
  afterAll(async () => {
    await g?.close();
  });

  it('reads a handful of index entries for each changed row of a grown org', async () => {
    const s = createServices(g.db);
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      { name: 'Lookup', preset: 'flowcode', owner: { email: 'owner@lookup.example' } },
    );
    const orgId = org.id;
    // One connection throughout: plpgsql plans are cached per connection.
    const read = await g.db.connection().execute(async (c) => {
      const db = c as unknown as Kysely<unknown>;
      const revision = async () =>
        Number(
          (
            await sql<{
              revision: string;
            }>`select revision::text from orgs where id = ${orgId}`.execute(db)
          ).rows[0]!.revision,
        );
      const addMembers = (from: number, to: number) =>
        sql`
          with u as (
            insert into users (id, email, email_lower, name, updated_at)
            select 'usr_lookup' || lpad(i::text, 8, '0'), 'm' || i || '@lookup.example',
                   'm' || i || '@lookup.example', null, now()
              from generate_series(${from}::int, ${to}::int) i
            returning id)
          , m as (
            insert into members (org_id, user_id, status, updated_at)
            select ${orgId}, id, 'active', now() from u returning user_id),
          gr as (
            insert into groups (org_id, id, name)
            select ${orgId}, 'grp_' || substr(user_id, 5), 'g ' || user_id from m returning id),
          sc as (
            insert into scopes (org_id, id, parent_id, kind, name)
            select ${orgId}, 'scp_' || substr(id, 5), ${orgId}, 'workspace', 'w' from gr)
          insert into assignments (org_id, id, subject_id, subject_type, role_key, scope_id)
          select ${orgId}, 'asg_' || substr(user_id, 5), user_id, 'user', 'org_user', ${orgId}
            from m`.execute(db);
      const journalRows = (since: number) =>
        sql<{ member: unknown; scope: unknown; group: unknown; assignment: unknown }>`
          select member, scope, "group", assignment
            from journal_rows(${orgId}, ${since}, 20000, null::bigint)`.execute(db);
      // The first call plans the lookups: the org has two members.
      await addMembers(0, 0);
      await journalRows(await revision());
      // The org grows; then, at a new revision, one member joins.
      await addMembers(1, GROWN);
      await sql`update orgs set revision = revision + 1 where id = ${orgId}`.execute(db);
      await addMembers(GROWN + 1, GROWN + 1);
      const since = await revision();
      // The backend's own statistics, read before and after: what the catch-up read. (They
      // also hold earlier statements' counts until they are flushed, hence the difference.)
      const counts = async () => {
        const { rows } = await sql<{ t: string; n: string }>`
          select c.relname as t,
                 coalesce(sum(pg_stat_get_xact_tuples_returned(i.indexrelid)), 0)::text as n
            from pg_index i join pg_class c on c.oid = i.indrelid
           where c.relname in ('members', 'scopes', 'groups', 'assignments')
           group by c.relname`.execute(db);
        return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
      };
      await sql`begin`.execute(db);
      try {
        const before = await counts();
        const { rows } = await journalRows(since);
        const after = await counts();
        const entries = Object.fromEntries(
          Object.entries(after).map(([t, n]) => [t, n - (before[t] ?? 0)]),
        );
        return { ...rows[0]!, entries };
      } finally {
        await sql`commit`.execute(db);
      }
    });
    const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as unknown[];
    const key = String(GROWN + 1).padStart(8, '0');
    expect(json(read.member)).toEqual([
      { user_id: `usr_lookup${key}`, status: 'active', email: `m${GROWN + 1}@lookup.example` },
    ]);
    expect(json(read.scope)).toMatchObject([{ id: `scp_lookup${key}`, parent_id: orgId }]);
    expect(json(read.group)).toMatchObject([{ id: `grp_lookup${key}` }]);
    expect(json(read.assignment)).toMatchObject([{ id: `asg_lookup${key}` }]);
    // Each changed row's own entries (a user's one membership, one scope, one group, one
    // assignment), not the org's GROWN + 2 of each.
    for (const table of ['members', 'scopes', 'groups', 'assignments']) {
      expect(read.entries[table], table).toBeGreaterThan(0);
      expect(read.entries[table], table).toBeLessThanOrEqual(10);
    }
  });
});
