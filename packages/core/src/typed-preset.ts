/**
 * Typed names for a product's own model (issue 12): a preset declared in code, or as a document
 * literal, carries its permission names, role keys and scope kinds as types, so code that names
 * them (`engine.can(user, 'flows.wirte', …)` through the SDK) fails to compile on a typo.
 * The types are phantom members: at run time a typed preset is the same object as any other.
 */
import type { AdminPermission, Catalog, PermissionPattern, PermissionsOf } from './permission.js';
import type { Preset, PresetDecl, RoleDecl, ScopeKindDef } from './preset.js';
import type {
  InvariantDocument,
  PresetDocument,
  RoleDocument,
  ScopeKindDocument,
} from './preset-document.js';
import { parsePresetDocument } from './preset-json.js';

/**
 * A preset whose names are types: `P` its permissions (the product's plus Gatehouse's
 * administrative ones), `R` its role keys, `K` its scope kinds. What `definePreset` and
 * `definePresetDocument` return; read the names with `PermissionOf`, `RoleOf`, `ScopeKindOf`.
 */
export interface TypedPreset<
  P extends string = string,
  R extends string = string,
  K extends string = string,
> extends Preset {
  readonly catalog: Catalog<P>;
  /** Phantom field carrying the role keys' type; always undefined at run time. */
  readonly __roles?: R;
  /** Phantom field carrying the scope kinds' type; always undefined at run time. */
  readonly __scopeKinds?: K;
}

/** What `definePreset` takes, with role keys `R` and scope kinds `K` read from the literal. */
export type TypedPresetDecl<P extends string, R extends string, K extends string> = Omit<
  PresetDecl<P>,
  'roles' | 'scopeKinds'
> & {
  readonly scopeKinds: readonly (ScopeKindDef & { readonly key: K })[];
  readonly roles: readonly (RoleDecl<NoInfer<P>> & { readonly key: R })[];
};

/**
 * The role keys of a typed preset: `RoleOf<typeof flowcodePreset>` is `'org_admin' | …`; `string`
 * for a preset whose roles are not known when compiling (one parsed from a file).
 */
export type RoleOf<T> = T extends Preset
  ? T extends { readonly __roles?: infer R extends string }
    ? R
    : string
  : never;

/** The scope kinds of a typed preset: `ScopeKindOf<typeof flowcodePreset>` is `'organization' | 'workspace'`. */
export type ScopeKindOf<T> = T extends Preset
  ? T extends { readonly __scopeKinds?: infer K extends string }
    ? K
    : string
  : never;

/** The permission names a preset document literal declares: its modules × actions, plus Gatehouse's. */
export type DocumentPermission<D extends PresetDocument> =
  | PermissionsOf<D['catalog']>
  | AdminPermission;

type KindOf<D extends PresetDocument> = keyof D['scopeKinds'] & string;
type RoleKeyOf<D extends PresetDocument> = keyof D['roles'] & string;

/**
 * What `definePresetDocument` checks of a document literal `D` when compiling: role permissions
 * against its catalog, and the scope kinds and roles its lists name (parents, a role's
 * `scopeKinds`, invariants) against those it declares. Single names (`ownerRole`, `rootKind`,
 * `defaultRoles`) are checked when it runs: narrowing them here would turn a typo into an error
 * on the whole literal rather than at the typo.
 */
export type CheckedDocument<D extends PresetDocument> = Omit<
  PresetDocument,
  'scopeKinds' | 'roles' | 'invariants'
> & {
  readonly scopeKinds: {
    readonly [K in keyof D['scopeKinds']]: Omit<ScopeKindDocument, 'parents'> & {
      readonly parents?: readonly KindOf<D>[];
    };
  };
  readonly roles: {
    readonly [R in keyof D['roles']]: Omit<RoleDocument, 'permissions' | 'scopeKinds'> & {
      readonly permissions: readonly PermissionPattern<DocumentPermission<D>>[];
      readonly scopeKinds?: readonly KindOf<D>[];
    };
  };
  readonly invariants?: readonly (Omit<InvariantDocument, 'roleKey'> & {
    readonly roleKey: RoleKeyOf<D>;
  })[];
};

/** The typed preset a document literal declares. */
export type PresetOfDocument<D extends PresetDocument> = TypedPreset<
  DocumentPermission<D>,
  RoleKeyOf<D>,
  KindOf<D>
>;

/**
 * Validates a preset document written as a literal in TypeScript (`parsePresetDocument`, the
 * one validation every preset goes through) and returns it as a typed preset: permissions are
 * the catalog's `module.action` names plus Gatehouse's, roles and scope kinds the document's
 * keys. Names in the document's lists are checked when compiling (`CheckedDocument`):
 * `'flows.wirte'` in a role is an error. A document imported from a `.json` file has no literal types; generate them with
 * `gatehouse typegen --file` (`presetTypes`) instead.
 *
 * @example
 * export const docsApp = definePresetDocument({
 *   key: 'docs-app', name: 'Docs app',
 *   catalog: { docs: ['read', 'write'] },
 *   rootKind: 'organization',
 *   scopeKinds: { organization: { name: 'Organization' } },
 *   roles: { owner: { name: 'Owner', permissions: ['*'] } },
 *   ownerRole: 'owner',
 * });
 * type Permission = PermissionOf<typeof docsApp>; // 'docs.read' | 'docs.write' | 'members.invite' | …
 */
export function definePresetDocument<const D extends PresetDocument>(
  doc: D & CheckedDocument<D>,
): PresetOfDocument<D> {
  return parsePresetDocument(doc) as PresetOfDocument<D>;
}
