/**
 * Migration 0019_mfa: existing sessions read as password sessions, a member's sign-in method is
 * kept without a snapshot journal entry (a sign-in changes nothing the engines read), a user has
 * at most one confirmed factor, and down restores 0010's trigger.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatedb } from './create-db.js';
import { journalEntries, migrateTo, openAtMigration, testBackends } from './testing.js';

describe.each(testBackends())('migration 0019_mfa on $name', (backend) => {
  let g: Gatedb;
  let db: Kysely<unknown>;
  beforeAll(async () => {
    ({ gatedb: g, db } = await openAtMigration(backend, '0018_password_resets'));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
  });

  it('sessions default to pwd; sign-in columns are not journalled; one confirmed factor; down restores', async () => {
    await sql`insert into orgs (id, name, slug, preset) values ('org_a', 'A', 'a', 'flowcode')`.execute(
      db,
    );
    await sql`insert into users (id, email, email_lower, updated_at)
      values ('usr_ana', 'ana@x.test', 'ana@x.test', now())`.execute(db);
    await sql`insert into members (org_id, user_id, status, updated_at)
      values ('org_a', 'usr_ana', 'active', now())`.execute(db);
    await sql`insert into sessions (org_id, id, user_id, token_hash, created_at, expires_at)
      values ('org_a', 'ses_1', 'usr_ana', 'h1', now(), now() + interval '1 hour')`.execute(db);

    await migrateTo(db, '0019_mfa');
    const method = await sql<{ auth_method: string }>`select auth_method from sessions`.execute(db);
    expect(method.rows).toEqual([{ auth_method: 'pwd' }]);

    const before = await journalEntries(db);
    await sql`update members set last_login_at = now(), last_login_method = 'pwd+totp'`.execute(db);
    expect(await journalEntries(db)).toBe(before);
    await sql`update members set status = 'deactivated'`.execute(db);
    expect(await journalEntries(db)).toBe(before + 2);

    await sql`insert into mfa_factors (id, user_id, kind, secret_sealed, confirmed_at)
      values ('mfa_1', 'usr_ana', 'totp', 'box', now()), ('mfa_2', 'usr_ana', 'totp', 'box', null)`.execute(
      db,
    );
    await expect(
      sql`update mfa_factors set confirmed_at = now() where id = 'mfa_2'`.execute(db),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      sql`insert into mfa_factors (id, user_id, kind, secret_sealed) values ('mfa_3', 'usr_ana', 'sms', 'x')`.execute(
        db,
      ),
    ).rejects.toMatchObject({ code: '23514' });

    await migrateTo(db, '0018_password_resets');
    const after = await journalEntries(db);
    await sql`update members set last_login_at = now()`.execute(db);
    expect(await journalEntries(db)).toBe(after);
    await sql`update members set status = 'active'`.execute(db);
    expect(await journalEntries(db)).toBe(after + 2);
    await migrateTo(db, '0019_mfa');
  });
});
