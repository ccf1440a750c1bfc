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
  settings: Json<Record<string, unknown>>;
  revision: Generated<number>;
  audit_seq: Generated<number>;
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

/** API clients: bearer keys of an org, with their own roles (K1). */
export interface ApiClientsTable {
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
  before: Json | null;
  after: Json | null;
  source: string;
  request_id: string | null;
  revision: number;
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
export type AuditRow = Selectable<AuditLogTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type NewAuditRow = Insertable<AuditLogTable>;
export type OrgUpdate = Updateable<OrgsTable>;
