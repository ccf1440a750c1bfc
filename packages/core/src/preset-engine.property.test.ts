/**
 * Issue 12, by property: an organization on a random valid preset document (random catalog,
 * roles, slots, scope kinds, additive and override inheritance) gets the same answers from the
 * engine, a derived engine and the reference evaluator.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, deriveEngineWith, engineIndex } from './engine.js';
import { type OrgState, snapshotFor } from './preset.js';
import { parsePresetDocument } from './preset-json.js';
import { ReferenceEvaluator } from './reference/index.js';
import type { Assignment, ScopeNode, SubjectInfo } from './snapshot.js';
import { validDocument } from './testing/random-document.js';
import { CHECK_ENVS, ENVS, pick } from './testing/random-org.js';

const RUNS = Math.max(20, Math.round(Number(process.env.PROP_RUNS ?? 200) / 2));

/** An org on a preset, drawn as numbers: scopes under parents their kind allows, then roles. */
const stateSpec = fc.record({
  scopes: fc.array(fc.record({ parent: fc.nat(), kind: fc.nat() }), { maxLength: 12 }),
  subjects: fc.array(fc.record({ group: fc.boolean(), inactive: fc.nat({ max: 6 }) }), {
    minLength: 1,
    maxLength: 6,
  }),
  memberships: fc.array(fc.record({ group: fc.nat(), member: fc.nat() }), { maxLength: 6 }),
  assignments: fc.array(
    fc.record({ subject: fc.nat(), role: fc.nat(), scope: fc.nat(), env: fc.nat({ max: 2 }) }),
    { maxLength: 20 },
  ),
  /** Assignments the derived engine's write replaces (the first `rewrite` of them). */
  rewrite: fc.nat({ max: 3 }),
  questions: fc.array(
    fc.record({ subject: fc.nat(), permission: fc.nat(), scope: fc.nat(), env: fc.nat() }),
    { minLength: 1, maxLength: 20 },
  ),
});

describe('R2 T3 issue 12: engines on random preset documents agree with the reference', {
  timeout: Math.max(30_000, RUNS * 200),
}, () => {
  it('R2 T3 check, effective permissions and who-has-access agree, built and derived', () => {
    let overriding = 0;
    fc.assert(
      fc.property(validDocument, stateSpec, (doc, spec) => {
        const preset = parsePresetDocument(doc);
        if (Object.values(preset.inheritance).includes('override')) overriding++;
        const scopes: ScopeNode[] = [
          { id: 'o0', parentId: null, kind: preset.rootKind, name: 'Org' },
        ];
        for (const s of spec.scopes) {
          const parent = pick(scopes, s.parent);
          const kinds = preset.scopeKinds.filter((k) => k.parents.includes(parent.kind));
          if (kinds.length === 0) continue;
          const id = `s${scopes.length}`;
          scopes.push({ id, parentId: parent.id, kind: pick(kinds, s.kind).key, name: id });
        }
        const subjects: SubjectInfo[] = spec.subjects.map((s, i) => ({
          id: s.group ? `g${i}` : `u${i}`,
          type: s.group ? 'group' : 'user',
          active: s.inactive !== 0,
        }));
        const groups = subjects.filter((s) => s.type === 'group');
        const users = subjects.filter((s) => s.type === 'user');
        const memberships =
          groups.length && users.length
            ? spec.memberships.map((m) => ({
                groupId: pick(groups, m.group).id,
                memberId: pick(users, m.member).id,
              }))
            : [];
        const assignment = (a: (typeof spec.assignments)[number], id: string): Assignment => ({
          id,
          subjectId: pick(subjects, a.subject).id,
          roleKey: pick(preset.roles, a.role).key,
          scopeId: pick(scopes, a.scope).id,
          environment: preset.environments ? pick(ENVS, a.env) : null,
        });
        const state: OrgState = {
          orgId: 'o0',
          scopes,
          subjects,
          memberships,
          assignments: spec.assignments.map((a, i) => assignment(a, `a${i}`)),
        };
        const before = snapshotFor(preset, state);
        // A write: the first assignments replaced by ones of the next role.
        const changed = state.assignments.slice(0, spec.rewrite);
        const rewritten = spec.assignments
          .slice(0, changed.length)
          .map((a, i) => assignment({ ...a, role: a.role + 1 }, `b${i}`));
        // The same catalog, roles and scopes arrays, so that the engine really derives.
        const after = {
          ...before,
          revision: 1,
          assignments: [...state.assignments.slice(spec.rewrite), ...rewritten],
        };
        const affected = new Set([...changed, ...rewritten].map((a) => a.subjectId));
        const built = createEngine(after);
        const derived = deriveEngineWith(createEngine(before), after, affected, {
          maxChangedShare: 1,
          maxGarbageShare: 1,
        });
        expect(engineIndex(derived).generation).toBe(1);
        const ref = new ReferenceEvaluator(after);
        for (const q of spec.questions) {
          const subject = pick(subjects, q.subject).id;
          const permission = pick(after.permissions, q.permission).name;
          const scope = pick(scopes, q.scope).id;
          const env = preset.environments ? pick(CHECK_ENVS, q.env) : undefined;
          const expected = ref.check(subject, permission, scope, env);
          for (const engine of [built, derived]) {
            expect(engine.can(subject, permission, scope, env)).toBe(expected);
            expect(engine.explain({ subject, permission, scope, environment: env }).allowed).toBe(
              expected,
            );
            expect(engine.effectivePermissions(subject, scope, env)).toEqual(
              ref.effectivePermissions(subject, scope, env),
            );
            expect(
              engine
                .listSubjects(scope, permission, { environment: env, limit: 10_000 })
                .items.map((s) => ({ subjectId: s.subjectId, membership: s.membership })),
            ).toEqual(ref.subjectsWith(scope, permission, env));
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(overriding).toBeGreaterThan(RUNS / 10);
  });
});
