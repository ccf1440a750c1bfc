/**
 * Password reset links (issue 14): a person who forgot their password, or an org admin for one
 * of the org's members (seed 003 "Reset Password"), gets a one-time link by email. Only the
 * SHA-256 of the link's token is stored; the link itself waits encrypted in the email outbox
 * until sent (migration 0012), like an invitation's.
 *
 * `password_resets` is instance-wide, as `users` is: a password belongs to the account, not to
 * one org. `org_id` names the org whose admin asked for the link (null when the person asked
 * themselves), `requested_by` that admin (null likewise), `ip` where a public request came from
 * (its throttle counts by it). A link is usable while `used_at` and `superseded_at` are null and
 * `expires_at` is ahead; a newer link of the same user supersedes the older ones.
 *
 * Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the table and its indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('password_resets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('superseded_at', 'timestamptz')
    .addColumn('requested_by', 'text')
    .addColumn('org_id', 'text', (c) => c.references('orgs.id').onDelete('set null'))
    .addColumn('ip', 'text')
    .execute();
  // A user's links (superseding them; the per-address throttle counts the recent ones).
  await db.schema
    .createIndex('password_resets_user')
    .on('password_resets')
    .columns(['user_id', 'created_at'])
    .execute();
  // The per-address-of-origin throttle.
  await db.schema
    .createIndex('password_resets_ip')
    .on('password_resets')
    .columns(['ip', 'created_at'])
    .where(sql.ref('ip'), 'is not', null)
    .execute();
}

/** Removes it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('password_resets').execute();
}
