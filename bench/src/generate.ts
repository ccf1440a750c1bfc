/**
 * Deterministic data for the benchmark: an org snapshot at one of three sizes and a list of check
 * requests against it. Same size and seed, same bytes.
 *
 * Shape (identity-platform preset, every slot additive: Owner, Member, module read/write roles,
 * nested sub-organizations): a scope tree of 4 levels (the organization, then three levels of
 * sub-organizations, each node under a random parent one level up); a few org-wide Owners; most
 * users with 1–3 assignments at uniformly random scopes; a few sub-organization Owners; ~5% of
 * users in groups of ~20 that hold roles at scopes (half of them high in the tree); ~1% inactive
 * users and a few inactive groups; ~15% of assignments limited to `live` or `sandbox`.
 */
import {
  type Assignment,
  type Environment,
  expandPatterns,
  type GroupMembership,
  identityPlatformPreset,
  type OrgSnapshot,
  type ScopeNode,
  type SubjectInfo,
  snapshotFor,
} from '@gatehouse/core';
import { Rng } from './prng.js';

/** A benchmark size. */
export interface SizeSpec {
  readonly name: SizeName;
  readonly users: number;
  readonly scopes: number;
  /** Org-wide Owners. */
  readonly admins: number;
  /** Check requests generated for it. */
  readonly requests: number;
}

export type SizeName = 'small' | 'medium' | 'large';

export const SIZES: Readonly<Record<SizeName, SizeSpec>> = {
  small: { name: 'small', users: 1_000, scopes: 50, admins: 3, requests: 200_000 },
  medium: { name: 'medium', users: 10_000, scopes: 1_000, admins: 5, requests: 200_000 },
  large: { name: 'large', users: 100_000, scopes: 10_000, admins: 10, requests: 200_000 },
};

export const DEFAULT_SEED = 20261123;

export const ORG_ID = 'org_1';

/** Roles given to ordinary users, with weights (identity-platform preset). */
const USER_ROLES = [
  'member',
  'workflows_read',
  'workflows_write',
  'sessions_read',
  'sessions_write',
  'billing_read',
  'billing_write',
  'developers_read',
  'developers_write',
] as const;
const USER_ROLE_WEIGHTS = [30, 8, 8, 8, 6, 5, 3, 6, 4];

function environmentOf(rng: Rng): Environment | null {
  const r = rng.float();
  return r < 0.1 ? 'live' : r < 0.15 ? 'sandbox' : null;
}

/** Level sizes of the tree below the root: roughly n^(1/3), n^(2/3), and the rest. */
export function levelSizes(scopes: number): [number, number, number] {
  const below = scopes - 1;
  const l1 = Math.max(2, Math.round(below ** (1 / 3)));
  const l2 = Math.max(l1, Math.min(below - l1 - 1, l1 * l1));
  return [l1, l2, below - l1 - l2];
}

/**
 * The identity-platform preset with every slot additive, as it was before its module slots
 * became `override` (issue 12): the engine rows, casbin's formulations (which model additive
 * inheritance) and earlier figures stay comparable.
 */
const ADDITIVE_PRESET = { ...identityPlatformPreset, inheritance: {} };

/**
 * The org for the engine's override row: the real identity-platform preset (module slots
 * override: the nearest module role wins), and seed 004's case made common: 30% of the users
 * holding a module role below the organization also get the other level of that module at the
 * organization ("write at the org, read at the sub-org" and the reverse), so their sub-scope role
 * replaces the inherited one.
 */
export function withOverrideSlots(snapshot: OrgSnapshot, seed = DEFAULT_SEED): OrgSnapshot {
  const rng = new Rng(seed ^ 0x0e77);
  const root = snapshot.scopes.find((s) => s.parentId === null)!.id;
  const extra: Assignment[] = [];
  const seen = new Set<string>();
  for (const a of snapshot.assignments) {
    const m = /^(\w+)_(read|write)$/.exec(a.roleKey);
    if (!m || a.scopeId === root || !a.subjectId.startsWith('usr_') || seen.has(a.subjectId)) {
      continue;
    }
    seen.add(a.subjectId);
    if (!rng.chance(0.3)) continue;
    extra.push({
      id: `as_org_${extra.length + 1}`,
      subjectId: a.subjectId,
      roleKey: `${m[1]}_${m[2] === 'read' ? 'write' : 'read'}`,
      scopeId: root,
      environment: null,
    });
  }
  return {
    ...snapshot,
    assignments: [...snapshot.assignments, ...extra],
    inheritance: identityPlatformPreset.inheritance,
  };
}

/** The org snapshot for a size (module slots additive; see `withOverrideSlots`). */
export function generateSnapshot(spec: SizeSpec, seed = DEFAULT_SEED): OrgSnapshot {
  const rng = new Rng(seed ^ 0x5eed);
  // Scope tree: the organization, then three levels, each node under a random node one level up.
  const scopes: ScopeNode[] = [{ id: ORG_ID, parentId: null, kind: 'organization', name: 'Acme' }];
  const levels: string[][] = [[ORG_ID]];
  let n = 0;
  for (const count of levelSizes(spec.scopes)) {
    const above = levels[levels.length - 1]!;
    const level: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `so_${++n}`;
      const parentId = level.length < above.length ? above[level.length]! : rng.pick(above);
      scopes.push({ id, parentId, kind: 'sub_organization', name: `Sub-org ${n}` });
      level.push(id);
    }
    levels.push(level);
  }
  const nonRoot = scopes.slice(1).map((s) => s.id);
  const high = [...levels[1]!, ...levels[2]!];

  const subjects: SubjectInfo[] = [];
  const assignments: Assignment[] = [];
  let aid = 0;
  const assign = (subjectId: string, roleKey: string, scopeId: string, env: Environment | null) => {
    assignments.push({ id: `as_${++aid}`, subjectId, roleKey, scopeId, environment: env });
  };

  for (let i = 1; i <= spec.users; i++) {
    const id = `usr_${i}`;
    subjects.push({ id, type: 'user', active: !rng.chance(0.01), label: `user${i}@acme.test` });
    if (i <= spec.admins) {
      assign(id, 'owner', ORG_ID, null);
      continue;
    }
    if (rng.chance(0.005)) {
      assign(id, 'owner', rng.pick(nonRoot), null);
      continue;
    }
    const k = rng.weighted([0, 1, 2, 3], [8, 50, 30, 12]);
    const used = new Set<string>();
    for (let j = 0; j < k; j++) {
      const scope = rng.pick(nonRoot);
      if (used.has(scope)) continue;
      used.add(scope);
      assign(id, rng.weighted(USER_ROLES, USER_ROLE_WEIGHTS), scope, environmentOf(rng));
    }
  }

  // ~5% of users in groups of ~20 members; a user may be in two groups.
  const groupCount = Math.max(3, Math.round((spec.users * 0.05) / 20));
  const groups: string[] = [];
  for (let g = 1; g <= groupCount; g++) {
    const id = `grp_${g}`;
    groups.push(id);
    subjects.push({ id, type: 'group', active: g % 25 !== 7, label: `Team ${g}` });
    const k = rng.weighted([1, 2], [60, 40]);
    for (let j = 0; j < k; j++) {
      const scope = rng.chance(0.5) ? rng.pick(high) : rng.pick(nonRoot);
      assign(id, rng.weighted(USER_ROLES, USER_ROLE_WEIGHTS), scope, environmentOf(rng));
    }
  }
  const memberships: GroupMembership[] = [];
  const grouped = Math.round(spec.users * 0.05);
  for (let m = 0; m < grouped; m++) {
    const memberId = `usr_${spec.admins + 1 + rng.int(spec.users - spec.admins)}`;
    const first = rng.pick(groups);
    memberships.push({ groupId: first, memberId });
    if (rng.chance(0.2)) {
      const second = rng.pick(groups);
      if (second !== first) memberships.push({ groupId: second, memberId });
    }
  }

  return snapshotFor(ADDITIVE_PRESET, {
    orgId: ORG_ID,
    revision: 1,
    scopes,
    subjects,
    memberships,
    assignments,
  });
}

/** Check requests, stored by column so no engine pays for object access. */
export interface Requests {
  readonly length: number;
  readonly subject: string[];
  readonly permission: string[];
  readonly scope: string[];
  readonly environment: Array<Environment | undefined>;
}

/**
 * `count` check requests. Subjects: any user (1% unknown ids, 10% drawn from group members).
 * Half the requests aim near something the subject holds (one of its own or its groups'
 * assignments: that scope or up to two levels below it, mostly one of that role's permissions,
 * mostly that assignment's environment when it has one); the rest ask any permission at any
 * scope. 1% unknown scopes, 0.5% unknown permissions; environments none / live / sandbox.
 */
export function generateRequests(
  snapshot: OrgSnapshot,
  count: number,
  seed = DEFAULT_SEED,
): Requests {
  const rng = new Rng(seed ^ 0xc0ffee);
  const users = snapshot.subjects.filter((s) => s.type === 'user').map((s) => s.id);
  const scopeIds = snapshot.scopes.map((s) => s.id);
  const permissions = snapshot.permissions.map((p) => p.name);
  const rolePerms = new Map(
    snapshot.roles.map((r) => [r.key, expandPatterns(snapshot.permissions, r.permissions).names]),
  );
  const children = new Map<string, string[]>();
  for (const s of snapshot.scopes) {
    if (s.parentId === null) continue;
    const list = children.get(s.parentId);
    if (list) list.push(s.id);
    else children.set(s.parentId, [s.id]);
  }
  const groupsOf = new Map<string, string[]>();
  for (const m of snapshot.memberships) {
    const list = groupsOf.get(m.memberId);
    if (list) list.push(m.groupId);
    else groupsOf.set(m.memberId, [m.groupId]);
  }
  const heldBy = new Map<string, Assignment[]>();
  for (const a of snapshot.assignments) {
    const list = heldBy.get(a.subjectId);
    if (list) list.push(a);
    else heldBy.set(a.subjectId, [a]);
  }
  const members = [...groupsOf.keys()];
  const anyEnvironment = (): Environment | undefined => {
    const e = rng.float();
    return e < 0.5 ? undefined : e < 0.75 ? 'live' : 'sandbox';
  };

  const req: Requests = {
    length: count,
    subject: new Array(count),
    permission: new Array(count),
    scope: new Array(count),
    environment: new Array(count),
  };
  for (let i = 0; i < count; i++) {
    const r = rng.float();
    const subject =
      r < 0.01 ? `usr_unknown_${rng.int(1000)}` : r < 0.11 ? rng.pick(members) : rng.pick(users);
    const held = [
      ...(heldBy.get(subject) ?? []),
      ...(groupsOf.get(subject) ?? []).flatMap((g) => heldBy.get(g) ?? []),
    ];
    let scope = rng.pick(scopeIds);
    let permission = rng.pick(permissions);
    let environment = anyEnvironment();
    const where = rng.float();
    if (where < 0.01) {
      scope = `so_missing_${rng.int(100)}`;
    } else if (where < 0.5 && held.length > 0) {
      const a = rng.pick(held);
      scope = a.scopeId;
      for (let steps = rng.int(3); steps > 0; steps--) {
        const kids = children.get(scope);
        if (!kids) break;
        scope = rng.pick(kids);
      }
      if (rng.chance(0.7)) permission = rng.pick(rolePerms.get(a.roleKey) ?? permissions);
      if (a.environment && rng.chance(0.7)) environment = a.environment;
    }
    if (rng.chance(0.005)) permission = 'nope.read';
    req.subject[i] = subject;
    req.scope[i] = scope;
    req.permission[i] = permission;
    req.environment[i] = environment;
  }
  return req;
}
