/**
 * Issue 15: `journal_rows` finds a changed member or scope by its key alone, so its cost never
 * grows with the org. Its plans are generic and cached per connection (migration 0023), made at
 * the first call. An org is small then, and indexes that lead with `org_id` (members by last
 * sign-in, status or SCIM attribute; scopes by parent) looked as cheap as the primary key for
 * `org_id = p_org and <key> = k.key`: PostgreSQL 15 and PGlite picked them and filtered the
 * org's every member (or scope) for each changed key, and kept that plan as the org grew.
 * Measured on an 8-user batch of a SCIM ingest at 1,040 members: 1,040 rows removed by the
 * filter for each of 16 keys, `journal_rows` 3.3 ms; after ANALYZE (which replans) 0.7 ms.
 * PGlite never analyzes on its own, so there it stayed that way for the life of the process.
 *
 * Now the org is compared with `is not distinct from`, which no index can serve, so the only
 * index that matches is one on the key alone: `members_user` (user_id), and a new `scopes_id`
 * (scope ids are unique instance-wide). A lookup reads the key's own rows (a user's
 * memberships, one per org) and keeps this org's, whatever the statistics. The result is the
 * same row. Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';
import { BY_ORG, createJournalRowsByKind } from './0026_journal_rows_by_kind.js';

/** Finds changed members through `members_user` and scopes through `scopes_id`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('scopes_id').on('scopes').column('id').execute();
  await createJournalRowsByKind(db, {
    member: sql`m.user_id = k.key and m.org_id is not distinct from p_org`,
    scope: sql`s.id = k.key and s.org_id is not distinct from p_org`,
  });
}

/** Restores migration 0026's lookups. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await createJournalRowsByKind(db, BY_ORG);
  await db.schema.dropIndex('scopes_id').execute();
}
