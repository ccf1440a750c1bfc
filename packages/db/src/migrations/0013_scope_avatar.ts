/**
 * Scopes get an avatar, like organizations and groups (seed 001: "Edit workspace details like
 * the name, description, and avatar"). The root scope is the organization itself, so its
 * avatar is backfilled from the org's (the two are kept equal from now on, as their names are).
 *
 * An avatar is not something engines read, so the scopes journal trigger (0005) no longer fires
 * when an update changes only `avatar_url`: otherwise a new workspace picture would add a
 * snapshot journal entry, and a changed scope makes every engine of the org rebuild in full.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the column, narrows the scopes journal trigger and backfills root scopes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('scopes').addColumn('avatar_url', 'text').execute();
  await sql`drop trigger scopes_journal on scopes`.execute(db);
  await sql`
    create trigger scopes_journal after insert or delete on scopes
      for each row execute function gatehouse_journal_scopes()`.execute(db);
  await sql`
    create trigger scopes_journal_update after update on scopes
      for each row
      when ((to_jsonb(old) - 'avatar_url') is distinct from (to_jsonb(new) - 'avatar_url'))
      execute function gatehouse_journal_scopes()`.execute(db);
  await sql`
    update scopes s set avatar_url = o.avatar_url
      from orgs o
     where s.org_id = o.id and s.id = o.id and o.avatar_url is not null`.execute(db);
}

/** Restores the single trigger and drops the column. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger scopes_journal_update on scopes`.execute(db);
  await sql`drop trigger scopes_journal on scopes`.execute(db);
  await db.schema.alterTable('scopes').dropColumn('avatar_url').execute();
  await sql`
    create trigger scopes_journal after insert or update or delete on scopes
      for each row execute function gatehouse_journal_scopes()`.execute(db);
}
