/**
 * A catalog's modules checked and built, once for `defineCatalog` and preset documents alike:
 * sensitive actions must be declared, no permission twice (Gatehouse's own included).
 */
import { adminModules } from '../admin-modules.js';
import type { Catalog, ModuleSpec, ModuleSpecs, PermissionInfo } from '../permission.js';
import { formatPath, type PresetIssue } from '../preset-error.js';

/** A module spec in its long form. */
export function moduleParts(spec: ModuleSpec): {
  actions: readonly string[];
  sensitive: readonly string[];
  description: string | undefined;
} {
  if (Array.isArray(spec)) return { actions: spec, sensitive: [], description: undefined };
  const long = spec as Exclude<ModuleSpec, readonly string[]>;
  return { actions: long.actions, sensitive: long.sensitive ?? [], description: long.description };
}

const ADMIN_NAMES = new Set(infos(adminModules, true).map((p) => p.name));

/**
 * What is wrong with structurally valid modules, each at its path under `prefix`: a sensitive
 * action that is not among the actions, a permission declared twice (Gatehouse's own included).
 */
export function catalogIssues(
  modules: ModuleSpecs,
  prefix: readonly PropertyKey[] = ['catalog'],
): PresetIssue[] {
  const issues: PresetIssue[] = [];
  const seen = new Set<string>();
  for (const [module, spec] of Object.entries(modules)) {
    const { actions, sensitive } = moduleParts(spec);
    const at = Array.isArray(spec) ? [...prefix, module] : [...prefix, module, 'actions'];
    actions.forEach((action, i) => {
      const name = `${module}.${action}`;
      if (seen.has(name) || ADMIN_NAMES.has(name)) {
        const whose = ADMIN_NAMES.has(name) ? " (it is one of Gatehouse's own)" : '';
        issues.push({
          path: formatPath([...at, i]),
          message: `permission "${name}" is declared twice${whose}`,
        });
      }
      seen.add(name);
    });
    sensitive.forEach((action, i) => {
      if (!actions.includes(action)) {
        issues.push({
          path: formatPath([...prefix, module, 'sensitive', i]),
          message: `sensitive action "${module}.${action}" is not declared in actions`,
        });
      }
    });
  }
  return issues;
}

/** The catalog of checked modules: Gatehouse's administrative permissions first, then theirs. */
export function buildCatalog(modules: ModuleSpecs): Catalog {
  const descriptions: Record<string, string> = {};
  for (const [module, spec] of Object.entries(modules)) {
    const { description } = moduleParts(spec);
    if (description !== undefined) descriptions[module] = description;
  }
  return { permissions: [...infos(adminModules, true), ...infos(modules, false)], descriptions };
}

function infos(modules: ModuleSpecs, admin: boolean): PermissionInfo[] {
  return Object.entries(modules).flatMap(([module, spec]) => {
    const { actions, sensitive } = moduleParts(spec);
    return actions.map((action) => ({
      name: `${module}.${action}`,
      module,
      action,
      sensitive: sensitive.includes(action),
      admin,
    }));
  });
}

/** The product's modules of a catalog, as written in a document (the inverse of `buildCatalog`). */
export function catalogModules(catalog: Catalog): ModuleSpecs {
  const byModule = new Map<string, { actions: string[]; sensitive: string[] }>();
  for (const p of catalog.permissions) {
    if (p.admin) continue;
    const m = byModule.get(p.module) ?? { actions: [], sensitive: [] };
    byModule.set(p.module, m);
    m.actions.push(p.action);
    if (p.sensitive) m.sensitive.push(p.action);
  }
  const out: Record<string, ModuleSpec> = {};
  for (const [module, { actions, sensitive }] of byModule) {
    const description = catalog.descriptions?.[module];
    out[module] =
      sensitive.length === 0 && description === undefined
        ? actions
        : {
            actions,
            ...(sensitive.length ? { sensitive } : {}),
            ...(description === undefined ? {} : { description }),
          };
  }
  return out;
}
