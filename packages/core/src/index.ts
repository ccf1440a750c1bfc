/**
 * @gatehouse/core — Gatehouse's permission model. Pure TypeScript, no I/O: it runs on the
 * server and, from a fetched snapshot, in a browser. Its one dependency, zod (the `zod/mini`
 * build), validates preset documents.
 */
export { type AccessSource, type AssignmentRef, appliesIn } from './access.js';
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
export type { InheritanceMap, SlotInheritance } from './inheritance.js';
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
export { type ModelIssue, modelIssues } from './model-issues.js';
export { holdsRoleAtRoot, type OwnershipChange, ownershipChange } from './ownership.js';
export { type ChangedRows, patchSnapshot, type SnapshotPatch } from './patched-snapshot.js';
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
  type RoleDecl,
  type ScopeKindDef,
  snapshotFor,
} from './preset.js';
export {
  type NameChanges,
  noPresetChanges,
  type PresetChanges,
  presetChanges,
} from './preset-changes.js';
export type {
  InvariantDocument,
  PresetDocument,
  PresetRenames,
  RoleDocument,
  ScopeKindDocument,
} from './preset-document.js';
export { PresetError, type PresetIssue } from './preset-error.js';
export { parsePresetDocument, presetDocument } from './preset-json.js';
export { PresetRegistry } from './preset-registry.js';
export { type PresetTypesOptions, presetTypes } from './preset-types.js';
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
export {
  type CheckedDocument,
  type DocumentPermission,
  definePresetDocument,
  type PresetOfDocument,
  type RoleOf,
  type ScopeKindOf,
  type TypedPreset,
  type TypedPresetDecl,
} from './typed-preset.js';
