/**
 * The permission catalog: every permission a deployment knows, as `module.action` names.
 *
 * Gatehouse's own administrative permissions are always present; a preset or the integrating
 * product adds its own modules. Catalogs are declared `as const` so that role declarations in
 * code only accept permissions that exist (an unknown one fails to compile).
 */

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

/**
 * Gatehouse's own administrative permissions (SPEC R1): members, roles, groups, scopes, audit,
 * API clients, webhooks, SSO, SCIM, domains and organization settings.
 */
export const adminModules = {
  org: { actions: ['read', 'update', 'delete'], description: 'Organization details and settings' },
  scopes: {
    actions: ['read', 'create', 'update', 'delete'],
    description: 'Sub-organizations, workspaces, subtenants',
  },
  members: {
    actions: ['read', 'invite', 'update', 'remove'],
    description: 'People in the organization and their lifecycle',
  },
  roles: {
    actions: ['read', 'assign', 'manage'],
    description: 'Giving roles to subjects (assign) and defining custom roles (manage)',
  },
  groups: { actions: ['read', 'manage'], description: 'Groups and teams' },
  audit: { actions: ['read', 'write'], description: 'The activity log' },
  apiClients: { actions: ['read', 'manage'], description: 'API clients and their secrets' },
  webhooks: { actions: ['read', 'manage'], description: 'Webhook endpoints and deliveries' },
  sso: { actions: ['read', 'manage'], description: 'Single sign-on connections' },
  scim: { actions: ['manage'], description: 'SCIM directory tokens' },
  domains: { actions: ['read', 'manage'], description: 'Verified domains' },
} as const satisfies ModuleSpecs;

/** Gatehouse's administrative permission names (`members.invite`, `roles.assign`, ...). */
export type AdminPermission = PermissionsOf<typeof adminModules>;

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
  /** Phantom field carrying the permission names' type; always undefined at run time. */
  readonly __permissions?: P;
}

/** A role's permission list entry: an exact permission, `module.*`, or `*` (everything). */
export type PermissionPattern<P extends string> =
  | P
  | `${P extends `${infer M}.${string}` ? M : never}.*`
  | '*';

const MODULE_RE = /^[a-z][a-zA-Z0-9]*$/;
const ACTION_RE = /^[a-z][a-zA-Z0-9_]*$/;

function specToInfos(specs: ModuleSpecs, admin: boolean): PermissionInfo[] {
  const out: PermissionInfo[] = [];
  for (const [module, spec] of Object.entries(specs)) {
    if (!MODULE_RE.test(module)) throw new Error(`invalid module name "${module}"`);
    const actions = Array.isArray(spec) ? spec : (spec as { actions: readonly string[] }).actions;
    const sensitive = new Set(
      Array.isArray(spec) ? [] : ((spec as { sensitive?: readonly string[] }).sensitive ?? []),
    );
    for (const action of actions) {
      if (!ACTION_RE.test(action)) throw new Error(`invalid action name "${module}.${action}"`);
      out.push({
        name: `${module}.${action}`,
        module,
        action,
        sensitive: sensitive.has(action),
        admin,
      });
    }
    for (const s of sensitive) {
      if (!actions.includes(s))
        throw new Error(`sensitive action "${module}.${s}" is not declared`);
    }
  }
  return out;
}

/**
 * Declares a catalog: Gatehouse's administrative permissions plus the product's modules.
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
  const infos = [...specToInfos(adminModules, true), ...specToInfos(modules, false)];
  const seen = new Set<string>();
  for (const p of infos) {
    if (seen.has(p.name)) throw new Error(`permission "${p.name}" is declared twice`);
    seen.add(p.name);
  }
  return { permissions: infos };
}

/** The names a catalog declares, as a type. */
export type PermissionOf<C> = C extends Catalog<infer P> ? P : never;

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
