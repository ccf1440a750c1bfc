/**
 * SCIM 2.0 provisioning (S1–S7): per-org directory tokens (stored hashed), the SCIM user
 * document kept per org membership so what the identity provider sent round-trips, and the
 * indexes that let SCIM filters run in the database.
 *
 * - `members.scim_user_name` is the SCIM `userName` (set only for members the directory
 *   provisioned or adopted; those are the SCIM `/Users`); unique per org, case-insensitively
 *   (RFC 7643 §4.1.1: `caseExact` false).
 * - `members.scim_doc` is the full SCIM User document (core + enterprise extension) as received,
 *   minus `id`, `meta`, `active`, `groups` and `password`, which Gatehouse owns or never stores.
 * - `members.external_id` / `groups.external_id` are unique per org when set (IdP retries get 409).
 * - `groups.scim_managed` marks the groups the directory created: only those are SCIM `/Groups`,
 *   so an IdP can never rename, empty or delete a group an admin made by hand.
 * - Expression indexes match the SQL the filter compiler emits for the attributes identity
 *   providers filter on (userName, externalId, displayName, employeeNumber, department, manager,
 *   lastModified); other attributes are filtered in SQL over the org's rows.
 *
 * Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Adds the table, columns and indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scim_tokens')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('secret_hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('rotated_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addPrimaryKeyConstraint('scim_tokens_pk', ['org_id', 'id'])
    .execute();

  await db.schema.alterTable('members').addColumn('scim_user_name', 'text').execute();
  await db.schema.alterTable('members').addColumn('scim_doc', 'jsonb').execute();
  await db.schema
    .alterTable('groups')
    .addColumn('scim_managed', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await sql`create unique index members_scim_user_name on members
    (org_id, lower(scim_user_name)) where scim_user_name is not null`.execute(db);
  await sql`create unique index members_external_id on members
    (org_id, external_id) where external_id is not null`.execute(db);
  await sql`create index members_scim_updated on members
    (org_id, updated_at) where scim_user_name is not null`.execute(db);
  await sql`create index members_scim_display_name on members
    (org_id, lower(scim_doc->>'displayName')) where scim_user_name is not null`.execute(db);
  // SCIMMY's enterprise attributes are caseExact false, so filters compare lower() forms.
  for (const [name, path] of [
    ['employee_number', `'${ENTERPRISE}'->>'employeeNumber'`],
    ['department', `'${ENTERPRISE}'->>'department'`],
    ['manager', `'${ENTERPRISE}'->'manager'->>'value'`],
  ] as const) {
    await sql
      .raw(
        `create index members_scim_${name} on members (org_id, lower(scim_doc->${path}))
         where scim_user_name is not null`,
      )
      .execute(db);
  }
  await sql`create unique index groups_external_id on groups
    (org_id, external_id) where external_id is not null`.execute(db);
  await sql`create index groups_name_lower on groups (org_id, lower(name))`.execute(db);
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const ix of [
    'groups_name_lower',
    'groups_external_id',
    'members_scim_manager',
    'members_scim_department',
    'members_scim_employee_number',
    'members_scim_display_name',
    'members_scim_updated',
    'members_external_id',
    'members_scim_user_name',
  ]) {
    await sql.raw(`drop index if exists ${ix}`).execute(db);
  }
  await db.schema.alterTable('groups').dropColumn('scim_managed').execute();
  await db.schema.alterTable('members').dropColumn('scim_doc').execute();
  await db.schema.alterTable('members').dropColumn('scim_user_name').execute();
  await db.schema.dropTable('scim_tokens').execute();
}
