/**
 * Random organizations for the property tests: random scope trees (deep chains included),
 * catalogs, roles with `*` / `module.*` patterns, groups with scope limits, inactive subjects,
 * environment-limited and unsound assignments, additive and override slots. Everything is drawn as plain numbers and resolved
 * by index, so that fast-check shrinks to small, readable counterexamples.
 */
import fc from 'fast-check';
import { defineCatalog, type ModuleSpecs } from '../permission.js';
import type {
  Assignment,
  Environment,
  GroupMembership,
  OrgSnapshot,
  RoleDef,
  ScopeNode,
  SubjectInfo,
} from '../snapshot.js';

// ---------------------------------------------------------------------------------------------

/** Product modules a random catalog picks from (next to Gatehouse's 27 admin permissions). */
export const MODULE_POOL: ModuleSpecs = {
  flows: ['read', 'write', 'delete'],
  cases: ['view', 'close'],
  reports: ['read', 'export', 'share', 'schedule'],
  kyc: { actions: ['view', 'delete'], sensitive: ['delete'] },
  billing: ['view'],
  // 30 actions: with it the catalog passes 64 permissions, so grant bitsets take three words.
  ops: Array.from({ length: 30 }, (_, i) => `a${i}`),
};
const MODULE_NAMES = Object.keys(MODULE_POOL);
const KIND_POOL = ['org', 'ws', 'team'];
const SCOPE_PREFIXES = ['s', 'S', 'ws_', 'a-'];
export const ENVS: ReadonlyArray<Environment | null> = [null, 'live', 'sandbox'];
export const CHECK_ENVS: ReadonlyArray<Environment | undefined> = [undefined, 'live', 'sandbox'];

export const UNKNOWN_SUBJECT = 'ghost';
export const UNKNOWN_SCOPE = 'nowhere';
export const UNKNOWN_ROLE = 'no_such_role';

const scopeSpec = fc.record({ parent: fc.nat(), chain: fc.boolean(), kind: fc.nat() });
const roleSpec = fc.record({
  patterns: fc.array(fc.nat(), { maxLength: 6 }),
  description: fc.option(fc.string(), { nil: undefined }),
  star: fc.boolean(),
  slot: fc.constantFrom(null, 'primary', 'addon'),
  anyKind: fc.boolean(),
  kinds: fc.array(fc.nat(), { maxLength: 3 }),
});
export const assignmentSpec = fc.record({
  subject: fc.nat(),
  role: fc.nat(),
  scope: fc.nat(),
  env: fc.nat({ max: 2 }),
  /** 0: points at an unknown subject, role or scope (taken as no effect). */
  dangling: fc.nat({ max: 19 }),
});

export const orgSpec = fc.record({
  modules: fc.subarray(MODULE_NAMES),
  kindCount: fc.integer({ min: 2, max: 3 }),
  /** 0 random tree, 1 mostly a chain, 2 one deep chain, 3 shallow and wide. */
  shape: fc.nat({ max: 3 }),
  scopePrefix: fc.nat(),
  scopeOrder: fc.array(fc.nat(), { maxLength: 39 }),
  scopes: fc.array(scopeSpec, { maxLength: 39, size: 'max' }),
  roles: fc.array(roleSpec, { minLength: 1, maxLength: 6 }),
  subjects: fc.array(
    fc.record({
      type: fc.constantFrom<SubjectInfo['type']>('user', 'user', 'client', 'group', 'group'),
      inactive: fc.nat({ max: 5 }),
      limited: fc.boolean(),
      limits: fc.array(fc.nat(), { maxLength: 3 }),
      label: fc.option(fc.string(), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 10, size: 'max' },
  ),
  memberships: fc.array(fc.record({ group: fc.nat(), member: fc.nat(), odd: fc.nat({ max: 9 }) }), {
    maxLength: 12,
    size: 'max',
  }),
  assignments: fc.array(assignmentSpec, { maxLength: 25, size: 'max' }),
  /**
   * Slot inheritance (./inheritance.ts): 0 none given, 1 `primary` override, 2 `addon`
   * override, 3 both, 4 both named additive. Half the orgs have an override slot.
   */
  inheritance: fc.nat({ max: 7 }),
});

/** The inheritance a spec's `inheritance` number names. */
export function inheritanceOf(n: number): OrgSnapshot['inheritance'] {
  switch (n % 8) {
    case 1:
    case 5:
      return { primary: 'override' };
    case 2:
    case 6:
      return { addon: 'override', primary: 'additive' };
    case 3:
    case 7:
      return { primary: 'override', addon: 'override' };
    case 4:
      return { primary: 'additive', addon: 'additive' };
    default:
      return undefined;
  }
}

export type OrgSpec = typeof orgSpec extends fc.Arbitrary<infer T> ? T : never;
export type AssignmentSpec = typeof assignmentSpec extends fc.Arbitrary<infer T> ? T : never;

/** Picks `list[n mod length]`. */
export function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

/** Builds a snapshot from a spec. */
export function buildOrg(spec: OrgSpec): OrgSnapshot {
  const { permissions } = defineCatalog(
    Object.fromEntries(spec.modules.map((m) => [m, MODULE_POOL[m]!])) as ModuleSpecs,
  );
  const kinds = KIND_POOL.slice(0, spec.kindCount);

  // Mixed-case and punctuated ids, so that id order differs from tree and insertion order.
  const scopeId = (n: number) => `${pick(SCOPE_PREFIXES, spec.scopePrefix + n * 3)}${n}`;
  const scopes: ScopeNode[] = [{ id: scopeId(0), parentId: null, kind: kinds[0]!, name: 'Org' }];
  spec.scopes.forEach((s, i) => {
    const n = i + 1;
    const parent =
      spec.shape === 2 || (spec.shape === 1 && (s.chain || s.parent % 4 !== 0))
        ? n - 1
        : spec.shape === 3
          ? s.parent % Math.min(n, 3)
          : s.chain
            ? n - 1
            : s.parent % n;
    scopes.push({
      id: scopeId(n),
      parentId: scopeId(parent),
      kind: pick(kinds, s.kind),
      name: `S${n}`,
    });
  });
  // Snapshot order need not be tree order: move scopes around (children before parents too).
  for (let i = 0; i < spec.scopeOrder.length && scopes.length > 1; i++) {
    const a = i % scopes.length;
    const b = spec.scopeOrder[i]! % scopes.length;
    [scopes[a], scopes[b]] = [scopes[b]!, scopes[a]!];
  }
  const scopeIds = scopes.map((s) => s.id);

  const modules = [...new Set(permissions.map((p) => p.module))];
  const patterns = [
    ...permissions.map((p) => p.name),
    ...modules.map((m) => `${m}.*`),
    'ghost.*',
    'ghost.read',
  ];
  const roles: RoleDef[] = spec.roles.map((r, i) => ({
    key: `r${i}`,
    name: `Role ${i}`,
    ...(r.description === undefined ? {} : { description: r.description }),
    permissions: [...(r.star ? ['*'] : []), ...r.patterns.map((p) => pick(patterns, p))],
    slot: r.slot,
    scopeKinds: r.anyKind ? null : r.kinds.map((k) => pick([...kinds, 'elsewhere'], k)),
    builtIn: i % 2 === 0,
  }));

  const subjects: SubjectInfo[] = spec.subjects.map((s, i) => {
    const prefix = s.type === 'user' ? 'u' : s.type === 'client' ? 'c' : 'g';
    const info: SubjectInfo = {
      id: `${prefix}${i}`,
      type: s.type,
      active: s.inactive !== 0,
      ...(s.label === undefined ? {} : { label: s.label }),
      ...(s.type === 'group'
        ? {
            limitedTo: s.limited
              ? s.limits.map((l) => pick([...scopeIds, UNKNOWN_SCOPE], l))
              : null,
          }
        : {}),
    };
    return info;
  });
  const groups = subjects.filter((s) => s.type === 'group').map((s) => s.id);
  const members = subjects.filter((s) => s.type !== 'group').map((s) => s.id);
  // Mostly group → user/client; a few invalid ones (group in group, unknown ids), which count
  // for nothing.
  const all = subjects.map((s) => s.id);
  const memberships: GroupMembership[] = spec.memberships.map((m) =>
    m.odd === 0 || !groups.length || !members.length
      ? { groupId: pick([...all, UNKNOWN_SUBJECT], m.group), memberId: pick(all, m.member) }
      : m.odd === 1
        ? { groupId: pick(groups, m.group), memberId: UNKNOWN_SUBJECT }
        : { groupId: pick(groups, m.group), memberId: pick(members, m.member) },
  );

  const snapshot: OrgSnapshot = {
    format: 1,
    orgId: 'org_prop',
    revision: 1,
    permissions,
    roles,
    scopes,
    subjects,
    memberships,
    assignments: [],
    invariants: [],
    ...(inheritanceOf(spec.inheritance) ? { inheritance: inheritanceOf(spec.inheritance) } : {}),
  };
  return {
    ...snapshot,
    assignments: spec.assignments.map((a, i) => resolveAssignment(snapshot, a, `a${i}`)),
  };
}

/** An assignment drawn from the snapshot's subjects, roles and scopes (sound or not). */
export function resolveAssignment(
  snapshot: OrgSnapshot,
  a: AssignmentSpec,
  id: string,
): Assignment {
  const dangling = a.dangling === 0;
  const subjects = snapshot.subjects.map((s) => s.id);
  const roles = snapshot.roles.map((r) => r.key);
  const scopes = snapshot.scopes.map((s) => s.id);
  return {
    id,
    subjectId: pick(dangling ? [...subjects, UNKNOWN_SUBJECT] : subjects, a.subject),
    roleKey: pick(dangling ? [...roles, UNKNOWN_ROLE] : roles, a.role),
    scopeId: pick(dangling ? [...scopes, UNKNOWN_SCOPE] : scopes, a.scope),
    environment: pick(ENVS, a.env),
  };
}

/** Random organizations (snapshots). */
export const org = orgSpec.map(buildOrg);
