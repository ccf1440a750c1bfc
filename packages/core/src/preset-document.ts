/**
 * A preset as a plain JSON document (issue 12, "bring your own model"): what a product team
 * writes by hand, what `parsePresetDocument` validates and `presetDocument` writes back.
 * Objects are keyed by name (roles, scope kinds, modules), so an error names its place the way
 * the author reads it: `roles.editor.permissions[3]: unknown permission "flows.wirte"`.
 * The JSON Schema for editors ships as `@gatehouse/core/preset.schema.json`.
 */
import type { SlotInheritance } from './inheritance.js';
import type { ModuleSpecs } from './permission.js';

/** A kind of scope (organization, workspace, subtenant, …) and the kinds it may be created under. */
export interface ScopeKindDocument {
  readonly name: string;
  /**
   * Kinds a scope of this kind may be created under. Absent or empty only for the root kind.
   * A kind may name itself (sub-organizations in sub-organizations, any depth); other cycles
   * are refused, so every kind is reachable from the root.
   */
  readonly parents?: readonly string[];
}

/** A built-in role: a permission set with wildcards, a slot, and where it may be held. */
export interface RoleDocument {
  readonly name: string;
  readonly description?: string;
  /** Exact permissions (`flows.write`), a module's every action (`flows.*`) or everything (`*`). */
  readonly permissions: readonly string[];
  /** Roles of one slot exclude each other at a scope (R5); absent or null: an add-on that stacks (R4). */
  readonly slot?: string | null;
  /** Scope kinds where the role may be held; absent: every kind. */
  readonly scopeKinds?: readonly string[];
}

/** A role that must keep holders at the organization scope (M7: at least one Owner). */
export interface InvariantDocument {
  readonly roleKey: string;
  /** Where it must be held; only `root` (the organization scope) for now. */
  readonly at?: 'root';
  /** Default 1. */
  readonly min?: number;
}

/**
 * A preset document. Optional fields default to: `description` "", `parents` none,
 * `defaultRoles` none (a role must be named when inviting), `environments` false, `invariants`
 * none, `everyUserOwnsAnOrg` false, `scopedRoleMovesDown` false, `inheritance` every slot
 * additive.
 *
 * @example
 * {
 *   "key": "docs-app",
 *   "name": "Docs app",
 *   "catalog": { "docs": { "actions": ["read", "write", "delete"], "sensitive": ["delete"] } },
 *   "rootKind": "organization",
 *   "scopeKinds": {
 *     "organization": { "name": "Organization" },
 *     "project": { "name": "Project", "parents": ["organization"] }
 *   },
 *   "roles": {
 *     "owner": { "name": "Owner", "permissions": ["*"], "slot": "primary" },
 *     "writer": { "name": "Writer", "permissions": ["docs.read", "docs.write"], "slot": "primary", "scopeKinds": ["project"] }
 *   },
 *   "defaultRoles": { "project": "writer" },
 *   "ownerRole": "owner",
 *   "invariants": [{ "roleKey": "owner", "min": 1 }]
 * }
 */
export interface PresetDocument {
  /** For editors: the JSON Schema (`./node_modules/@gatehouse/core/preset.schema.json`); ignored. */
  readonly $schema?: string;
  /** What organizations name when they are created on this preset (`docs-app`). */
  readonly key: string;
  readonly name: string;
  readonly description?: string;
  /**
   * The product's modules and actions; Gatehouse's administrative permissions (`members.invite`,
   * `roles.assign`, …) are always added and may be named by roles.
   */
  readonly catalog: ModuleSpecs;
  /** The kind of the organization scope itself; the only kind without parents. */
  readonly rootKind: string;
  readonly scopeKinds: { readonly [kind: string]: ScopeKindDocument };
  readonly roles: { readonly [role: string]: RoleDocument };
  /** The role an invitation to a scope of this kind gives when it names none (M1); null: none. */
  readonly defaultRoles?: { readonly [kind: string]: string | null };
  /** The role the organization's creator receives at the root; it must be holdable there. */
  readonly ownerRole: string;
  /** True when assignments may be limited to Live or Sandbox (T5, seed 003). */
  readonly environments?: boolean;
  readonly invariants?: readonly InvariantDocument[];
  /** Every user must own at least one organization (M7, seed 004). */
  readonly everyUserOwnsAnOrg?: boolean;
  /**
   * A role given below the root ends the subject's role of the same slot above it (seed 002:
   * a subtenant-level role moves an org-level user down). Default false: they stack.
   */
  readonly scopedRoleMovesDown?: boolean;
  /**
   * Per slot (a slot some role uses), how its roles inherit down the scope tree: `additive`
   * (default: roles above stack with roles below) or `override` (the nearest assignment of the
   * slot wins; a sub-scope without one inherits). Semantics in `inheritance.ts`.
   */
  readonly inheritance?: { readonly [slot: string]: SlotInheritance };
  /**
   * How this version renames what the stored version before it had, old name → new name
   * (`gatehouse preset apply`): assignments, pending invitations, custom roles and scopes move
   * to the new names in the same transaction. Not part of the model itself; ignored by
   * `parsePresetDocument` and when there is no version before.
   */
  readonly renamed?: PresetRenames;
}

/** Renames from one stored version of a preset to the next, by kind: old name → new name. */
export interface PresetRenames {
  /** Permissions (`flows.wirte` → `flows.write`). */
  readonly permissions?: { readonly [old: string]: string };
  /** Built-in roles (`editor` → `writer`). */
  readonly roles?: { readonly [old: string]: string };
  /** Scope kinds (`project` → `space`). */
  readonly scopeKinds?: { readonly [old: string]: string };
}
