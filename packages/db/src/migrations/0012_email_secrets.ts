/**
 * No one-time link at rest (issue 10 §4). Queued emails carried the invitation link, token
 * included, in `text` / `html` until delivered, and kept it after delivery in log-only mode.
 * Now the bodies hold a placeholder and the token waits in `secret_box`, encrypted under the
 * instance secret key, until the email is sent, fails for good, is cancelled or the link expires
 * (`secret_expires_at`); then the box is erased and the placeholder reads `[redacted]`.
 *
 * Existing rows: every email no longer pending has its link tokens blanked here. Pending ones
 * keep theirs so they can still be delivered; delivery blanks them like any other.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the columns and the sweep index, and blanks links in emails already handled. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('emails')
    .addColumn('secret_box', 'text')
    .addColumn('secret_expires_at', 'timestamptz')
    .execute();
  // The delivery worker's expiry sweep reads only rows still holding a secret.
  await sql`create index emails_secret_expiry on emails (secret_expires_at)
    where secret_box is not null`.execute(db);
  const token = '([?&]token=)[A-Za-z0-9_-]+';
  await sql`update emails
       set text = regexp_replace(text, ${token}, '\\1[redacted]', 'g'),
           html = regexp_replace(html, ${token}, '\\1[redacted]', 'g')
     where status <> 'pending'`.execute(db);
}

/** Drops the columns (links already blanked stay blank). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('emails_secret_expiry').execute();
  await db.schema
    .alterTable('emails')
    .dropColumn('secret_box')
    .dropColumn('secret_expires_at')
    .execute();
}
