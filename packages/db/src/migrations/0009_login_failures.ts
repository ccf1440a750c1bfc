/**
 * Failed logins, counted per email address to throttle password guessing (DESIGN "Who is
 * calling"): past a number of failures within a window, logins for that address are refused
 * without checking the password until the window has passed. Per address (lower-cased), whatever
 * the org and whether or not anyone has that address, so the throttle tells nobody who has an
 * account. Rows older than the window are deleted as new failures arrive.
 */
import type { Kysely } from 'kysely';

/** Adds the table and its indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('org_id', 'text')
    .addColumn('ip', 'text')
    .execute();
  // Counting one address's recent failures.
  await db.schema
    .createIndex('login_failures_email')
    .on('login_failures')
    .columns(['email_lower', 'failed_at'])
    .execute();
  // Deleting the old ones.
  await db.schema
    .createIndex('login_failures_time')
    .on('login_failures')
    .column('failed_at')
    .execute();
}

/** Removes it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('login_failures').execute();
}
