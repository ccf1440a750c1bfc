/**
 * What one version of a preset changes from the version before it (issue 12, `preset diff`):
 * permissions, roles and scope kinds added, removed, renamed (as the new document's `renamed`
 * says) or changed, and which other fields differ. Pure; whether a removal is in use is the
 * server's question (it looks at every org on the preset).
 */
import type { Preset } from './preset.js';
import type { PresetRenames } from './preset-document.js';
import { formatPath, PresetError, type PresetIssue } from './preset-error.js';

/** Names of one kind that a version adds, removes or renames. */
export interface NameChanges {
  readonly added: readonly string[];
  /** Gone without a rename: refused while something uses them. */
  readonly removed: readonly string[];
  /** Old name → new name. */
  readonly renamed: Readonly<Record<string, string>>;
}

/** What a new version of a preset changes. */
export interface PresetChanges {
  readonly permissions: NameChanges;
  /** `changed`: built-in roles kept (or renamed) whose name, permissions, slot or kinds differ. */
  readonly roles: NameChanges & { readonly changed: readonly string[] };
  /** `changed`: kinds kept (or renamed) whose name or allowed parents differ. */
  readonly scopeKinds: NameChanges & { readonly changed: readonly string[] };
  /** Other fields that differ (`name`, `ownerRole`, `defaultRoles`, `environments`, …). */
  readonly fields: readonly string[];
}

/** True when a version changes nothing at all. */
export function noPresetChanges(c: PresetChanges): boolean {
  const none = (n: NameChanges) =>
    n.added.length === 0 && n.removed.length === 0 && Object.keys(n.renamed).length === 0;
  return (
    none(c.permissions) &&
    none(c.roles) &&
    none(c.scopeKinds) &&
    c.roles.changed.length === 0 &&
    c.scopeKinds.changed.length === 0 &&
    c.fields.length === 0
  );
}

/**
 * The changes from `before` (null: the key is new) to `after`, reading `renamed` as the new
 * document's renames. A rename must name something `before` has and `after` does not, into
 * something `after` has and `before` does not; otherwise a `PresetError` lists each problem at
 * its path (`renamed.roles.editor: "writer" is not a role of this version`).
 *
 * @example
 * const c = presetChanges(v1, v2, { roles: { editor: 'writer' } });
 * c.roles.renamed; // { editor: 'writer' }
 */
export function presetChanges(
  before: Preset | null,
  after: Preset,
  renamed: PresetRenames = {},
): PresetChanges {
  const names = {
    permissions: (p: Preset) => p.catalog.permissions.map((x) => x.name),
    roles: (p: Preset) => p.roles.map((r) => r.key),
    scopeKinds: (p: Preset) => p.scopeKinds.map((k) => k.key),
  };
  const words = { permissions: 'permission', roles: 'role', scopeKinds: 'scope kind' } as const;
  if (before === null) {
    const added = (k: keyof typeof names) => ({ added: names[k](after), removed: [], renamed: {} });
    return {
      permissions: added('permissions'),
      roles: { ...added('roles'), changed: [] },
      scopeKinds: { ...added('scopeKinds'), changed: [] },
      fields: [],
    };
  }
  const issues: PresetIssue[] = [];
  const compare = (k: keyof typeof names): NameChanges => {
    const was = new Set(names[k](before));
    const is = new Set(names[k](after));
    const moves: Record<string, string> = {};
    const targets = new Map<string, string>();
    for (const [from, to] of Object.entries(renamed[k] ?? {})) {
      const at = formatPath(['renamed', k, from]);
      const word = words[k];
      const problem = !was.has(from)
        ? `the current version has no ${word} "${from}"`
        : is.has(from)
          ? `"${from}" is still a ${word} of this version; a renamed ${word} must be gone`
          : !is.has(to)
            ? `"${to}" is not a ${word} of this version`
            : was.has(to)
              ? `"${to}" is already a ${word} of the current version; a rename may not merge two`
              : targets.has(to)
                ? `"${to}" is also the new name of "${targets.get(to)}"`
                : null;
      if (problem) issues.push({ path: at, message: problem });
      else {
        moves[from] = to;
        targets.set(to, from);
      }
    }
    return {
      added: [...is].filter((n) => !was.has(n) && !targets.has(n)),
      removed: [...was].filter((n) => !is.has(n) && !Object.hasOwn(moves, n)),
      renamed: moves,
    };
  };
  const permissions = compare('permissions');
  const roles = compare('roles');
  const scopeKinds = compare('scopeKinds');
  if (issues.length > 0) {
    throw PresetError.of(`the renames of preset ${JSON.stringify(after.key)} are invalid`, issues);
  }
  const rename = (map: Readonly<Record<string, string>>) => (n: string) =>
    Object.hasOwn(map, n) ? map[n]! : n;
  const perm = rename(permissions.renamed);
  const kind = rename(scopeKinds.renamed);
  const role = rename(roles.renamed);
  const roleShape = (r: Preset['roles'][number], p: (n: string) => string, k: typeof kind) =>
    JSON.stringify([
      r.name,
      r.description ?? '',
      r.permissions.map(p),
      r.slot,
      r.scopeKinds?.map(k) ?? null,
    ]);
  const afterRoles = new Map(after.roles.map((r) => [r.key, r]));
  const rolesChanged = before.roles.flatMap((r) => {
    const now = afterRoles.get(role(r.key));
    if (!now) return [];
    const same =
      roleShape(r, perm, kind) ===
      roleShape(
        now,
        (n) => n,
        (n) => n,
      );
    return same ? [] : [now.key];
  });
  const afterKinds = new Map(after.scopeKinds.map((k) => [k.key, k]));
  const kindsChanged = before.scopeKinds.flatMap((k) => {
    const now = afterKinds.get(kind(k.key));
    if (!now) return [];
    const was = JSON.stringify([k.name, k.parents.map(kind).sort()]);
    return was === JSON.stringify([now.name, [...now.parents].sort()]) ? [] : [now.key];
  });
  const fields: string[] = [];
  const field = (name: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) fields.push(name);
  };
  field('name', before.name, after.name);
  field('description', before.description, after.description);
  field('rootKind', kind(before.rootKind), after.rootKind);
  field('ownerRole', role(before.ownerRole), after.ownerRole);
  field(
    'defaultRoles',
    sortedEntries(
      Object.entries(before.defaultRoles).map(([k, r]) => [kind(k), r === null ? null : role(r)]),
    ),
    sortedEntries(Object.entries(after.defaultRoles)),
  );
  field('environments', before.environments, after.environments);
  field(
    'invariants',
    before.invariants.map((i) => ({ ...i, roleKey: role(i.roleKey) })),
    after.invariants,
  );
  field('everyUserOwnsAnOrg', before.everyUserOwnsAnOrg, after.everyUserOwnsAnOrg);
  field('scopedRoleMovesDown', before.scopedRoleMovesDown, after.scopedRoleMovesDown);
  field(
    'inheritance',
    sortedEntries(Object.entries(before.inheritance ?? {})),
    sortedEntries(Object.entries(after.inheritance ?? {})),
  );
  const catalogText = (p: Preset, name: (n: string) => string) =>
    JSON.stringify(p.catalog.permissions.map((x) => [name(x.name), x.sensitive]).sort());
  if (catalogText(before, perm) !== catalogText(after, (n) => n)) {
    if (permissions.added.length === 0 && permissions.removed.length === 0) fields.push('catalog');
  }
  return {
    permissions,
    roles: { ...roles, changed: rolesChanged },
    scopeKinds: { ...scopeKinds, changed: kindsChanged },
    fields,
  };
}

function sortedEntries(entries: Array<[string, unknown]>): Array<[string, unknown]> {
  return entries.filter(([, v]) => v !== null).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
