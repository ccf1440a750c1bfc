/**
 * Invitations (M1–M3) and the email outbox. An invitation is pending, accepted or revoked;
 * "expired" is computed from `expires_at`, so nothing has to sweep the table. The one-time link's
 * token is stored only as a SHA-256 hash; hashes of links replaced by a resend are kept so a stale
 * link gets a clear "replaced" error. Emails are written in the same transaction as the change
 * that sends them and delivered afterwards by the server's worker (claimed with a lease, so
 * several processes never send one email twice). Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Creates `invitations` and `emails`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('invitations')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    // No foreign key to scopes: deleting a scope must not fail on an old invitation; accepting
    // re-checks that the scope and roles still exist.
    .addColumn('scope_id', 'text', (c) => c.notNull())
    .addColumn('roles', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'accepted', 'revoked')`),
    )
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('replaced_token_hashes', sql`text[]`, (c) =>
      c.notNull().defaultTo(sql`'{}'::text[]`),
    )
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('invited_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('last_sent_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('resend_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_user_id', 'text')
    .addColumn('revoked_at', 'timestamptz')
    .addPrimaryKeyConstraint('invitations_pk', ['org_id', 'id'])
    .execute();
  // Listing per org and status, newest first (keyset on id).
  await db.schema
    .createIndex('invitations_org_status')
    .on('invitations')
    .columns(['org_id', 'status', 'id'])
    .execute();
  // "Is this person already invited here?" and search by email.
  await db.schema
    .createIndex('invitations_org_email')
    .on('invitations')
    .columns(['org_id', 'email_lower'])
    .execute();
  await sql`create index invitations_replaced_tokens on invitations
    using gin (replaced_token_hashes)`.execute(db);

  await db.schema
    .createTable('emails')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.references('orgs.id').onDelete('cascade'))
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('html', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'sent', 'logged', 'failed', 'cancelled')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();
  await sql`create index emails_due on emails (next_attempt_at) where status = 'pending'`.execute(
    db,
  );
  await db.schema.createIndex('emails_ref').on('emails').column('ref_id').execute();
  await db.schema
    .createIndex('emails_org')
    .on('emails')
    .columns(['org_id', 'created_at'])
    .execute();
}

/** Drops them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('emails').execute();
  await db.schema.dropTable('invitations').execute();
}
