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
import type { OrgSnapshot } from './snapshot.js';
import {
  affectedBetween,
  answers,
  expectSameAnswers,
  probeSpec,
  universeOf,
} from './testing/derive-check.js';
import { org, pick } from './testing/random-org.js';
import { applyChange, changeSpec } from './testing/random-writes.js';

/**
 * Chains: a twelfth of `PROP_RUNS` (17 by default; `PROP_RUNS=10000` soaks as for
 * engine.property). Each step of a chain asks four engines every question, so one chain costs
 * as much as hundreds of engine.property runs.
 */
const RUNS = Math.max(1, Math.round(Number(process.env.PROP_RUNS ?? 200) / 12));

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
