/**
 * Presets (R2): a catalog, built-in roles, scope kinds, default roles and invariants that
 * reproduce one product's team management. One preset per seed in `shared/seeds/`.
 */
import type { InheritanceMap } from './inheritance.js';
import type { Catalog, PermissionPattern } from './permission.js';
import { documentOf, parsePresetDocument } from './preset-json.js';
import type {
  Assignment,
  GroupMembership,
  OrgSnapshot,
  RequiredRoleInvariant,
  RoleDef,
  ScopeNode,
  SubjectInfo,
} from './snapshot.js';
import type { TypedPreset, TypedPresetDecl } from './typed-preset.js';

/** A kind of scope and the kinds it may sit under (the root kind has none). */
export interface ScopeKindDef {
  readonly key: string;
  readonly name: string;
  /** Kinds this kind may be created under; empty for the root kind. */
  readonly parents: readonly string[];
}

/** A role as declared in code: permissions are type-checked against the catalog. */
export interface RoleDecl<P extends string> {
  readonly key: string;
  readonly name: string;
  readonly description?: string;
  readonly permissions: readonly PermissionPattern<P>[];
  readonly slot?: string | null;
  readonly scopeKinds?: readonly string[] | null;
}

/** A ready model of one product's team management. */
export interface Preset {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly catalog: Catalog;
  /** The kind of the root scope (the organization itself). */
  readonly rootKind: string;
  readonly scopeKinds: readonly ScopeKindDef[];
  readonly roles: readonly RoleDef[];
  /** Role given when an invitation names none, per scope kind (M1); null: a role must be named. */
  readonly defaultRoles: Readonly<Record<string, string | null>>;
  /** The role the organization's creator receives at the root. */
  readonly ownerRole: string;
  /** True when assignments may be limited to Live or Sandbox (seed 003). */
  readonly environments: boolean;
  readonly invariants: readonly RequiredRoleInvariant[];
  /**
   * Seed 004: every user must own at least one organization of this preset (hold `ownerRole`
   * at its root). The server gives a user who joins without owning one an organization of their
   * own and refuses any write that would leave a user owning none.
   */
  readonly everyUserOwnsAnOrg: boolean;
  /**
   * Seed 002: a role given to a subject at a scope below the root moves it down. Its own
   * assignment in the same exclusive slot at an ancestor scope (an org-level role) ends in the
   * same write, so it "will only have access to … that subtenant". Roles in other subscopes stay
   * ("multiple subtenants with different roles on each"). When false, the two stack (T3).
   */
  readonly scopedRoleMovesDown: boolean;
  /**
   * Per slot, how its roles inherit down the scope tree: `additive` (the default for a slot not
   * named: roles above stack with roles below) or `override` (the nearest assignment of the
   * slot wins, so a role set at a sub-organization replaces the inherited one and "None" there
   * inherits). Semantics in ./inheritance.ts.
   */
  readonly inheritance: InheritanceMap;
  /**
   * The stored version this preset was read from (`gatehouse preset apply`); absent for the
   * built-in presets and those a process is given in memory.
   */
  readonly version?: number;
}

/** What `definePreset` takes; role permissions are checked against the catalog's type. */
export interface PresetDecl<P extends string>
  extends Omit<Preset, 'catalog' | 'roles' | 'scopedRoleMovesDown' | 'inheritance' | 'version'> {
  readonly catalog: Catalog<P>;
  readonly roles: readonly RoleDecl<NoInfer<P>>[];
  /** Default false: roles at different scopes stack. */
  readonly scopedRoleMovesDown?: boolean;
  /** Default: every slot additive. */
  readonly inheritance?: InheritanceMap;
}

/**
 * Declares a preset in code and validates it as its JSON document would be
 * (`parsePresetDocument(presetDocument(...))`: one validation for both forms). Role
 * permissions are type-checked against the catalog; at run time every problem is reported with
 * its path (`roles.bad.permissions[1]: unknown permission "flows.delete"`).
 * The result carries its names as types: `PermissionOf`, `RoleOf`, `ScopeKindOf` (typed-preset.ts).
 *
 * @example
 * const preset = definePreset({ key: 'mini', catalog, roles: [{ key: 'owner', name: 'Owner', permissions: ['*'] }], ... });
 */
export function definePreset<P extends string, const R extends string, const K extends string>(
  decl: TypedPresetDecl<P, R, K>,
): TypedPreset<P, R, K> {
  return parsePresetDocument(documentOf(decl)) as TypedPreset<P, R, K>;
}

/** The organization's state, as the snapshot builder takes it. */
export interface OrgState {
  readonly orgId: string;
  readonly revision?: number;
  readonly scopes: readonly ScopeNode[];
  readonly subjects: readonly SubjectInfo[];
  readonly memberships?: readonly GroupMembership[];
  readonly assignments: readonly Assignment[];
  /** The org's custom roles, next to the preset's built-in ones (R3). */
  readonly customRoles?: readonly RoleDef[];
}

/** Builds a snapshot of an org that uses a preset. */
export function snapshotFor(preset: Preset, state: OrgState): OrgSnapshot {
  return {
    format: 1,
    orgId: state.orgId,
    revision: state.revision ?? 0,
    permissions: preset.catalog.permissions,
    roles: [...preset.roles, ...(state.customRoles ?? [])],
    scopes: state.scopes,
    subjects: state.subjects,
    memberships: state.memberships ?? [],
    assignments: state.assignments,
    invariants: preset.invariants,
    // Only when some slot overrides, so additive orgs' snapshots stay as they were.
    ...(Object.values(preset.inheritance ?? {}).includes('override')
      ? { inheritance: preset.inheritance }
      : {}),
  };
}
