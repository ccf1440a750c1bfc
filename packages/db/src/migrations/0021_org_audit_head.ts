/**
 * The audit chain's head on the org row (issue 15): `orgs.audit_hash` is the hash of the org's
 * newest audit entry, moved with `audit_seq` by the statement that appends entries. A write
 * reads both in the statement that locks the org: a hash read there from `audit_log` by a
 * subquery would come from that statement's snapshot, taken before it waited for the lock, and
 * miss the entries of the write it waited for. Null until the org's first entry (and for an org
 * whose entries were all pruned before this migration: the retention checkpoint holds it).
 *
 * Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the column and fills it from each org's newest entry. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table orgs add column audit_hash text`.execute(db);
  await sql`
    update orgs set audit_hash = (
      select hash from audit_log
       where audit_log.org_id = orgs.id
       order by seq desc limit 1)`.execute(db);
}

/** Drops the column. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table orgs drop column audit_hash`.execute(db);
}
