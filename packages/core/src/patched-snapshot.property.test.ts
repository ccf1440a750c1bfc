/**
 * Issue 15, properties of `patchSnapshot` and of `deriveEngine` reading a patch: along random
 * chains of writes, each told to the engine the way the server's journal catch-up tells it (the
 * changed keys and the current rows behind them), the patched snapshot materializes exactly as
 * the catch-up's reference (old rows without the changed ones, then the changed rows), the engine
 * derived from it answers every question as a fresh build of that snapshot (sizes and M7 holders
 * included), and most derives read the patch rather than scanning the org.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, deriveEngineWith, engineIndex } from './engine.js';
import { requiredRoleHolders } from './invariants.js';
import { patchSnapshot, type SnapshotPatch } from './patched-snapshot.js';
import type { Assignment, GroupMembership, OrgSnapshot, SubjectInfo } from './snapshot.js';
import { answers, expectSameAnswers, probeSpec, universeOf } from './testing/derive-check.js';
import { org, pick } from './testing/random-org.js';
import { applyChange, changeSpec } from './testing/random-writes.js';

const RUNS = Math.max(1, Math.round(Number(process.env.PROP_RUNS ?? 200) / 12));

const pairKey = (m: GroupMembership) => `${m.groupId}\u0000${m.memberId}`;

/** Keys whose rows differ (by identity) between two lists, and the rows `after` has for them. */
function changedRows<T, K>(
  before: readonly T[],
  after: readonly T[],
  keyOf: (row: T) => K,
): { keys: Set<K>; rows: T[] } {
  const kept = new Set(after);
  const was = new Set(before);
  const keys = new Set<K>();
  for (const x of before) if (!kept.has(x)) keys.add(keyOf(x));
  for (const x of after) if (!was.has(x)) keys.add(keyOf(x));
  // One row per key, the last (the database holds one; the journal re-reads it).
  const rows = new Map<K, T>();
  for (const x of after) {
    const k = keyOf(x);
    if (keys.has(k)) rows.set(k, x);
  }
  return { keys, rows: [...rows.values()] };
}

/** The catch-up's reference: each list without the changed keys, then the changed rows. */
function reference(before: OrgSnapshot, patch: SnapshotPatch, revision: number): OrgSnapshot {
  const ids = new Set(patch.subjects!.keys);
  const asg = new Set(patch.assignments!.keys);
  const pairs = new Set([...patch.memberships!.keys].map(pairKey));
  return {
    ...before,
    revision,
    subjects: [...before.subjects.filter((s) => !ids.has(s.id)), ...patch.subjects!.rows],
    assignments: [...before.assignments.filter((a) => !asg.has(a.id)), ...patch.assignments!.rows],
    memberships: [
      ...before.memberships.filter((m) => !pairs.has(pairKey(m))),
      ...patch.memberships!.rows,
    ],
  };
}

const chainSpec = fc.record({
  org,
  steps: fc.array(fc.array(changeSpec, { minLength: 1, maxLength: 3 }), {
    minLength: 1,
    maxLength: 8,
  }),
  probe: probeSpec,
  requiredRole: fc.nat(),
});

describe('patchSnapshot and deriving from a patch (issue 15, properties)', {
  timeout: Math.max(300_000, RUNS * 3_000),
}, () => {
  it('along random chains, the patched snapshot is the catch-up reference and the derived engine equals a fresh build of it', () => {
    const seen = { steps: 0, patch: 0, scan: 0 };
    fc.assert(
      fc.property(chainSpec, ({ org: base, steps, probe, requiredRole }) => {
        const limits = { maxChangedShare: Number.POSITIVE_INFINITY, maxGarbageShare: 0.5 };
        const first: OrgSnapshot = {
          ...base,
          invariants: [{ roleKey: pick(base.roles, requiredRole).key, at: 'root', min: 1 }],
        };
        let engine = createEngine(first);
        let expected: OrgSnapshot = first;
        const snapshots = [first];
        const refs = [first];
        const engines = [engine];
        steps.forEach((writes, i) => {
          // The truth after the writes (rows at any position), told as the journal tells it.
          let truth: OrgSnapshot = expected;
          writes.forEach((w, j) => {
            truth = applyChange(truth, w, `${i}_${j}`);
          });
          const subjects = changedRows<SubjectInfo, string>(
            expected.subjects,
            truth.subjects,
            (s) => s.id,
          );
          const assignments = changedRows<Assignment, string>(
            expected.assignments,
            truth.assignments,
            (a) => a.id,
          );
          const memberships = changedRows<GroupMembership, string>(
            expected.memberships,
            truth.memberships,
            pairKey,
          );
          const patch: SnapshotPatch = {
            revision: expected.revision + 1,
            subjects: { keys: subjects.keys, rows: subjects.rows },
            assignments: { keys: assignments.keys, rows: assignments.rows },
            memberships: {
              keys: [...memberships.keys].map((k) => {
                const [groupId, memberId] = k.split('\u0000') as [string, string];
                return { groupId, memberId };
              }),
              rows: memberships.rows,
            },
          };
          const next = reference(expected, patch, expected.revision + 1);
          // What the server's catch-up names: changed subjects, both sides of changed pairs,
          // the subjects of changed assignments before and after.
          const affected = new Set(subjects.keys);
          for (const a of [...expected.assignments, ...next.assignments]) {
            if (assignments.keys.has(a.id)) affected.add(a.subjectId);
          }
          for (const k of memberships.keys) for (const id of k.split('\u0000')) affected.add(id);

          const patched = patchSnapshot(engine.snapshot, patch);
          engine = deriveEngineWith(engine, patched, affected, limits);
          expect(engine.snapshot).toBe(patched);
          const fresh = createEngine(next);
          const universe = universeOf([first, truth, next]);
          expectSameAnswers(answers(engine, universe, probe), answers(fresh, universe, probe));
          expect(engine.estimatedBytes).toBe(fresh.estimatedBytes);
          for (const role of next.roles) {
            expect(engine.requiredRoleHolders(role.key)).toEqual(
              requiredRoleHolders(next, role.key),
            );
          }
          const by = engineIndex(engine).readBy;
          seen.steps++;
          if (by === 'patch') seen.patch++;
          if (by === 'scan') seen.scan++;
          snapshots.push(patched);
          refs.push(next);
          engines.push(engine);
          expected = next;
        });
        // Materialized late (after later patches), each snapshot is still its reference, and
        // JSON carries it whole.
        snapshots.forEach((s, i) => {
          expect(JSON.parse(JSON.stringify(s))).toEqual(JSON.parse(JSON.stringify(refs[i])));
        });
        // No derive changed what an earlier engine answers.
        const universe = universeOf(refs);
        engines.forEach((e, i) => {
          expectSameAnswers(
            answers(e, universe, probe),
            answers(createEngine(refs[i]!), universe, probe),
          );
        });
      }),
      { numRuns: RUNS },
    );
    // Not vacuous: most derives read the patch; the rare shapes only a pass orders are scanned.
    expect(seen.patch).toBeGreaterThan(seen.steps / 2);
  });
});
