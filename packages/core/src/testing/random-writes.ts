/**
 * Random writes for the derive tests: drawn as numbers and resolved against the snapshot they
 * apply to (assignments added, removed and edited, environments included; memberships added and
 * removed; subjects added, removed, deactivated, relabelled, retyped; group scope limits changed).
 */
import fc from 'fast-check';
import type { Assignment, GroupMembership, OrgSnapshot, SubjectInfo } from '../snapshot.js';
import { ENVS, pick, resolveAssignment, UNKNOWN_SCOPE, UNKNOWN_SUBJECT } from './random-org.js';

const KINDS = [
  'addAssignment',
  'addAssignment',
  'removeAssignment',
  'editAssignment',
  'editAssignment',
  'addMembership',
  'removeMembership',
  'toggleActive',
  'limitGroup',
  'addSubject',
  'removeSubject',
  'relabel',
  'retype',
  'bulkAssign',
] as const;

/** One write, drawn. */
export const changeSpec = fc.record({
  kind: fc.constantFrom(...KINDS),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  d: fc.nat({ max: 19 }),
  env: fc.nat({ max: 2 }),
  /** Where a new row goes (any position: only the relative order of old rows must hold). */
  at: fc.nat(),
  /** Edited rows: moved to the end (as the server's journal patching does) or left in place. */
  moveToEnd: fc.boolean(),
  limits: fc.array(fc.nat(), { maxLength: 3 }),
  /** Subject rows: half the writes aim at a group (whose members fold its grants in). */
  groupFirst: fc.boolean(),
});
/** One write, as drawn. */
export type Change = typeof changeSpec extends fc.Arbitrary<infer T> ? T : never;

function insert<T>(list: readonly T[], item: T, at: number): T[] {
  const i = at % (list.length + 1);
  return [...list.slice(0, i), item, ...list.slice(i)];
}

function without<T>(list: readonly T[], i: number): T[] {
  return [...list.slice(0, i), ...list.slice(i + 1)];
}

function replaced<T>(list: readonly T[], i: number, item: T, moveToEnd: boolean): T[] {
  return moveToEnd ? [...without(list, i), item] : list.map((x, j) => (j === i ? item : x));
}

/** The snapshot after one write; unchanged rows stay the very same objects. */
export function applyChange(s: OrgSnapshot, c: Change, fresh: string): OrgSnapshot {
  const ids = s.subjects.map((x) => x.id);
  const scopeIds = s.scopes.map((x) => x.id);
  const limitsOf = (n: number) =>
    n % 3 === 0 ? null : c.limits.map((l) => pick([...scopeIds, UNKNOWN_SCOPE], l));
  const rows = s.subjects.map((x, i) => [x, i] as const);
  const groupRows = rows.filter(([x]) => x.type === 'group');
  /**
   * Index of a subject row to write to: a group's when `groupFirst` (and there is one); now and
   * then the one with the most assignments, so that walking subjects get written again.
   */
  const target = (only?: 'group') => {
    const candidates = only || (c.groupFirst && groupRows.length > 0) ? groupRows : rows;
    if (candidates.length === 0) return undefined;
    if (c.d < 5) {
      const held = (id: string) => s.assignments.filter((a) => a.subjectId === id).length;
      return candidates.reduce((a, b) => (held(b[0].id) > held(a[0].id) ? b : a))[1];
    }
    return pick(candidates, c.a)[1];
  };
  const editSubject = (edit: (x: SubjectInfo) => SubjectInfo, only?: 'group') => {
    const i = target(only);
    if (i === undefined) return s;
    return { ...s, subjects: replaced(s.subjects, i, edit(s.subjects[i]!), c.moveToEnd) };
  };
  switch (c.kind) {
    case 'addAssignment': {
      const spec = { subject: c.a, role: c.b, scope: c.c, env: c.env, dangling: c.d };
      return { ...s, assignments: insert(s.assignments, resolveAssignment(s, spec, fresh), c.at) };
    }
    case 'bulkAssign': {
      // Enough grant scopes for one subject that it walks instead of scanning (SCAN_LIMIT).
      const i = target();
      if (i === undefined) return s;
      const subject = s.subjects[i]!.id;
      const added = s.scopes.slice(0, 13 + (c.c % 4)).map((scope, k) => ({
        id: `${fresh}_${k}`,
        subjectId: subject,
        roleKey: pick(s.roles, c.b + k).key,
        scopeId: scope.id,
        environment: pick(ENVS, c.env + k),
      }));
      return { ...s, assignments: [...s.assignments, ...added] };
    }
    case 'removeAssignment':
      if (s.assignments.length === 0) return s;
      return { ...s, assignments: without(s.assignments, c.a % s.assignments.length) };
    case 'editAssignment': {
      if (s.assignments.length === 0) return s;
      const i = c.a % s.assignments.length;
      const old = s.assignments[i]!;
      const spec = { subject: c.b, role: c.b, scope: c.c, env: c.env, dangling: c.d };
      const drawn = resolveAssignment(s, spec, old.id);
      const field = c.b % 4;
      const edited: Assignment = {
        ...old,
        ...(field === 0
          ? { roleKey: drawn.roleKey }
          : field === 1
            ? { scopeId: drawn.scopeId }
            : field === 2
              ? { environment: drawn.environment }
              : { subjectId: drawn.subjectId }),
      };
      return { ...s, assignments: replaced(s.assignments, i, edited, c.moveToEnd) };
    }
    case 'addMembership': {
      const groups = s.subjects.filter((x) => x.type === 'group').map((x) => x.id);
      const members = s.subjects.filter((x) => x.type !== 'group').map((x) => x.id);
      // Mostly group → user/client; some name the unknown id (a subject added later makes them
      // count) or any two ids.
      const m: GroupMembership =
        c.d === 0 || c.d === 1
          ? {
              groupId: c.d === 0 ? UNKNOWN_SUBJECT : pick(ids, c.a),
              memberId: c.d === 1 ? UNKNOWN_SUBJECT : pick(ids, c.b),
            }
          : c.d === 2 || groups.length === 0 || members.length === 0
            ? { groupId: pick(ids, c.a), memberId: pick(ids, c.b) }
            : { groupId: pick(groups, c.a), memberId: pick(members, c.b) };
      return { ...s, memberships: insert(s.memberships, m, c.at) };
    }
    case 'removeMembership':
      if (s.memberships.length === 0) return s;
      return { ...s, memberships: without(s.memberships, c.a % s.memberships.length) };
    case 'toggleActive':
      return editSubject((x) => ({ ...x, active: !x.active }));
    case 'limitGroup':
      return editSubject((x) => ({ ...x, limitedTo: limitsOf(c.c) }), 'group');
    case 'relabel':
      return editSubject((x) => ({ ...x, label: `label ${fresh}` }));
    case 'retype':
      return editSubject((x) => {
        const type = pick(
          (['user', 'client', 'group'] as const).filter((t) => t !== x.type),
          c.b,
        );
        const { limitedTo: _, ...rest } = x;
        return type === 'group' ? { ...rest, type, limitedTo: limitsOf(c.c) } : { ...rest, type };
      });
    case 'addSubject': {
      // Sometimes the unknown id that dangling assignments and memberships already name.
      const id = c.d < 4 && !ids.includes(UNKNOWN_SUBJECT) ? UNKNOWN_SUBJECT : `x${fresh}`;
      const type = pick(['user', 'client', 'group'] as const, c.b);
      const info: SubjectInfo = {
        id,
        type,
        active: c.c % 6 !== 0,
        ...(type === 'group' ? { limitedTo: limitsOf(c.c) } : {}),
      };
      return { ...s, subjects: insert(s.subjects, info, c.at) };
    }
    case 'removeSubject': {
      const i = target();
      if (i === undefined) return s;
      const gone = s.subjects[i]!.id;
      const subjects = without(s.subjects, i);
      // As the database does (cascade), or leaving dangling rows behind.
      if (!c.moveToEnd) return { ...s, subjects };
      return {
        ...s,
        subjects,
        assignments: s.assignments.filter((a) => a.subjectId !== gone),
        memberships: s.memberships.filter((m) => m.groupId !== gone && m.memberId !== gone),
      };
    }
  }
}
