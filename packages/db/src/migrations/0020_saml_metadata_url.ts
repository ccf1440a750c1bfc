/**
 * SAML IdP metadata by URL, and the bound on audited refused sign-ins (issue 13 leftovers).
 *
 * - `sso_saml_settings` gains `metadata_url`: where the IdP publishes its metadata (https, or
 *   http when the deployment allows it for tests). Gatehouse reads the entity id, SSO URL and
 *   signing certificates from it when the connection is created or updated, on
 *   `sso.refreshSamlMetadata`, and on the server's background refresh (so a certificate the IdP
 *   rotates in its metadata is picked up). `metadata_checked_at` is the last fetch,
 *   `metadata_refreshed_at` the last one that succeeded, `metadata_error` why the last one failed
 *   (null when it succeeded). A failed refresh keeps the settings as they were.
 * - `sso_refusal_windows`: per connection, how many refused sign-ins were audited in the current
 *   one-minute window (at most 20) and how many were not since the last audited one; the next
 *   audited refusal carries that count (`unrecordedBefore`), so a flood of forged answers cannot
 *   flood the audit log, and still shows.
 *
 * (0019 is another change's number; this one does not depend on it.) Runs the same on PGlite and
 * PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the metadata URL columns and the refusal windows. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sso_saml_settings')
    .addColumn('metadata_url', 'text')
    .addColumn('metadata_checked_at', 'timestamptz')
    .addColumn('metadata_refreshed_at', 'timestamptz')
    .addColumn('metadata_error', 'text')
    .execute();
  // The background refresh: URL-backed connections, least recently checked first.
  await db.schema
    .createIndex('sso_saml_settings_metadata_due')
    .on('sso_saml_settings')
    .column('metadata_checked_at')
    .where(sql.ref('metadata_url'), 'is not', null)
    .execute();
  await db.schema
    .createTable('sso_refusal_windows')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unrecorded', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('sso_refusal_windows_pk', ['org_id', 'connection_id'])
    .addForeignKeyConstraint(
      'sso_refusal_windows_connection_fk',
      ['org_id', 'connection_id'],
      'sso_connections',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
}

/** Removes them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sso_refusal_windows').execute();
  await db.schema.dropIndex('sso_saml_settings_metadata_due').execute();
  await db.schema
    .alterTable('sso_saml_settings')
    .dropColumn('metadata_url')
    .dropColumn('metadata_checked_at')
    .dropColumn('metadata_refreshed_at')
    .dropColumn('metadata_error')
    .execute();
}
