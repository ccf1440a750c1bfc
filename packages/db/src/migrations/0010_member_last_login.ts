/**
 * "Last login" per membership (issue 10 §5): a user belongs to several orgs, and an org's admins
 * must see the last sign-in to _their_ org, never one to another org. `members.last_login_at` is
 * set by the login use case for the org signed in to; `users.last_login_at` stays the
 * instance-wide last sign-in, which no org's directory shows.
 *
 * Existing memberships are backfilled from the org's sessions (kept 30 days after they end): the
 * best per-org record there is; older sign-ins were only ever recorded instance-wide.
 *
 * A login changes nothing the engine reads, so the members journal trigger (0005) no longer
 * fires when an update changes only `last_login_at`: otherwise every login would add a snapshot
 * journal entry for engines to re-read.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the column, backfills it, and narrows the members journal trigger. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('members').addColumn('last_login_at', 'timestamptz').execute();
  await sql`drop trigger members_journal on members`.execute(db);
  await sql`
    update members m
       set last_login_at = s.last_login_at
      from (select org_id, user_id, max(created_at) as last_login_at
              from sessions group by org_id, user_id) s
     where s.org_id = m.org_id and s.user_id = m.user_id`.execute(db);
  await sql`
    create trigger members_journal after insert or delete on members
      for each row execute function gatehouse_journal_members()`.execute(db);
  await sql`
    create trigger members_journal_update after update on members
      for each row
      when ((to_jsonb(old) - 'last_login_at') is distinct from (to_jsonb(new) - 'last_login_at'))
      execute function gatehouse_journal_members()`.execute(db);
  // The directory overview: an org's latest sign-ins and members active in the last 30 days.
  await db.schema
    .createIndex('members_last_login')
    .on('members')
    .columns(['org_id', 'last_login_at'])
    .execute();
}

/** Restores the single trigger and drops the column. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('members_last_login').execute();
  await sql`drop trigger members_journal_update on members`.execute(db);
  await sql`drop trigger members_journal on members`.execute(db);
  await db.schema.alterTable('members').dropColumn('last_login_at').execute();
  await sql`
    create trigger members_journal after insert or update or delete on members
      for each row execute function gatehouse_journal_members()`.execute(db);
}
