/**
 * Migration 0013_scope_avatar: scopes get an avatar (seed 001 "Edit workspace details like the
 * name, description, and avatar"); the root scope takes the org's; a change of only the avatar
 * adds no snapshot journal entry (engines do not read it) while every other scopes change does.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatedb } from './create-db.js';
import { journalEntries, migrateTo, openAtMigration, testBackends } from './testing.js';

describe.each(testBackends())('migration 0013_scope_avatar on $name', (backend) => {
  let g: Gatedb;
  let db: Kysely<unknown>;
  beforeAll(async () => {
    ({ gatedb: g, db } = await openAtMigration(backend, '0012_email_secrets'));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
  });

  const journal = () => journalEntries(db);

  it('seed 001 T1 T2: root scopes take the org avatar; only access changes are journalled; down restores', async () => {
    await sql`insert into orgs (id, name, slug, preset, avatar_url) values
      ('org_a', 'A', 'a', 'flowcode', 'https://cdn.test/a.png'),
      ('org_b', 'B', 'b', 'flowcode', null)`.execute(db);
    await sql`insert into scopes (org_id, id, parent_id, kind, name) values
      ('org_a', 'org_a', null, 'organization', 'A'),
      ('org_a', 'scp_ws', 'org_a', 'workspace', 'Marketing'),
      ('org_b', 'org_b', null, 'organization', 'B')`.execute(db);

    await migrateTo(db, '0013_scope_avatar');
    const rows = await sql<{ id: string; avatar_url: string | null }>`
      select id, avatar_url from scopes order by id`.execute(db);
    expect(rows.rows.map((r) => [r.id, r.avatar_url])).toEqual([
      ['org_a', 'https://cdn.test/a.png'],
      ['org_b', null],
      ['scp_ws', null],
    ]);

    const before = await journal();
    await sql`update scopes set avatar_url = 'https://cdn.test/ws.png' where id = 'scp_ws'`.execute(
      db,
    );
    expect(await journal()).toBe(before);
    // An update journals the old and the new row's key.
    await sql`update scopes set name = 'Brand' where id = 'scp_ws'`.execute(db);
    expect(await journal()).toBe(before + 2);
    await sql`update scopes set name = 'Marketing', avatar_url = null where id = 'scp_ws'`.execute(
      db,
    );
    expect(await journal()).toBe(before + 4);
    await sql`insert into scopes (org_id, id, parent_id, kind, name)
      values ('org_a', 'scp_ev', 'org_a', 'workspace', 'Events')`.execute(db);
    await sql`delete from scopes where id = 'scp_ev'`.execute(db);
    expect(await journal()).toBe(before + 6);

    await migrateTo(db, '0012_email_secrets');
    await sql`update scopes set name = 'Brand' where id = 'scp_ws'`.execute(db);
    expect(await journal()).toBe(before + 8);
    await migrateTo(db, '0013_scope_avatar');
  });
});
