/**
 * TOTP multi-factor authentication (issue 14). Instance-wide like `users` and `password_resets`:
 * a factor belongs to the account, not to one org.
 *
 * - `mfa_factors`: a user's TOTP authenticator. The shared secret is needed again at every
 *   sign-in, so it is sealed (AES-256-GCM under the instance secret key, the box bound to the
 *   row: `sealSecret(key, secret, "mfa_factors:<id>")`), never stored in plain. A factor is
 *   pending until its first code confirms it (`confirmed_at`); a user has at most one confirmed
 *   factor. `last_used_step` (an integer: steps of 30 s fit until the year 4000) is the TOTP time step of the last code accepted, so the same code
 *   (or an older one) is refused within its window.
 * - `mfa_recovery_codes`: ten single-use codes per user, shown once, only their SHA-256 stored.
 * - `mfa_challenges`: the second step of a password sign-in. The password was right; the
 *   challenge's token (only its SHA-256 stored) is short-lived and single-use, and names the org
 *   and the client the session will be for.
 * - `sessions.auth_method`: how the session's user proved who they are: `pwd`, `pwd+totp`,
 *   `pwd+recovery` or `sso` (existing sessions: `pwd`, the only way before SSO's sessions, which
 *   this cannot tell apart).
 * - `members.last_login_method`: the method of the member's last sign-in to the org, beside
 *   `last_login_at`; like it, a change of only this column adds no snapshot journal entry.
 *
 * `users.mfa_enrolled` (0001) stays the flag a directory reads: true while a confirmed factor exists.
 *
 * Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the tables, the columns and the narrower members trigger. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mfa_factors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('totp')`))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('last_used_step', 'integer')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('mfa_factors_user').on('mfa_factors').column('user_id').execute();
  // At most one confirmed factor per user.
  await db.schema
    .createIndex('mfa_factors_one_confirmed')
    .on('mfa_factors')
    .column('user_id')
    .unique()
    .where(sql.ref('confirmed_at'), 'is not', null)
    .execute();

  await db.schema
    .createTable('mfa_recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('used_at', 'timestamptz')
    .addPrimaryKeyConstraint('mfa_recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();

  await db.schema
    .createTable('mfa_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema
    .createIndex('mfa_challenges_user')
    .on('mfa_challenges')
    .columns(['user_id', 'created_at'])
    .execute();

  await db.schema
    .alterTable('sessions')
    .addColumn('auth_method', 'text', (c) => c.notNull().defaultTo('pwd'))
    .execute();
  await db.schema.alterTable('members').addColumn('last_login_method', 'text').execute();
  // A sign-in changes nothing the engines read (0010 made the same exception for last_login_at).
  await sql`drop trigger members_journal_update on members`.execute(db);
  await sql`
    create trigger members_journal_update after update on members
      for each row
      when ((to_jsonb(old) - 'last_login_at' - 'last_login_method')
            is distinct from (to_jsonb(new) - 'last_login_at' - 'last_login_method'))
      execute function gatehouse_journal_members()`.execute(db);
}

/** Removes them, restoring 0010's trigger. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger members_journal_update on members`.execute(db);
  await db.schema.alterTable('members').dropColumn('last_login_method').execute();
  await sql`
    create trigger members_journal_update after update on members
      for each row
      when ((to_jsonb(old) - 'last_login_at') is distinct from (to_jsonb(new) - 'last_login_at'))
      execute function gatehouse_journal_members()`.execute(db);
  await db.schema.alterTable('sessions').dropColumn('auth_method').execute();
  await db.schema.dropTable('mfa_challenges').execute();
  await db.schema.dropTable('mfa_recovery_codes').execute();
  await db.schema.dropTable('mfa_factors').execute();
}
