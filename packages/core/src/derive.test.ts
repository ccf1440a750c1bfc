/**
 * `deriveEngine` on hand-made orgs: when it falls back to a full build, and the writes whose
 * effects reach past the affected subjects (a group's members, memberships that start or stop
 * counting, subjects that walk instead of scanning). The random chains are in
 * derive.property.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  createEngine,
  deriveEngine,
  deriveEngineWith,
  type Engine,
  engineIndex,
} from './engine.js';
import { snapshotFor } from './index.js';
import type { Assignment, OrgSnapshot, SubjectInfo } from './snapshot.js';
import {
  affectedBetween,
  answers,
  expectSameAnswers,
  type Probe,
  universeOf,
} from './testing/derive-check.js';
import { miniPreset } from './testing/mini-preset.js';

const preset = miniPreset;

const WORKSPACES = 16;
/** Enough users that one write stays under a tenth of the subjects. */
const EXTRA_USERS = 24;

const base: OrgSnapshot = snapshotFor(preset, {
  orgId: 'org_1',
  revision: 1,
  scopes: [
    { id: 'org_1', parentId: null, kind: 'org', name: 'Acme' },
    ...Array.from({ length: WORKSPACES }, (_, i) => ({
      id: `ws_${i}`,
      parentId: i < 4 ? 'org_1' : `ws_${i % 4}`,
      kind: 'ws',
      name: `W${i}`,
    })),
  ],
  subjects: [
    { id: 'usr_owner', type: 'user', active: true },
    { id: 'usr_g', type: 'user', active: true },
    { id: 'cli_g', type: 'client', active: true },
    { id: 'usr_admin', type: 'user', active: true },
    { id: 'grp_1', type: 'group', active: true },
    { id: 'grp_off', type: 'group', active: false },
    ...Array.from({ length: EXTRA_USERS }, (_, i) => ({
      id: `usr_${i}`,
      type: 'user' as const,
      active: i % 7 !== 3,
    })),
  ],
  memberships: [
    { groupId: 'grp_1', memberId: 'usr_g' },
    { groupId: 'grp_1', memberId: 'cli_g' },
    { groupId: 'grp_off', memberId: 'usr_g' },
    // Counts once a group `grp_new` exists.
    { groupId: 'grp_new', memberId: 'usr_1' },
  ],
  assignments: [
    { id: 'as_1', subjectId: 'usr_owner', roleKey: 'owner', scopeId: 'org_1', environment: null },
    { id: 'as_2', subjectId: 'grp_1', roleKey: 'writer', scopeId: 'ws_1', environment: 'live' },
    { id: 'as_3', subjectId: 'grp_off', roleKey: 'owner', scopeId: 'org_1', environment: null },
    { id: 'as_4', subjectId: 'grp_new', roleKey: 'writer', scopeId: 'ws_2', environment: null },
    { id: 'as_5', subjectId: 'usr_g', roleKey: 'nope', scopeId: 'ws_2', environment: null },
    // usr_admin holds more grant scopes than a packed scan covers: it walks.
    ...Array.from({ length: WORKSPACES }, (_, i) => ({
      id: `as_admin_${i}`,
      subjectId: 'usr_admin',
      roleKey: i % 2 ? 'writer' : 'reader',
      scopeId: `ws_${i}`,
      environment: null,
    })),
    ...Array.from({ length: EXTRA_USERS }, (_, i) => ({
      id: `as_u${i}`,
      subjectId: `usr_${i}`,
      roleKey: 'reader',
      scopeId: `ws_${i % WORKSPACES}`,
      environment: i % 3 === 0 ? ('sandbox' as const) : null,
    })),
  ],
});

const PROBE: Probe = { permissions: [0, 1], limit: 2, explainSeed: 7 };
const NO_LIMITS = {
  maxChangedShare: Number.POSITIVE_INFINITY,
  maxGarbageShare: Number.POSITIVE_INFINITY,
};

/** `s` with row edits: the edited rows new objects, the others the same. */
function edit(
  s: OrgSnapshot,
  changes: {
    subjects?: (rows: readonly SubjectInfo[]) => SubjectInfo[];
    assignments?: (rows: readonly Assignment[]) => Assignment[];
    memberships?: OrgSnapshot['memberships'];
  },
): OrgSnapshot {
  return {
    ...s,
    revision: s.revision + 1,
    subjects: changes.subjects ? changes.subjects(s.subjects) : s.subjects,
    assignments: changes.assignments ? changes.assignments(s.assignments) : s.assignments,
    memberships: changes.memberships ?? s.memberships,
  };
}

const setSubject =
  (id: string, patch: Partial<SubjectInfo> | null) => (rows: readonly SubjectInfo[]) =>
    patch === null
      ? rows.filter((x) => x.id !== id)
      : rows.map((x) => (x.id === id ? ({ ...x, ...patch } as SubjectInfo) : x));

/**
 * Derives `after` from an engine of `before` (no fallback limits) and checks: it really derived,
 * it answers as a fresh build, and the engine it came from still answers as before.
 */
function expectDerivesExactly(before: OrgSnapshot, after: OrgSnapshot): Engine {
  const u = universeOf([before, after]);
  const prev = createEngine(before);
  const prevAnswers = answers(prev, u, PROBE);
  const derived = deriveEngineWith(prev, after, affectedBetween(before, after), NO_LIMITS);
  expect(engineIndex(derived).generation).toBe(1);
  expectSameAnswers(answers(derived, u, PROBE), answers(createEngine(after), u, PROBE));
  expectSameAnswers(answers(prev, u, PROBE), prevAnswers);
  return derived;
}

describe('deriveEngine falls back to a full build', () => {
  const prev = createEngine(base);
  const oneUser = (s: OrgSnapshot) => edit(s, { subjects: setSubject('usr_5', { active: false }) });

  it('derives a small write on an org with shared catalog, roles and scopes', () => {
    const next = oneUser(base);
    const derived = deriveEngine(prev, next, affectedBetween(base, next));
    expect(engineIndex(derived).generation).toBe(1);
    expect(derived.can('usr_5', 'flows.read', 'ws_5')).toBe(false);
    expect(prev.can('usr_5', 'flows.read', 'ws_5')).toBe(true);
  });

  it.each([
    ['scopes', (s: OrgSnapshot) => ({ ...s, scopes: [...s.scopes] })],
    ['roles', (s: OrgSnapshot) => ({ ...s, roles: [...s.roles] })],
    ['permissions', (s: OrgSnapshot) => ({ ...s, permissions: [...s.permissions] })],
  ])('when the %s are another array (even with the same content)', (_, replace) => {
    const next = replace(oneUser(base));
    const derived = deriveEngine(prev, next, affectedBetween(base, next));
    expect(engineIndex(derived).generation).toBe(0);
    const u = universeOf([next]);
    expectSameAnswers(answers(derived, u, PROBE), answers(createEngine(next), u, PROBE));
  });

  it('when a scope or role really changes (new arrays), answering for the new ones', () => {
    const next: OrgSnapshot = {
      ...oneUser(base),
      scopes: [...base.scopes, { id: 'ws_new', parentId: 'ws_1', kind: 'ws', name: 'New' }],
      roles: base.roles.map((r) => (r.key === 'reader' ? { ...r, permissions: ['flows.*'] } : r)),
    };
    const derived = deriveEngine(prev, next, affectedBetween(base, next));
    expect(engineIndex(derived).generation).toBe(0);
    expect(derived.can('usr_1', 'flows.write', 'ws_1')).toBe(true);
    expect(derived.can('usr_admin', 'flows.write', 'ws_new')).toBe(true);
  });

  it('when more than a tenth of the subjects change, counting the members of a changed group', () => {
    const many = edit(base, {
      subjects: (rows) => rows.map((x, i) => (i % 8 === 0 ? { ...x, label: 'edited' } : x)),
    });
    expect(engineIndex(deriveEngine(prev, many, affectedBetween(base, many))).generation).toBe(0);
    // A write to a group with grants reaches its members: counted, but few here.
    const group = edit(base, { subjects: setSubject('grp_1', { active: false }) });
    expect(engineIndex(deriveEngine(prev, group, affectedBetween(base, group))).generation).toBe(1);
  });

  it('when the garbage of earlier derives passes half, and the full build compacts it', () => {
    let engine = prev;
    let snapshot = base;
    const generations: number[] = [];
    for (let i = 0; i < 40; i++) {
      // usr_admin's 16 grant scopes are rebuilt each time: its old masks become garbage.
      const next = edit(snapshot, {
        assignments: (rows) =>
          rows.map((a) =>
            a.id === 'as_admin_0' ? { ...a, environment: i % 2 ? null : 'live' } : a,
          ),
      });
      engine = deriveEngine(engine, next, affectedBetween(snapshot, next));
      snapshot = next;
      generations.push(engineIndex(engine).generation);
      expect(engineIndex(engine).garbageShare).toBeLessThanOrEqual(0.6);
    }
    expect(generations).toContain(0);
    expect(Math.max(...generations)).toBeGreaterThan(1);
    const u = universeOf([snapshot]);
    expectSameAnswers(answers(engine, u, PROBE), answers(createEngine(snapshot), u, PROBE));
  });

  it('when unaffected rows are copies rather than the objects the engine was built from', () => {
    const copied: OrgSnapshot = {
      ...oneUser(base),
      assignments: base.assignments.map((a) => ({ ...a })),
    };
    // as_5 (unknown role) is skipped; its copy cannot be told from a new assignment.
    const derived = deriveEngine(prev, copied, new Set(['usr_5']));
    expect(engineIndex(derived).generation).toBe(0);
    expect(derived.skippedAssignments).toEqual(createEngine(copied).skippedAssignments);
  });
});

describe('deriveEngine follows writes past the affected subjects', () => {
  it('a group assignment moved to another environment reaches the members', () => {
    const after = edit(base, {
      assignments: (rows) =>
        rows.map((a) => (a.id === 'as_2' ? { ...a, environment: 'sandbox' } : a)),
    });
    const derived = expectDerivesExactly(base, after);
    expect(derived.can('usr_g', 'flows.write', 'ws_5', 'sandbox')).toBe(true);
    expect(derived.can('usr_g', 'flows.write', 'ws_5', 'live')).toBe(false);
  });

  it('a group deactivated or reactivated reaches the members', () => {
    const off = edit(base, { subjects: setSubject('grp_1', { active: false }) });
    expect(expectDerivesExactly(base, off).can('cli_g', 'flows.write', 'ws_1', 'live')).toBe(false);
    const on = edit(base, { subjects: setSubject('grp_off', { active: true }) });
    expect(expectDerivesExactly(base, on).can('usr_g', 'members.read', 'ws_3')).toBe(true);
  });

  it("a group's scope limits that skip its assignment reach the members", () => {
    const after = edit(base, { subjects: setSubject('grp_1', { limitedTo: ['ws_2'] }) });
    expect(expectDerivesExactly(base, after).can('usr_g', 'flows.write', 'ws_1', 'live')).toBe(
      false,
    );
  });

  it('a group removed without its memberships or assignments (they stop counting)', () => {
    const after = edit(base, { subjects: setSubject('grp_1', null) });
    const listed = expectDerivesExactly(base, after).listSubjects('ws_1', 'flows.write', {
      environment: 'live',
    });
    expect(listed.items.map((s) => s.subjectId)).toEqual(['usr_admin', 'usr_owner']);
  });

  it('a group appearing under an id memberships and assignments already named', () => {
    const after = edit(base, {
      subjects: (rows) => [...rows, { id: 'grp_new', type: 'group', active: true }],
    });
    expect(expectDerivesExactly(base, after).can('usr_1', 'flows.write', 'ws_6')).toBe(true);
  });

  it('a member turned into a group drops out of its groups (their other members stay)', () => {
    const after = edit(base, { subjects: setSubject('usr_g', { type: 'group', limitedTo: null }) });
    const derived = expectDerivesExactly(base, after);
    const listed = derived.listSubjects('ws_1', 'flows.write', { environment: 'live' });
    expect(listed.items.map((s) => s.subjectId)).toEqual([
      'cli_g',
      'grp_1',
      'usr_admin',
      'usr_owner',
    ]);
  });

  it('a member removed without its memberships', () => {
    const after = edit(base, { subjects: setSubject('cli_g', null) });
    expect(expectDerivesExactly(base, after).hasSubject('cli_g')).toBe(false);
  });

  it('memberships added and removed, members moving between groups', () => {
    const after = edit(base, {
      memberships: [
        ...base.memberships.filter((m) => m.memberId !== 'cli_g'),
        { groupId: 'grp_off', memberId: 'cli_g' },
        { groupId: 'grp_1', memberId: 'usr_4' },
      ],
    });
    const derived = expectDerivesExactly(base, after);
    expect(derived.can('usr_4', 'flows.write', 'ws_1', 'live')).toBe(true);
    expect(derived.can('cli_g', 'flows.write', 'ws_1', 'live')).toBe(false);
  });

  it('a walking subject written again, and one that stops walking', () => {
    const more = edit(base, {
      assignments: (rows) => [
        ...rows,
        {
          id: 'as_x',
          subjectId: 'usr_admin',
          roleKey: 'owner',
          scopeId: 'ws_7',
          environment: 'live',
        },
      ],
    });
    expect(expectDerivesExactly(base, more).can('usr_admin', 'members.read', 'ws_7', 'live')).toBe(
      true,
    );
    const fewer = edit(base, {
      assignments: (rows) => rows.filter((a) => !a.id.startsWith('as_admin_1')),
    });
    expect(expectDerivesExactly(base, fewer).can('usr_admin', 'flows.write', 'ws_13')).toBe(false);
  });
});
