/**
 * SAML 2.0 connections (issue 13, second slice), beside the OpenID Connect ones of 0016.
 *
 * - `sso_connections` gains `protocol = 'saml'`. What both protocols share stays there (name,
 *   attribute/claim names in `claims`, default role, enabled, the group mappings and identities
 *   hanging off it); the OIDC-only columns (`issuer`, `client_id`, `client_secret_sealed`) become
 *   nullable, and a check keeps them required for OIDC rows. `scopes` stays (empty for SAML).
 * - `sso_saml_settings`: the SAML-only settings of a connection, one row per SAML connection
 *   (a side table rather than eight more nullable columns on every OIDC row): the IdP's entity
 *   id and SSO URL (HTTP-Redirect binding), its signing certificates (several: rotation), the
 *   SP entity id Gatehouse answers as (fixed at creation), whether assertions must be encrypted
 *   (then the SP decryption key, sealed under the instance key like a client secret, and its
 *   certificate, published in the SP metadata), and whether IdP-initiated sign-ins are accepted
 *   (default false).
 * - `sso_saml_assertions`: ids of assertions already consumed, per connection, until they
 *   expire (replay protection; swept with the attempts).
 *
 * A SAML attempt reuses `sso_attempts`: its `nonce` is the AuthnRequest ID, which the IdP's
 * Response must name in `InResponseTo` (it plays the nonce's part: binding the answer to the
 * request); its state is the RelayState.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the SAML settings and consumed assertion ids. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sso_connections drop constraint sso_connections_protocol_check`.execute(db);
  await sql`alter table sso_connections add constraint sso_connections_protocol_check check (protocol in ('oidc', 'saml'))`.execute(
    db,
  );
  for (const c of ['issuer', 'client_id', 'client_secret_sealed']) {
    await sql`alter table sso_connections alter column ${sql.ref(c)} drop not null`.execute(db);
  }
  await sql`alter table sso_connections add constraint sso_connections_oidc_check check (protocol <> 'oidc' or (issuer is not null and client_id is not null and client_secret_sealed is not null))`.execute(
    db,
  );
  await db.schema
    .createTable('sso_saml_settings')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('idp_entity_id', 'text', (c) => c.notNull())
    .addColumn('idp_sso_url', 'text', (c) => c.notNull())
    .addColumn('idp_certs', sql`text[]`, (c) => c.notNull())
    .addColumn('sp_entity_id', 'text', (c) => c.notNull())
    .addColumn('want_encrypted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('sp_key_sealed', 'text')
    .addColumn('sp_cert', 'text')
    .addColumn('allow_idp_initiated', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('sso_saml_settings_pk', ['org_id', 'connection_id'])
    .addForeignKeyConstraint(
      'sso_saml_settings_connection_fk',
      ['org_id', 'connection_id'],
      'sso_connections',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addCheckConstraint(
      'sso_saml_settings_encryption_check',
      sql`not want_encrypted or (sp_key_sealed is not null and sp_cert is not null)`,
    )
    .execute();
  await db.schema
    .createTable('sso_saml_assertions')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('assertion_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_saml_assertions_pk', ['org_id', 'connection_id', 'assertion_id'])
    .addForeignKeyConstraint(
      'sso_saml_assertions_connection_fk',
      ['org_id', 'connection_id'],
      'sso_connections',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('sso_saml_assertions_expires_idx')
    .on('sso_saml_assertions')
    .column('expires_at')
    .execute();
}

/** Drops them (refused while SAML connections exist: delete those first). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sso_saml_assertions').execute();
  await db.schema.dropTable('sso_saml_settings').execute();
  await sql`alter table sso_connections drop constraint sso_connections_oidc_check`.execute(db);
  for (const c of ['issuer', 'client_id', 'client_secret_sealed']) {
    await sql`alter table sso_connections alter column ${sql.ref(c)} set not null`.execute(db);
  }
  await sql`alter table sso_connections drop constraint sso_connections_protocol_check`.execute(db);
  await sql`alter table sso_connections add constraint sso_connections_protocol_check check (protocol in ('oidc'))`.execute(
    db,
  );
}
