/**
 * The permission catalog: every permission a deployment knows, as `module.action` names.
 *
 * Gatehouse's own administrative permissions are always present; a preset or the integrating
 * product adds its own modules. Catalogs are declared `as const` so that role declarations in
 * code only accept permissions that exist (an unknown one fails to compile).
 */
import { type AdminPermission, adminModules } from './admin-modules.js';
import { buildCatalog, catalogIssues } from './internal/catalog-rules.js';
import { catalogSchema, parseStructure } from './internal/document-schema.js';
import { PresetError } from './preset-error.js';

export { type AdminPermission, adminModules };

/** How a product declares one module: its actions, and which of them are sensitive (R7). */
export type ModuleSpec =
  | readonly string[]
  | {
      readonly actions: readonly string[];
      /** Actions a tool should warn about before granting (delete verification, view selfie). */
      readonly sensitive?: readonly string[];
      /** One line on what the module covers, shown by tools. */
      readonly description?: string;
    };

/** A product's modules: `{ flows: ['read', 'write'], verifications: { actions: [...] } }`. */
export type ModuleSpecs = { readonly [module: string]: ModuleSpec };

type ActionsOf<S> = S extends readonly string[]
  ? S[number]
  : S extends { readonly actions: readonly string[] }
    ? S['actions'][number]
    : never;

/** The dotted permission names a set of module specs declares: `'flows.read' | 'flows.write'`. */
export type PermissionsOf<M extends ModuleSpecs> = {
  [K in keyof M & string]: `${K}.${ActionsOf<M[K]>}`;
}[keyof M & string];

/** One permission of a catalog, as it travels in a snapshot. */
export interface PermissionInfo {
  /** `module.action` */
  readonly name: string;
  readonly module: string;
  readonly action: string;
  /** Tools warn before granting a sensitive permission (R7). */
  readonly sensitive: boolean;
  /** True for Gatehouse's own administrative permissions. */
  readonly admin: boolean;
}

/**
 * A permission catalog: Gatehouse's administrative modules plus the product's own.
 * `P` is the union of its permission names, used to type role declarations.
 */
export interface Catalog<P extends string = string> {
  readonly permissions: readonly PermissionInfo[];
  /** One line per product module that has one (`flows: 'Identity flows'`), shown by tools. */
  readonly descriptions?: Readonly<Record<string, string>>;
  /** Phantom field carrying the permission names' type; always undefined at run time. */
  readonly __permissions?: P;
}

/** A role's permission list entry: an exact permission, `module.*`, or `*` (everything). */
export type PermissionPattern<P extends string> =
  | P
  | `${P extends `${infer M}.${string}` ? M : never}.*`
  | '*';

/**
 * Declares a catalog: Gatehouse's administrative permissions plus the product's modules.
 * Checked as a preset document's `catalog` is; a problem throws a `PresetError` naming its path
 * (`catalog.flows[1]: permission "flows.read" is declared twice`).
 *
 * @example
 * const catalog = defineCatalog({
 *   flows: ['read', 'write'],
 *   verifications: { actions: ['view', 'delete'], sensitive: ['delete'] },
 * });
 * // catalog's permission type: 'flows.read' | 'flows.write' | 'verifications.view' | ... | 'members.invite' | ...
 */
export function defineCatalog<const M extends ModuleSpecs>(
  modules: M,
): Catalog<PermissionsOf<M> | AdminPermission> {
  const parsed = parseStructure(catalogSchema, modules, ['catalog']);
  const issues = parsed.ok ? catalogIssues(modules) : parsed.issues;
  if (issues.length > 0) throw PresetError.of('invalid catalog', issues);
  return buildCatalog(modules) as Catalog<PermissionsOf<M> | AdminPermission>;
}

/** The names a catalog, or a preset's catalog, declares, as a type. */
export type PermissionOf<C> =
  C extends Catalog<infer P> ? P : C extends { readonly catalog: Catalog<infer P> } ? P : never;

/**
 * Expands role permission patterns (`*`, `module.*`, exact names) against a catalog's list.
 * Unknown exact names and modules are returned in `unknown` rather than dropped silently.
 */
export function expandPatterns(
  permissions: readonly PermissionInfo[],
  patterns: readonly string[],
): { names: string[]; unknown: string[] } {
  const names = new Set<string>();
  const unknown: string[] = [];
  const byName = new Set(permissions.map((p) => p.name));
  for (const pattern of patterns) {
    if (pattern === '*') {
      for (const p of permissions) names.add(p.name);
    } else if (pattern.endsWith('.*')) {
      const module = pattern.slice(0, -2);
      const matches = permissions.filter((p) => p.module === module);
      if (matches.length === 0) unknown.push(pattern);
      for (const p of matches) names.add(p.name);
    } else if (byName.has(pattern)) {
      names.add(pattern);
    } else {
      unknown.push(pattern);
    }
  }
  return { names: [...names], unknown };
}
