/**
 * Single sign-on (issue 13, first slice: OpenID Connect; SAML later in the same shape).
 *
 * - `sso_connections`: an org's connections to its identity providers. The client secret is
 *   kept sealed (AES-256-GCM under the instance secret key, bound to the row; see the domain's
 *   rules/secret-box.ts), never in plain and never returned by any API.
 * - `sso_group_mappings`: per connection, an IdP group (a value of the groups claim) → a
 *   Gatehouse group, whose roles then hold wherever that group holds them (G3).
 * - `sso_identities`: which IdP subject (`sub` of a connection) is which Gatehouse user, so a
 *   later sign-in finds the user even when the IdP changed the email.
 * - `sso_redirect_uris`: an org's allowlist of adopter `redirect_uri`s (exact match).
 * - `sso_attempts`: a sign-in on its way through the IdP: the state sent to the IdP (hashed),
 *   the nonce, the PKCE verifier (sealed), the adopter's redirect_uri and state; single use.
 * - `sso_codes`: the one-time code the adopter exchanges with its API key: stored hashed,
 *   short-lived, single use.
 *
 * Lookups before the org is known (the IdP's callback, by state) go through a unique hash.
 * Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sso_connections')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull().check(sql`protocol in ('oidc')`))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('scopes', sql`text[]`, (c) => c.notNull())
    .addColumn('claims', 'jsonb', (c) => c.notNull())
    .addColumn('default_role', 'text')
    .addColumn('default_scope_id', 'text')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sso_connections_pk', ['org_id', 'id'])
    .execute();
  await db.schema
    .createTable('sso_group_mappings')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('idp_group', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sso_group_mappings_pk', ['org_id', 'connection_id', 'idp_group'])
    .addForeignKeyConstraint(
      'sso_group_mappings_connection_fk',
      ['org_id', 'connection_id'],
      'sso_connections',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'sso_group_mappings_group_fk',
      ['org_id', 'group_id'],
      'groups',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createTable('sso_identities')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_login_at', 'timestamptz')
    .addPrimaryKeyConstraint('sso_identities_pk', ['org_id', 'connection_id', 'subject'])
    .addForeignKeyConstraint(
      'sso_identities_connection_fk',
      ['org_id', 'connection_id'],
      'sso_connections',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createTable('sso_redirect_uris')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sso_redirect_uris_pk', ['org_id', 'uri'])
    .execute();
  await db.schema
    .createTable('sso_attempts')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('state_hash', 'text', (c) => c.notNull().unique())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier_sealed', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('client_state', 'text')
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('sign_in', 'test')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addPrimaryKeyConstraint('sso_attempts_pk', ['org_id', 'id'])
    .addForeignKeyConstraint(
      'sso_attempts_connection_fk',
      ['org_id', 'connection_id'],
      'sso_connections',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createTable('sso_codes')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('profile', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addPrimaryKeyConstraint('sso_codes_pk', ['org_id', 'id'])
    .addForeignKeyConstraint(
      'sso_codes_connection_fk',
      ['org_id', 'connection_id'],
      'sso_connections',
      ['org_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
}

/** Drops them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'sso_codes',
    'sso_attempts',
    'sso_redirect_uris',
    'sso_identities',
    'sso_group_mappings',
    'sso_connections',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
