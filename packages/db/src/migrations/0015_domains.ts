/**
 * Verified domains (SPEC I3, I4; issue 13 "Domains"): an org claims a domain and proves it owns
 * it with a DNS TXT record at `_gatehouse-challenge.<domain>`; the server re-checks verified
 * domains on a schedule. Policies for the people of an org's verified domains (require SSO,
 * join automatically) are one row per org in their own table, so they are changed under the
 * `domains.manage` permission and never through `orgs.update`'s settings.
 *
 * - `org_domains.domain` is stored lower-cased (punycode for IDNs). One org claims a domain at
 *   most once (`(org_id, domain)` unique); any number of orgs may have it pending, but only one
 *   may have it verified at a time: the partial unique index on `domain` where
 *   `status = 'verified'` is the one index here not led by `org_id`, on purpose (it is the
 *   cross-tenant rule, and sign-in looks domains up through it).
 * - `verification_token` is stored as is: it is public in DNS anyway.
 * - `failed_checks` counts consecutive failed re-checks of a verified domain; at the threshold
 *   it goes back to `failed` and its policies stop applying.
 *
 * Runs the same on PGlite and PostgreSQL.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the tables and indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('org_domains')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'verified', 'failed')`),
    )
    .addColumn('verification_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('verified_at', 'timestamptz')
    .addColumn('last_checked_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('next_check_at', 'timestamptz')
    .addColumn('failed_checks', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('org_domains_pk', ['org_id', 'id'])
    .addUniqueConstraint('org_domains_org_domain', ['org_id', 'domain'])
    .execute();
  await sql`create unique index org_domains_verified on org_domains (domain)
    where status = 'verified'`.execute(db);
  await sql`create index org_domains_due on org_domains (next_check_at)
    where status = 'verified'`.execute(db);

  await db.schema
    .createTable('org_domain_policies')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id').onDelete('cascade'))
    .addColumn('require_sso', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('auto_join', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

/** Drops them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('org_domain_policies').execute();
  await db.schema.dropTable('org_domains').execute();
}
