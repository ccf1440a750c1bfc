/**
 * Random valid preset documents (issue 12) for the property tests: random catalogs, scope kinds
 * nesting under earlier ones (or themselves), roles naming real permissions and kinds, slots
 * with additive or override inheritance, defaults, invariants and flags.
 */
import fc from 'fast-check';

const MODULES = ['docs', 'flows', 'billing', 'reports', 'brandKits'] as const;
const ACTIONS = ['read', 'write', 'delete', 'export', 'manage', 'viewSelfie'] as const;
const KINDS = ['organization', 'workspace', 'project', 'folder', 'team'] as const;
const ROLES = ['owner', 'admin', 'editor', 'viewer', 'auditor', 'flows_addon'] as const;

/** A catalog module as documents write it. */
export type Module = string[] | { actions: string[]; sensitive?: string[]; description?: string };
/** A role as the tests change it. */
export interface Role {
  name: string;
  permissions: string[];
  slot?: unknown;
  scopeKinds?: string[];
  [field: string]: unknown;
}
/** A document as the tests change it. */
export interface Doc {
  key: string;
  name: string;
  catalog: Record<string, Module>;
  rootKind: string;
  scopeKinds: Record<string, { name: string; parents?: string[] }>;
  roles: Record<string, Role>;
  defaultRoles: Record<string, string | null>;
  ownerRole: string;
  invariants: Array<{ roleKey: string; min?: number }>;
  inheritance?: Record<string, unknown>;
  [field: string]: unknown;
}

/** A module's actions. */
export const actionsOf = (m: Module) => (Array.isArray(m) ? m : m.actions);
/** True when the role may be held at a scope of `kind`. */
export const mayHold = (role: Role, kind: string) =>
  !role.scopeKinds || role.scopeKinds.includes(kind);

/** A random valid document: kinds nest under earlier ones (or themselves), roles name real things. */
export const validDocument = fc.gen().map((g): Doc => {
  const draw = <T>(arb: fc.Arbitrary<T>): T => g(() => arb);
  const catalog: Record<string, Module> = {};
  for (const m of draw(fc.uniqueArray(fc.constantFrom(...MODULES), { maxLength: 4 }))) {
    const actions = draw(
      fc.uniqueArray(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 4 }),
    );
    const sensitive = draw(fc.subarray(actions));
    const description = draw(fc.option(fc.constant(`The ${m} module`), { nil: undefined }));
    catalog[m] =
      sensitive.length === 0 && description === undefined && draw(fc.boolean())
        ? actions
        : {
            actions,
            ...(sensitive.length ? { sensitive } : {}),
            ...(description ? { description } : {}),
          };
  }
  const kinds = KINDS.slice(0, draw(fc.integer({ min: 1, max: KINDS.length })));
  const scopeKinds: Doc['scopeKinds'] = {};
  kinds.forEach((k, i) => {
    const under = i === 0 ? [] : draw(fc.subarray(kinds.slice(0, i), { minLength: 1 }));
    const self = i > 0 && draw(fc.boolean()) ? [k] : [];
    scopeKinds[k] = { name: k.toUpperCase(), ...(i > 0 ? { parents: [...under, ...self] } : {}) };
  });
  const pool = [
    '*',
    'members.invite',
    'roles.assign',
    ...Object.entries(catalog).flatMap(([m, s]) => [
      `${m}.*`,
      ...actionsOf(s).map((a) => `${m}.${a}`),
    ]),
  ];
  const roles: Doc['roles'] = {};
  ROLES.slice(0, draw(fc.integer({ min: 1, max: ROLES.length }))).forEach((key, i) => {
    const limited = i > 0 && draw(fc.boolean());
    roles[key] = {
      name: key,
      permissions: draw(fc.subarray(pool)),
      ...(limited ? { scopeKinds: draw(fc.subarray([...kinds], { minLength: 1 })) } : {}),
      ...draw(fc.constantFrom({}, { slot: null }, { slot: 'primary' }, { slot: 'module:flows' })),
    };
  });
  const atRoot = Object.keys(roles).filter((r) => mayHold(roles[r]!, kinds[0]!));
  const defaultRoles: Record<string, string | null> = {};
  for (const k of draw(fc.subarray([...kinds]))) {
    const holders = Object.keys(roles).filter((r) => mayHold(roles[r]!, k));
    defaultRoles[k] = draw(fc.constantFrom(null, ...holders));
  }
  const slots = [...new Set(Object.values(roles).map((r) => r.slot))].filter(
    (x): x is string => typeof x === 'string',
  );
  const inheritance: Record<string, 'additive' | 'override'> = {};
  for (const slot of draw(fc.subarray(slots))) {
    inheritance[slot] = draw(fc.constantFrom('additive', 'override'));
  }
  return {
    key: 'random-model',
    name: 'Random model',
    catalog,
    rootKind: kinds[0]!,
    scopeKinds,
    roles,
    defaultRoles,
    ownerRole: draw(fc.constantFrom(...atRoot)),
    invariants: draw(fc.subarray(atRoot)).map((roleKey) => ({
      roleKey,
      min: draw(fc.integer({ min: 1, max: 3 })),
    })),
    ...(Object.keys(inheritance).length > 0 ? { inheritance } : {}),
    ...draw(
      fc.constantFrom(
        {},
        { environments: true },
        { everyUserOwnsAnOrg: true },
        { scopedRoleMovesDown: true },
      ),
    ),
  };
});
