/**
 * User sessions (DESIGN "Who is calling": users get session tokens after login). A session is
 * bound to one org, like an organization session of WorkOS: logging in names the org, and the
 * token reaches that org only. The token (`ses_<id>.<secret>`) is shown once; only its SHA-256
 * is stored. Ending a session (logout, an admin's revoke, deactivation, removal from the org)
 * sets `revoked_at`, so the row stays as a record of who was signed in from where.
 *
 * No foreign key to `members`: removing a member deletes that row, and their sessions must stay
 * (revoked) rather than vanish. Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the table and its indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    .addPrimaryKeyConstraint('sessions_pk', ['org_id', 'id'])
    .execute();
  // An org's sessions of one user (revoking them all on deactivation; the admin list).
  await db.schema
    .createIndex('sessions_user')
    .on('sessions')
    .columns(['org_id', 'user_id', 'created_at'])
    .execute();
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sessions').execute();
}
