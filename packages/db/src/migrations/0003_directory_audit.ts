/**
 * The member directory (M4, T6) and the audit log's retention and verification (A2, A4).
 *
 * Directory: partial, case-insensitive email search runs as `email_lower LIKE '%…%'`. With the
 * `pg_trgm` extension (PGlite loads it; on PostgreSQL it ships in contrib and is a *trusted*
 * extension since 13, so the database owner may create it) a trigram GIN index answers that in
 * milliseconds at 100k users. Where the extension cannot be created (a locked-down managed
 * server) the migration still succeeds: the search then falls back to a scan of the org's
 * members, and prefix searches keep using the `COLLATE "C"` btree below. The same btree gives
 * the directory a collation-independent order by email.
 *
 * Audit: indexes for each filter, keyed by org and ordered by `seq` (keyset pages); signed
 * checkpoints that retention pruning leaves behind so the remaining chain stays verifiable; and
 * instance secrets (the generated audit signing key when `GATEHOUSE_AUDIT_SIGNING_KEY` is unset).
 * Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the indexes and tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // pg_trgm when it can be had; the exception block is a subtransaction, so a refusal (no
  // contrib, no privilege) does not abort the migration's transaction.
  await sql`do $$
    begin
      create extension if not exists pg_trgm;
    exception when others then
      raise notice 'pg_trgm unavailable (%); email search will scan instead of using an index', sqlerrm;
    end $$`.execute(db);
  await sql`do $$
    begin
      if exists (select 1 from pg_extension where extname = 'pg_trgm') then
        execute 'create index users_email_trgm on users using gin (email_lower gin_trgm_ops)';
      end if;
    end $$`.execute(db);
  await sql`create index users_email_c on users (email_lower collate "C", id)`.execute(db);
  await db.schema.createIndex('users_last_login').on('users').column('last_login_at').execute();
  await db.schema
    .createIndex('members_status')
    .on('members')
    .columns(['org_id', 'status', 'user_id'])
    .execute();

  for (const col of ['actor_id', 'on_behalf_of', 'action', 'entity_type', 'scope_id']) {
    await db.schema
      .createIndex(`audit_log_${col}`)
      .on('audit_log')
      .columns(['org_id', col, 'seq'])
      .execute();
  }

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('pruned', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_checkpoints_pk', ['org_id', 'seq'])
    .execute();

  await db.schema
    .createTable('instance_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

/** Removes them (the extension stays: other objects may use it). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('instance_secrets').execute();
  await db.schema.dropTable('audit_checkpoints').execute();
  for (const col of ['actor_id', 'on_behalf_of', 'action', 'entity_type', 'scope_id']) {
    await db.schema.dropIndex(`audit_log_${col}`).execute();
  }
  await db.schema.dropIndex('members_status').execute();
  await db.schema.dropIndex('users_last_login').execute();
  await db.schema.dropIndex('users_email_c').execute();
  await db.schema.dropIndex('users_email_trgm').ifExists().execute();
}
