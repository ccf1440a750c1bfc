/**
 * @gatehouse/core — Gatehouse's permission model. Pure TypeScript, no runtime dependencies,
 * no I/O: it runs on the server and, from a fetched snapshot, in a browser.
 */
export type { AccessSource } from './access.js';
export {
  ASSIGN_PERMISSION,
  type AssignRequest,
  type SlotQuery,
} from './assignment-rules.js';
export type { CheckRequest } from './check.js';
export { type Decision, type DecisionCode, deny, GRANTED } from './decision.js';
export { createEngine, deriveEngine, Engine, type SubjectChecker } from './engine.js';
export type { Explanation } from './explain.js';
export {
  type GrantGain,
  grantGains,
  heldPermissions,
  type LostGrant,
  lostGrants,
  missingPermissions,
  type RankGap,
  rankGap,
  withGroupMembers,
} from './grant-changes.js';
export type { SkippedAssignment } from './internal/engine-index.js';
export {
  findInvariantViolations,
  type InvariantViolation,
  requiredRoleHolders,
} from './invariants.js';
export {
  type ListOptions,
  ListOptionsError,
  type ListSubjectsOptions,
  type Page,
  type ScopeRef,
  type SubjectAccess,
} from './listing.js';
export {
  type AdminPermission,
  adminModules,
  type Catalog,
  defineCatalog,
  expandPatterns,
  type ModuleSpec,
  type ModuleSpecs,
  type PermissionInfo,
  type PermissionOf,
  type PermissionPattern,
  type PermissionsOf,
} from './permission.js';
export {
  definePreset,
  type OrgState,
  type Preset,
  type PresetDecl,
  PresetError,
  type RoleDecl,
  type ScopeKindDef,
  snapshotFor,
} from './preset.js';
export * from './presets/index.js';
export { ScopeTree, ScopeTreeError } from './scope-tree.js';
export {
  type Assignment,
  ENVIRONMENTS,
  type Environment,
  type GroupMembership,
  type OrgSnapshot,
  type RequiredRoleInvariant,
  type RoleDef,
  type ScopeNode,
  type SubjectInfo,
  type SubjectType,
} from './snapshot.js';
