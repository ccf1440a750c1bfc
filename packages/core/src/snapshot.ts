/**
 * The org snapshot: everything the engine needs to answer checks for one organization, as plain
 * JSON. The server builds it from the database; the SDK fetches it and runs the same engine in a
 * browser (C7).
 */
import type { InheritanceMap } from './inheritance.js';
import type { PermissionInfo } from './permission.js';

/** Environments an assignment may be limited to (T5). `null` on an assignment means both. */
export const ENVIRONMENTS = ['live', 'sandbox'] as const;
/** `live` or `sandbox`. */
export type Environment = (typeof ENVIRONMENTS)[number];

/** A named set of permissions (R3). */
export interface RoleDef {
  /** Stable key, unique in the org (`editor`, `workspace_admin`, `role_8f3...` for custom roles). */
  readonly key: string;
  /** Display name (`Editor`). Two roles may share a name at different scope kinds (seed 001 Admin). */
  readonly name: string;
  readonly description?: string;
  /** Exact permission names, `module.*` or `*`. */
  readonly permissions: readonly string[];
  /** A subject holds at most one role of a slot per scope (R5); `null` roles stack (add-ons, R4). */
  readonly slot: string | null;
  /** Scope kinds where the role may be assigned; `null` means any kind. */
  readonly scopeKinds: readonly string[] | null;
  /** Built-in roles come from the preset; custom roles are the org's own. */
  readonly builtIn: boolean;
}

/** One node of the scope tree. The organization itself is the single root (`parentId: null`). */
export interface ScopeNode {
  readonly id: string;
  readonly parentId: string | null;
  /** A scope kind the preset names (`organization`, `workspace`, `subtenant`, ...). */
  readonly kind: string;
  readonly name: string;
}

/** Kinds of subject that can hold roles. */
export type SubjectType = 'user' | 'group' | 'client';

/** A user, group or API client. Inactive subjects are denied every check (M6, S5). */
export interface SubjectInfo {
  readonly id: string;
  readonly type: SubjectType;
  readonly active: boolean;
  /** Groups only: the scopes it is limited to (seed 003 tenant groups); `null` is org-wide (G1). */
  readonly limitedTo?: readonly string[] | null;
  /** Display label (email for users, name for groups); used in explanations. */
  readonly label?: string;
}

/** A subject's membership of a group. Groups hold users and API clients, not other groups. */
export interface GroupMembership {
  readonly groupId: string;
  readonly memberId: string;
}

/** Subject × role × scope, optionally for one environment. Holds on the scope and below (T3). */
export interface Assignment {
  readonly id: string;
  readonly subjectId: string;
  readonly roleKey: string;
  readonly scopeId: string;
  /** `null`: both environments. */
  readonly environment: Environment | null;
}

/** A role that must keep a minimum number of holders (M7: at least one Owner). */
export interface RequiredRoleInvariant {
  readonly roleKey: string;
  /** Where it must be held: `root` (the organization scope). */
  readonly at: 'root';
  readonly min: number;
}

/** Everything the engine needs for one organization, as plain JSON. */
export interface OrgSnapshot {
  readonly format: 1;
  readonly orgId: string;
  /** The org revision this snapshot reflects (C6). */
  readonly revision: number;
  readonly permissions: readonly PermissionInfo[];
  readonly roles: readonly RoleDef[];
  readonly scopes: readonly ScopeNode[];
  readonly subjects: readonly SubjectInfo[];
  readonly memberships: readonly GroupMembership[];
  readonly assignments: readonly Assignment[];
  readonly invariants: readonly RequiredRoleInvariant[];
  /**
   * Per slot, how its roles inherit down the tree (`Preset.inheritance`, ./inheritance.ts);
   * absent, or a slot not named: additive.
   */
  readonly inheritance?: InheritanceMap;
}
