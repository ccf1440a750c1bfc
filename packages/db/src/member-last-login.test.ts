/**
 * Migration 0010_member_last_login: memberships get their own last sign-in, backfilled from the
 * org's sessions, and a change of only that column adds no snapshot journal entry (a login
 * changes nothing the engines read) while every other members change still does.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatedb } from './create-db.js';
import { journalEntries, migrateTo, openAtMigration, testBackends } from './testing.js';

describe.each(testBackends())('migration 0010_member_last_login on $name', (backend) => {
  let g: Gatedb;
  let db: Kysely<unknown>;
  beforeAll(async () => {
    ({ gatedb: g, db } = await openAtMigration(backend, '0009_login_failures'));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
  });

  const journal = () => journalEntries(db);

  it('backfills from each org’s sessions; only access changes are journalled; down restores', async () => {
    await sql`insert into orgs (id, name, slug, preset) values
      ('org_a', 'A', 'a', 'flowcode'), ('org_b', 'B', 'b', 'flowcode')`.execute(db);
    await sql`insert into users (id, email, email_lower, last_login_at, updated_at)
      values ('usr_ana', 'ana@x.test', 'ana@x.test', '2030-01-05T00:00:00Z', now())`.execute(db);
    await sql`insert into members (org_id, user_id, status, updated_at) values
      ('org_a', 'usr_ana', 'active', now()), ('org_b', 'usr_ana', 'active', now())`.execute(db);
    await sql`insert into sessions (org_id, id, user_id, token_hash, created_at, expires_at) values
      ('org_b', 'ses_1', 'usr_ana', 'h1', '2030-01-01T00:00:00Z', '2030-01-02T00:00:00Z'),
      ('org_b', 'ses_2', 'usr_ana', 'h2', '2030-01-05T00:00:00Z', '2030-01-06T00:00:00Z')`.execute(
      db,
    );

    await migrateTo(db, '0010_member_last_login');
    const rows = await sql<{ org_id: string; last_login_at: Date | null }>`
      select org_id, last_login_at from members order by org_id`.execute(db);
    expect(rows.rows.map((r) => [r.org_id, r.last_login_at?.toISOString() ?? null])).toEqual([
      ['org_a', null],
      ['org_b', '2030-01-05T00:00:00.000Z'],
    ]);

    const before = await journal();
    await sql`update members set last_login_at = now() where org_id = 'org_a'`.execute(db);
    expect(await journal()).toBe(before);
    // An update journals the old and the new row's key.
    await sql`update members set status = 'deactivated' where org_id = 'org_a'`.execute(db);
    expect(await journal()).toBe(before + 2);
    await sql`update members set status = 'active', last_login_at = null
      where org_id = 'org_a'`.execute(db);
    expect(await journal()).toBe(before + 4);
    await sql`insert into users (id, email, email_lower, updated_at)
      values ('usr_bo', 'bo@x.test', 'bo@x.test', now())`.execute(db);
    await sql`insert into members (org_id, user_id, status, updated_at)
      values ('org_a', 'usr_bo', 'active', now())`.execute(db);
    await sql`delete from members where user_id = 'usr_bo'`.execute(db);
    expect(await journal()).toBe(before + 6);

    await migrateTo(db, '0009_login_failures');
    await sql`update members set status = 'deactivated' where org_id = 'org_b'`.execute(db);
    expect(await journal()).toBe(before + 8);
    await migrateTo(db, '0010_member_last_login');
  });
});
