/**
 * Property tests for `deriveEngine`: on random organizations, random chains of writes
 * (assignments added, removed and edited, environments included; memberships added and removed;
 * subjects added, removed, deactivated, relabelled, retyped; group scope limits changed), each
 * engine derived from the previous derived one answers every question exactly as an engine built
 * from scratch, and no derive changes an answer of an engine derived before it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, deriveEngineWith, engineIndex } from './engine.js';
import type { DeriveLimits } from './internal/derive.js';
import type { Assignment, GroupMembership, OrgSnapshot, SubjectInfo } from './snapshot.js';
import {
  affectedBetween,
  answers,
  expectSameAnswers,
  probeSpec,
  universeOf,
} from './testing/derive-check.js';
import {
  ENVS,
  org,
  pick,
  resolveAssignment,
  UNKNOWN_SCOPE,
  UNKNOWN_SUBJECT,
} from './testing/random-org.js';

/**
 * Chains: a twelfth of `PROP_RUNS` (17 by default; `PROP_RUNS=10000` soaks as for
 * engine.property). Each step of a chain asks four engines every question, so one chain costs
 * as much as hundreds of engine.property runs.
 */
const RUNS = Math.max(1, Math.round(Number(process.env.PROP_RUNS ?? 200) / 12));

// ---------------------------------------------------------------------------------------------
// Writes, drawn as numbers and resolved against the snapshot they apply to.
// ---------------------------------------------------------------------------------------------

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

const changeSpec = fc.record({
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
type Change = typeof changeSpec extends fc.Arbitrary<infer T> ? T : never;

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
function applyChange(s: OrgSnapshot, c: Change, fresh: string): OrgSnapshot {
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

// ---------------------------------------------------------------------------------------------

const chainSpec = fc.record({
  org,
  /** Steps of one to three writes each; each step is one derive. */
  steps: fc.array(fc.array(changeSpec, { minLength: 1, maxLength: 3 }), {
    minLength: 1,
    maxLength: 6,
  }),
  probe: probeSpec,
  /** A required role, so that invariant violations come and go. */
  requiredRole: fc.nat(),
  /** Infinity: never compact, so garbage piles up along the chain. */
  maxGarbageShare: fc.constantFrom(0.5, 0.2, Number.POSITIVE_INFINITY),
});

describe('deriveEngine answers exactly as createEngine (properties)', {
  timeout: Math.max(300_000, RUNS * 3_000),
}, () => {
  it('along random chains of writes, every derived engine equals a fresh build, and earlier engines keep their answers', () => {
    const seen = { steps: 0, derived: 0, compacted: 0, garbage: 0, walkers: 0, groupWrites: 0 };
    fc.assert(
      fc.property(chainSpec, ({ org: base, steps, probe, requiredRole, maxGarbageShare }) => {
        const limits: DeriveLimits = { maxChangedShare: Number.POSITIVE_INFINITY, maxGarbageShare };
        const first: OrgSnapshot = {
          ...base,
          invariants: [{ roleKey: pick(base.roles, requiredRole).key, at: 'root', min: 1 }],
        };
        const snapshots = [first];
        steps.forEach((changes, i) => {
          let s = snapshots[i]!;
          changes.forEach((c, j) => {
            s = applyChange(s, c, `${i}_${j}`);
          });
          snapshots.push({ ...s, revision: s.revision + 1 });
        });
        const universe = universeOf(snapshots);

        const engines = [createEngine(first)];
        const expected = [answers(engines[0]!, universe, probe)];
        for (let i = 1; i < snapshots.length; i++) {
          const before = snapshots[i - 1]!;
          const after = snapshots[i]!;
          const affected = affectedBetween(before, after);
          const derived = deriveEngineWith(engines[i - 1]!, after, affected, limits);
          expect(derived.snapshot).toBe(after);
          const fresh = answers(createEngine(after), universe, probe);
          expectSameAnswers(answers(derived, universe, probe), fresh);
          engines.push(derived);
          expected.push(fresh);
          seen.steps++;
          const index = engineIndex(derived);
          if (index.generation > 0) seen.derived++;
          else seen.compacted++;
          if (index.deadEntries > 0 || index.deadMasks > 0) seen.garbage++;
          if (index.walkers.length > 0) seen.walkers++;
          if (
            [...affected].some((id) =>
              after.memberships.concat(before.memberships).some((m) => m.groupId === id),
            )
          ) {
            seen.groupWrites++;
          }
        }
        // Deriving other engines from the same ones (a concurrent write, a retry) is safe too:
        // each skips the next step, so it writes other data than the engine already derived.
        for (let i = 2; i < snapshots.length; i++) {
          const sibling = deriveEngineWith(
            engines[i - 2]!,
            snapshots[i]!,
            affectedBetween(snapshots[i - 2]!, snapshots[i]!),
            limits,
          );
          expectSameAnswers(answers(sibling, universe, probe), expected[i]!);
        }
        // ... and no derive changed what an earlier engine answers.
        engines.forEach((engine, i) => {
          expectSameAnswers(answers(engine, universe, probe), expected[i]!);
        });
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: most steps derive, garbage piles up (and is compacted), some subjects walk,
    // groups' memberships change.
    expect(seen.derived).toBeGreaterThan(seen.steps / 2);
    expect(seen.garbage).toBeGreaterThan(seen.steps / 10);
    expect(seen.groupWrites).toBeGreaterThan(seen.steps / 10);
    // Compaction and walking subjects are rarer; derive.test.ts covers both deterministically, and
    // a soak (PROP_RUNS=10000) must meet them along random chains too.
    if (RUNS >= 100) {
      expect(seen.compacted).toBeGreaterThan(0);
      expect(seen.walkers).toBeGreaterThan(0);
    }
  });
});
