/**
 * Kysely table types. Every tenant table leads its primary key with `org_id`, so isolation is
 * part of every key and the tables are ready to be sharded by org.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;

/** Organizations; `revision` moves with every change of access (C6). */
export interface OrgsTable {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  avatar_url: string | null;
  preset: string;
  /** The stored preset version the org follows (`presets`); null for built-in and in-memory presets. */
  preset_version: ColumnType<number | null, number | null | undefined, number | null>;
  settings: Json<Record<string, unknown>>;
  revision: Generated<number>;
  audit_seq: Generated<number>;
  /** The hash of the newest audit entry (migration 0021); null before the first. */
  audit_hash: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** The scope tree; the root scope's id is the org's id. */
export interface ScopesTable {
  org_id: string;
  id: string;
  parent_id: string | null;
  kind: string;
  name: string;
  description: string | null;
  /** An http(s) image URL (seed 001 workspace avatar); the root scope's equals the org's. */
  avatar_url: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

/** People. A user may belong to several orgs; membership and status live in `members`. */
export interface UsersTable {
  id: string;
  email: string;
  /** Lower-cased email, unique. */
  email_lower: string;
  name: string | null;
  password_hash: string | null;
  mfa_enrolled: Generated<boolean>;
  /**
   * The last sign-in to any org, instance-wide. Never shown to an org's admins: they see
   * `members.last_login_at`, the last sign-in to their org.
   */
  last_login_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** Org membership of a user, with its lifecycle status. */
export interface MembersTable {
  org_id: string;
  user_id: string;
  status: 'active' | 'deactivated';
  external_id: string | null;
  /** SCIM `userName` (S1); set only for members the org's directory provisioned or adopted. */
  scim_user_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** The SCIM User document as the directory sent it (core + enterprise extension). */
  scim_doc: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  /** The user's last sign-in to this org (what the org's directory shows). */
  last_login_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** How that sign-in was made (migration 0019); null before. */
  last_login_method: ColumnType<
    AuthMethod | null,
    AuthMethod | null | undefined,
    AuthMethod | null
  >;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** Groups (teams). `limited_to` lists the scopes it may hold roles in (null: org-wide). */
export interface GroupsTable {
  org_id: string;
  id: string;
  name: string;
  description: string | null;
  avatar_url: string | null;
  limited_to: string[] | null;
  external_id: string | null;
  /** Created by the org's SCIM directory: only these are SCIM `/Groups` (S1, G3). */
  scim_managed: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** Members of groups: users or API clients. */
export interface GroupMembersTable {
  org_id: string;
  group_id: string;
  member_id: string;
  created_at: CreatedAt;
}

/** Custom roles of an org (built-in roles come from the preset). */
export interface RolesTable {
  org_id: string;
  key: string;
  name: string;
  description: string | null;
  permissions: string[];
  slot: string | null;
  scope_kinds: string[] | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** Subject × role × scope (× environment). */
export interface AssignmentsTable {
  org_id: string;
  id: string;
  subject_id: string;
  subject_type: 'user' | 'group' | 'client';
  role_key: string;
  scope_id: string;
  environment: 'live' | 'sandbox' | null;
  created_at: CreatedAt;
}

/**
 * A bearer credential an org issues (API client keys, SCIM tokens): `<id>.<secret>`, of which
 * only the SHA-256 is stored, and the last four characters as a hint.
 */
export interface CredentialsTable {
  org_id: string;
  id: string;
  name: string;
  secret_hash: string;
  secret_hint: string;
  created_at: CreatedAt;
  rotated_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** API clients: bearer keys of an org, with their own roles (K1). */
export type ApiClientsTable = CredentialsTable;

/** The audit log: one hash-chained entry per change (A1, A4). */
export interface AuditLogTable {
  org_id: string;
  seq: number;
  id: string;
  at: CreatedAt;
  actor_id: string;
  actor_label: string | null;
  on_behalf_of: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  scope_id: string | null;
  /** The state before, as canonical JSON text (`text` since 0011; what the hash covers). */
  before: string | null;
  /** The state after, as canonical JSON text. */
  after: string | null;
  source: string;
  request_id: string | null;
  revision: number;
  /** How `hash` was computed: 1 before migration 0011 (parsed JSON), 2 the stored text. */
  hash_version: ColumnType<number, number | undefined, never>;
  prev_hash: string;
  hash: string;
}

/** Events to deliver (webhooks, emails), written in the same transaction as the change. */
export interface OutboxTable {
  id: Generated<number>;
  org_id: string;
  type: string;
  payload: Json;
  revision: number;
  created_at: CreatedAt;
  delivered_at: Date | null;
  attempts: Generated<number>;
}

/** Instance-wide keys (the instance admin key), stored hashed. */
export interface InstanceKeysTable {
  id: string;
  secret_hash: string;
  created_at: CreatedAt;
}

/** A role an invitation gives on acceptance (stored in `invitations.roles`). */
export interface InvitationRole {
  role: string;
  scopeId: string;
  environment: 'live' | 'sandbox' | null;
}

/** Invitations by email (M1–M3); "expired" is computed from `expires_at`. */
export interface InvitationsTable {
  org_id: string;
  id: string;
  email: string;
  email_lower: string;
  name: string | null;
  scope_id: string;
  roles: Json<InvitationRole[]>;
  status: 'pending' | 'accepted' | 'revoked';
  /** SHA-256 of the one-time link's token; never the token itself. */
  token_hash: string;
  /** Hashes of links a resend replaced, so a stale link gets a clear error. */
  replaced_token_hashes: ColumnType<string[], string[] | undefined, string[]>;
  expires_at: Timestamp;
  invited_by: string;
  created_at: CreatedAt;
  last_sent_at: ColumnType<Date, Date | string | undefined, Date | string>;
  resend_count: Generated<number>;
  accepted_at: Date | null;
  accepted_user_id: string | null;
  revoked_at: Date | null;
}

/**
 * The snapshot journal (filled by triggers): the key of every snapshot row that changed, with
 * the org revision it changed at. Engines catch up from it instead of reloading the org.
 */
export interface SnapshotChangesTable {
  org_id: string;
  revision: ColumnType<number, number | bigint, never>;
  /** scope | member | group | client | assignment | role | membership | org */
  entity: string;
  /** The row's id (memberships: `groupId memberId`). */
  key: string;
  created_at: Generated<Date>;
  /** Increasing with every entry (migration 0024): splits one transaction's entries by write. */
  seq: ColumnType<string, never, never>;
}

/** The email outbox: written with the change that sends it, delivered by the server's worker. */
export interface EmailsTable {
  id: string;
  org_id: string | null;
  to_address: string;
  subject: string;
  text: string;
  html: string | null;
  /** `invitation`, ... */
  kind: string;
  /** The entity the email is about (an invitation id). */
  ref_id: string | null;
  /** `logged`: no SMTP server configured, the message went to the server log. */
  status: ColumnType<
    'pending' | 'sent' | 'logged' | 'failed' | 'cancelled',
    'pending' | undefined,
    'pending' | 'sent' | 'logged' | 'failed' | 'cancelled'
  >;
  created_at: CreatedAt;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** A delivery worker's lease on the row; others skip it until then. */
  locked_until: Date | null;
  sent_at: Date | null;
  attempts: Generated<number>;
  last_error: string | null;
  /**
   * The one-time secret the bodies stand in for with `[secret:<id>]`, AES-256-GCM encrypted
   * under the instance secret key; erased (null) once the email is sent, logged, failed for
   * good, cancelled or its secret expired.
   */
  secret_box: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the secret stops working (the invitation's expiry): the box is erased then. */
  secret_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/**
 * A signed checkpoint left by audit retention (A4): entries up to `seq` were deleted; `hash` is
 * the deleted entry `seq`'s hash, which the next entry's `prev_hash` must equal. The HMAC
 * `signature` (instance audit signing key, `key_id` names it) covers org, seq, hash, pruned, at.
 */
export interface AuditCheckpointsTable {
  org_id: string;
  seq: number;
  hash: string;
  pruned: number;
  at: Timestamp;
  key_id: string;
  signature: string;
}

/** Instance-wide secrets generated on first use (the audit signing key). */
export interface InstanceSecretsTable {
  id: string;
  secret: string;
  created_at: CreatedAt;
}

/** SCIM directory tokens (S4): one or more bearer tokens per org, stored hashed. */
export type ScimTokensTable = CredentialsTable;

/**
 * User sessions: a login to one org. Only the SHA-256 of the token (`ses_<id>.<secret>`) is
 * stored; `revoked_at` is set by logout, an admin's revoke, deactivation or removal.
 */
export interface SessionsTable {
  org_id: string;
  id: string;
  user_id: string;
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  last_used_at: Date | null;
  revoked_at: Date | null;
  user_agent: string | null;
  ip: string | null;
  /** How the user proved who they are (migration 0019). */
  auth_method: ColumnType<AuthMethod, AuthMethod | undefined, AuthMethod>;
}

/** How a session's user proved who they are: a password, with a TOTP code or a recovery code, or an IdP. */
export type AuthMethod = 'pwd' | 'pwd+totp' | 'pwd+recovery' | 'sso';

/** A failed login, counted per address to throttle guessing (see migration 0009). */
export interface LoginFailuresTable {
  email_lower: string;
  failed_at: Date;
  org_id: string | null;
  ip: string | null;
}

/**
 * A one-time link to choose a new password (see migration 0018). Instance-wide like `users`;
 * only the SHA-256 of the token is stored.
 */
export interface PasswordResetsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Set when a newer link of the same user replaced this one. */
  superseded_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Who asked for it on the person's behalf (an org admin: `user usr_… (ana@acme.test)`); null: the person. */
  requested_by: string | null;
  /** The org whose admin asked for it; null for the person's own request. */
  org_id: string | null;
  /** The client address of a public request (its throttle counts by it). */
  ip: string | null;
}

/** A user's TOTP authenticator (migration 0019): the secret sealed, pending until confirmed. */
export interface MfaFactorsTable {
  id: string;
  user_id: string;
  kind: 'totp';
  /** `sealSecret(instance key, base32 secret, "mfa_factors:<id>")`. */
  secret_sealed: string;
  created_at: CreatedAt;
  confirmed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The TOTP time step of the last code accepted (a code of that step or older is a replay). */
  last_used_step: ColumnType<number | null, number | null | undefined, number | null>;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** A single-use recovery code of a user, only its SHA-256 stored (migration 0019). */
export interface MfaRecoveryCodesTable {
  user_id: string;
  code_hash: string;
  created_at: CreatedAt;
  used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** The second step of a password sign-in (migration 0019): short-lived, single use, hashed. */
export interface MfaChallengesTable {
  id: string;
  user_id: string;
  org_id: string;
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  user_agent: string | null;
  ip: string | null;
}

/** A periodic job's claim, shared by the server processes (see migration 0007). */
export interface JobClaimsTable {
  name: string;
  locked_by: string | null;
  locked_until: Date | null;
  last_started_at: Timestamp;
  last_finished_at: Date | null;
}

/**
 * Stored preset documents, one row per version (issue 12). `changes` is what the version
 * changed from the one before (the report `preset apply` answered with); null for version 1.
 */
export interface PresetsTable {
  key: string;
  version: number;
  document: Json<Record<string, unknown>>;
  /** `api` (applied through the API, SDK or CLI) or `file` (GATEHOUSE_PRESETS at start). */
  source: string;
  /** Who applied it: `instance-admin` or `system`. */
  applied_by: string;
  applied_at: CreatedAt;
  changes: ColumnType<unknown | null, string | null | undefined, never>;
}

/** A domain an org claimed, and where its DNS verification stands (see migration 0015). */
export interface OrgDomainsTable {
  org_id: string;
  id: string;
  /** Lower-cased; punycode for internationalized names. */
  domain: string;
  /** `pending` (never verified), `verified`, or `failed` (lost by re-checks). */
  status: ColumnType<DomainStatus, DomainStatus | undefined, DomainStatus>;
  /** Public: the TXT record's value is `gatehouse-verification=<token>`. */
  verification_token: string;
  created_at: CreatedAt;
  verified_at: Date | null;
  last_checked_at: Date | null;
  last_error: string | null;
  next_check_at: Date | null;
  /** Consecutive failed re-checks of a verified domain. */
  failed_checks: Generated<number>;
}

/** Where a domain's verification stands. */
export type DomainStatus = 'pending' | 'verified' | 'failed';

/** An org's policies for people of its verified domains (see migration 0015). */
export interface OrgDomainPoliciesTable {
  org_id: string;
  require_sso: Generated<boolean>;
  auto_join: Generated<boolean>;
  updated_at: Timestamp;
}

/** An org's SSO connection (issue 13; migration 0016). The client secret is sealed, never plain. */
export interface SsoConnectionsTable {
  org_id: string;
  id: string;
  name: string;
  protocol: 'oidc' | 'saml';
  /** OIDC only (null for SAML; a check keeps it set for OIDC). */
  issuer: string | null;
  /** OIDC only. */
  client_id: string | null;
  /** OIDC only: `sealSecret(instance key, secret, "sso_connections:<org>:<id>")`. */
  client_secret_sealed: string | null;
  /** OIDC scopes; empty for SAML. */
  scopes: string[];
  /** Which claims carry the email, name and groups (`{ email, name, groups }`). */
  claims: Json<Record<string, string | null>>;
  default_role: string | null;
  default_scope_id: string | null;
  enabled: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** The SAML-only settings of a `protocol = 'saml'` connection (migration 0017). */
export interface SsoSamlSettingsTable {
  org_id: string;
  connection_id: string;
  idp_entity_id: string;
  /** The IdP's SingleSignOnService location, HTTP-Redirect binding. */
  idp_sso_url: string;
  /** The IdP's signing certificates (base64 DER, no PEM armour); several during a rotation. */
  idp_certs: string[];
  /** The entity id Gatehouse answers as (the assertion's audience); fixed at creation. */
  sp_entity_id: string;
  want_encrypted: Generated<boolean>;
  /** The SP decryption key, `sealSecret(key, pem, "sso_saml_settings:<org>:<id>")`. */
  sp_key_sealed: string | null;
  /** The SP encryption certificate (base64 DER), published in the SP metadata. */
  sp_cert: string | null;
  allow_idp_initiated: Generated<boolean>;
  /** Where the IdP publishes its metadata (0020); null: settings given by hand or by XML. */
  metadata_url: Generated<string | null>;
  /** The last fetch of `metadata_url`, successful or not. */
  metadata_checked_at: Generated<Date | null>;
  /** The last fetch that succeeded (its settings are the ones stored). */
  metadata_refreshed_at: Generated<Date | null>;
  /** Why the last fetch failed; null when it succeeded. */
  metadata_error: Generated<string | null>;
}

/** Refused sign-ins of a connection audited in the current minute, and those left out (0020). */
export interface SsoRefusalWindowsTable {
  org_id: string;
  connection_id: string;
  window_start: Timestamp;
  recorded: Generated<number>;
  unrecorded: Generated<number>;
}

/** An assertion id already consumed through a connection, kept until it expires (replay). */
export interface SsoSamlAssertionsTable {
  org_id: string;
  connection_id: string;
  assertion_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

/** An IdP group (a value of the connection's groups claim) → a Gatehouse group. */
export interface SsoGroupMappingsTable {
  org_id: string;
  connection_id: string;
  idp_group: string;
  group_id: string;
  created_at: CreatedAt;
}

/** Which IdP subject of a connection is which Gatehouse user. */
export interface SsoIdentitiesTable {
  org_id: string;
  connection_id: string;
  subject: string;
  user_id: string;
  created_at: CreatedAt;
  last_login_at: Date | null;
}

/** An org's allowlist of adopter redirect URIs (exact match). */
export interface SsoRedirectUrisTable {
  org_id: string;
  uri: string;
  created_at: CreatedAt;
}

/** A sign-in on its way through the IdP; single use. */
export interface SsoAttemptsTable {
  org_id: string;
  id: string;
  connection_id: string;
  state_hash: string;
  nonce: string;
  code_verifier_sealed: string;
  redirect_uri: string;
  client_state: string | null;
  mode: 'sign_in' | 'test';
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Date | null;
}

/** The one-time code an adopter exchanges for the profile and a session; stored hashed. */
export interface SsoCodesTable {
  org_id: string;
  id: string;
  code_hash: string;
  connection_id: string;
  user_id: string;
  profile: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Date | null;
}

/** The database, as Kysely sees it. */
export interface Database {
  orgs: OrgsTable;
  scopes: ScopesTable;
  users: UsersTable;
  members: MembersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  roles: RolesTable;
  assignments: AssignmentsTable;
  api_clients: ApiClientsTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  instance_keys: InstanceKeysTable;
  scim_tokens: ScimTokensTable;
  audit_checkpoints: AuditCheckpointsTable;
  instance_secrets: InstanceSecretsTable;
  invitations: InvitationsTable;
  emails: EmailsTable;
  snapshot_changes: SnapshotChangesTable;
  sessions: SessionsTable;
  job_claims: JobClaimsTable;
  login_failures: LoginFailuresTable;
  password_resets: PasswordResetsTable;
  presets: PresetsTable;
  org_domains: OrgDomainsTable;
  org_domain_policies: OrgDomainPoliciesTable;
  sso_connections: SsoConnectionsTable;
  sso_group_mappings: SsoGroupMappingsTable;
  sso_identities: SsoIdentitiesTable;
  sso_redirect_uris: SsoRedirectUrisTable;
  sso_attempts: SsoAttemptsTable;
  sso_codes: SsoCodesTable;
  sso_saml_settings: SsoSamlSettingsTable;
  sso_saml_assertions: SsoSamlAssertionsTable;
  sso_refusal_windows: SsoRefusalWindowsTable;
  mfa_factors: MfaFactorsTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
}

/** Row types, for callers that pass rows around. */
export type OrgRow = Selectable<OrgsTable>;
export type ScopeRow = Selectable<ScopesTable>;
export type UserRow = Selectable<UsersTable>;
export type MemberRow = Selectable<MembersTable>;
export type GroupRow = Selectable<GroupsTable>;
export type RoleRow = Selectable<RolesTable>;
export type AssignmentRow = Selectable<AssignmentsTable>;
export type ApiClientRow = Selectable<ApiClientsTable>;
export type ScimTokenRow = Selectable<ScimTokensTable>;
/** A row of either credential table. */
export type CredentialRow = Selectable<CredentialsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type PasswordResetRow = Selectable<PasswordResetsTable>;
export type MfaFactorRow = Selectable<MfaFactorsTable>;
export type MfaChallengeRow = Selectable<MfaChallengesTable>;
export type OrgDomainRow = Selectable<OrgDomainsTable>;
export type SsoConnectionRow = Selectable<SsoConnectionsTable>;
export type SsoSamlSettingsRow = Selectable<SsoSamlSettingsTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type AuditCheckpointRow = Selectable<AuditCheckpointsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type EmailRow = Selectable<EmailsTable>;
export type NewAuditRow = Insertable<AuditLogTable>;
export type OrgUpdate = Updateable<OrgsTable>;
