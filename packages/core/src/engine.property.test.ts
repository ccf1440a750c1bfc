/**
 * Property tests: the engine must give the same answer as the naive reference evaluator
 * (`src/reference`) on random organizations — random scope trees (deep chains included),
 * catalogs, roles with `*` / `module.*` patterns, groups with scope limits, inactive subjects,
 * environment-limited and unsound assignments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, engineIndex } from './engine.js';
import { ReferenceEvaluator } from './reference/index.js';
import type { Environment, OrgSnapshot } from './snapshot.js';
import {
  assignmentSpec,
  CHECK_ENVS,
  ENVS,
  org,
  pick,
  resolveAssignment,
  UNKNOWN_ROLE,
  UNKNOWN_SCOPE,
  UNKNOWN_SUBJECT,
} from './testing/random-org.js';

/** Runs per property; raise with `PROP_RUNS=10000 npx vitest run engine.property` for a soak. */
const RUNS = Number(process.env.PROP_RUNS ?? 200);

/** A question drawn by index; the candidate lists include unknown ids. */
const querySpec = fc.record({
  subject: fc.nat(),
  permission: fc.nat(),
  scope: fc.nat(),
  env: fc.nat({ max: 2 }),
  role: fc.nat(),
  assignEnv: fc.nat({ max: 3 }),
  receiver: fc.nat(),
  limit: fc.integer({ min: 1, max: 5 }),
});
type QuerySpec = typeof querySpec extends fc.Arbitrary<infer T> ? T : never;

interface Query {
  subject: string;
  permission: string;
  scope: string;
  env: Environment | undefined;
  role: string;
  /** `undefined` (omitted) means both environments, as `null` does. */
  assignEnv: Environment | null | undefined;
  /** Subject receiving the role in canAssign (unknown ids included). */
  receiver: string;
  limit: number;
}

function resolveQuery(snapshot: OrgSnapshot, q: QuerySpec): Query {
  return {
    subject: pick([...snapshot.subjects.map((s) => s.id), UNKNOWN_SUBJECT], q.subject),
    permission: pick([...snapshot.permissions.map((p) => p.name), 'nope.x', '*'], q.permission),
    scope: pick([...snapshot.scopes.map((s) => s.id), UNKNOWN_SCOPE], q.scope),
    env: pick(CHECK_ENVS, q.env),
    role: pick([...snapshot.roles.map((r) => r.key), UNKNOWN_ROLE], q.role),
    assignEnv: pick([...ENVS, undefined], q.assignEnv),
    receiver: pick([...snapshot.subjects.map((s) => s.id), UNKNOWN_SUBJECT], q.receiver),
    limit: q.limit,
  };
}

const orgAndQueries = fc.tuple(org, fc.array(querySpec, { minLength: 1, maxLength: 15 }));

interface World {
  snapshot: OrgSnapshot;
  engine: Engine;
  ref: ReferenceEvaluator;
  queries: Query[];
}

function world([snapshot, specs]: [OrgSnapshot, QuerySpec[]]): World {
  return {
    snapshot,
    engine: createEngine(snapshot),
    ref: new ReferenceEvaluator(snapshot),
    queries: specs.map((q) => resolveQuery(snapshot, q)),
  };
}

/** Checks a property for every generated org and its queries. */
function forAllQueries(body: (w: World, q: Query) => void, numRuns = RUNS): void {
  fc.assert(
    fc.property(orgAndQueries, (input) => {
      const w = world(input);
      for (const q of w.queries) body(w, q);
    }),
    { numRuns },
  );
}

/** Every environment an assignment with `env` grants in, as check arguments. */
function coveredBy(env: Environment | null | undefined): Array<Environment | undefined> {
  return env ? [env] : [undefined, 'live', 'sandbox'];
}

function allScopePages(engine: Engine, subject: string, permission: string, q: Query): string[] {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = engine.listScopes(subject, permission, {
      limit: q.limit,
      cursor,
      environment: q.env,
    });
    expect(page.items.length).toBeLessThanOrEqual(q.limit);
    out.push(...page.items.map((s) => s.id));
    if (page.nextCursor === null) return out;
    expect(page.items.length).toBe(q.limit);
    cursor = page.nextCursor;
  }
  throw new Error('listScopes never ended');
}

function allSubjectPages(
  engine: Engine,
  scope: string,
  permission: string,
  q: Query,
): Array<{ subjectId: string; membership: 'direct' | 'inherited' }> {
  const out: Array<{ subjectId: string; membership: 'direct' | 'inherited' }> = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = engine.listSubjects(scope, permission, {
      limit: q.limit,
      cursor,
      environment: q.env,
    });
    expect(page.items.length).toBeLessThanOrEqual(q.limit);
    out.push(...page.items.map((s) => ({ subjectId: s.subjectId, membership: s.membership })));
    if (page.nextCursor === null) return out;
    expect(page.items.length).toBe(q.limit);
    cursor = page.nextCursor;
  }
  throw new Error('listSubjects never ended');
}

// ---------------------------------------------------------------------------------------------

// Generous per-test timeout: a property runs its RUNS orgs (PROP_RUNS=10000 for a soak).
describe('engine agrees with the reference evaluator (properties)', {
  timeout: Math.max(30_000, RUNS * 30),
}, () => {
  it('generates varied orgs (sanity check of the generator)', () => {
    const samples = fc.sample(org, { numRuns: 200, seed: 42 });
    expect(samples.some((s) => s.scopes.length >= 20)).toBe(true);
    expect(samples.some((s) => s.subjects.some((x) => !x.active))).toBe(true);
    expect(samples.some((s) => s.subjects.some((x) => x.limitedTo?.length))).toBe(true);
    expect(samples.some((s) => s.permissions.length > 32)).toBe(true);
    expect(samples.some((s) => s.permissions.length > 64)).toBe(true);
    const depth = (s: OrgSnapshot) =>
      Math.max(...s.scopes.map((x) => new ReferenceEvaluator(s).ancestors(x.id).length));
    expect(samples.some((s) => depth(s) >= 20)).toBe(true);
    expect(samples.some((s) => s.scopes.length >= 10 && depth(s) <= 4)).toBe(true);
    expect(samples.some((s) => createEngine(s).skippedAssignments.length > 0)).toBe(true);
    expect(samples.some((s) => s.roles.some((r) => r.permissions.includes('*')))).toBe(true);
    const overriding = (s: OrgSnapshot) =>
      s.roles.some((r) => r.slot !== null && s.inheritance?.[r.slot] === 'override');
    expect(samples.filter(overriding).length).toBeGreaterThan(50);
    expect(samples.filter((s) => !overriding(s)).length).toBeGreaterThan(50);
    // Override slots that replace something (resolved records) and ones that do not.
    const resolved = (s: OrgSnapshot) =>
      [...engineIndex(createEngine(s)).subjects.slots.values()].filter((r) => r.resolved).length;
    expect(samples.filter((s) => resolved(s) > 0).length).toBeGreaterThan(20);
    expect(samples.filter((s) => overriding(s) && resolved(s) === 0).length).toBeGreaterThan(5);
  });

  it('C1 check agrees with the reference evaluator', () => {
    forAllQueries(({ engine, ref }, q) => {
      const expected = ref.check(q.subject, q.permission, q.scope, q.env);
      expect(engine.can(q.subject, q.permission, q.scope, q.env)).toBe(expected);
      const d = engine.check({
        subject: q.subject,
        permission: q.permission,
        scope: q.scope,
        environment: q.env,
      });
      expect(d.allowed).toBe(expected);
      expect(d.code === 'granted').toBe(expected);
    });
  });

  it('T5 environment-limited grants stay in their environment; unlimited ones hold in both', () => {
    forAllQueries(({ engine, ref }, q) => {
      const none = engine.can(q.subject, q.permission, q.scope);
      const live = engine.can(q.subject, q.permission, q.scope, 'live');
      const sandbox = engine.can(q.subject, q.permission, q.scope, 'sandbox');
      expect([none, live, sandbox]).toEqual([
        ref.check(q.subject, q.permission, q.scope),
        ref.check(q.subject, q.permission, q.scope, 'live'),
        ref.check(q.subject, q.permission, q.scope, 'sandbox'),
      ]);
      if (none) expect(live && sandbox).toBe(true);
    });
  });

  it('C2 checkMany equals mapping check, canMany its allowed', () => {
    fc.assert(
      fc.property(orgAndQueries, (input) => {
        const { engine, queries } = world(input);
        const requests = queries.map((q) => ({
          subject: q.subject,
          permission: q.permission,
          scope: q.scope,
          environment: q.env,
        }));
        expect(engine.checkMany(requests)).toEqual(requests.map((r) => engine.check(r)));
        expect(engine.canMany(requests)).toEqual(requests.map((r) => engine.check(r).allowed));
      }),
      { numRuns: RUNS },
    );
  });

  it('C3 explain agrees with the reference and its grants really grant', () => {
    let viaGroups = 0;
    forAllQueries(({ snapshot, engine, ref }, q) => {
      const req = {
        subject: q.subject,
        permission: q.permission,
        scope: q.scope,
        environment: q.env,
      };
      const e = engine.explain(req);
      expect(e.allowed).toBe(ref.check(q.subject, q.permission, q.scope, q.env));
      // Override slots: what explain calls overridden, the reference does too; never a grant.
      for (const o of e.overridden) {
        const a = snapshot.assignments.find((x) => x.id === o.assignmentId)!;
        expect(ref.overridden(a, q.subject, q.scope, q.env)).toBe(true);
        expect(ref.roleGrants(o.roleKey, q.permission)).toBe(true);
        expect(o.overriddenBy?.length).toBeGreaterThan(0);
      }
      if (!e.allowed) {
        expect(e.grants).toEqual([]);
        return;
      }
      expect(e.grants.length).toBeGreaterThan(0);
      const path = ref.ancestors(q.scope);
      for (const g of e.grants) {
        expect(ref.roleGrants(g.roleKey, q.permission)).toBe(true);
        expect(path).toContain(g.scopeId);
        expect(g.inherited).toBe(g.scopeId !== q.scope);
        expect(g.environment === null || g.environment === q.env).toBe(true);
        const a = snapshot.assignments.find((x) => x.id === g.assignmentId);
        expect(a).toMatchObject({ roleKey: g.roleKey, scopeId: g.scopeId });
        expect(ref.overridden(a!, q.subject, q.scope, q.env)).toBe(false);
        if (g.viaGroup === null) {
          expect(a?.subjectId).toBe(q.subject);
        } else {
          viaGroups++;
          expect(a?.subjectId).toBe(g.viaGroup);
          const group = snapshot.subjects.find((s) => s.id === g.viaGroup);
          expect(group).toMatchObject({ type: 'group', active: true });
          expect(
            snapshot.memberships.some((m) => m.groupId === g.viaGroup && m.memberId === q.subject),
          ).toBe(true);
        }
      }
    });
    expect(viaGroups).toBeGreaterThan(RUNS / 20);
    // Overrides are rare among random questions: the next property asks where they happen.
  });

  it('C3 / T3 override: explain where override slots meet agrees with the reference, winners and losers', () => {
    let overridden = 0;
    fc.assert(
      fc.property(org, fc.nat(), (snapshot, salt) => {
        const engine = createEngine(snapshot);
        const ref = new ReferenceEvaluator(snapshot);
        const questions: Array<[string, string, string]> = [];
        for (const a of snapshot.assignments) {
          if (ref.overrideSlot(a.roleKey) === null) continue;
          if (!ref.assignmentSound(a.subjectId, a.roleKey, a.scopeId)) continue;
          const members = snapshot.memberships.filter((m) => m.groupId === a.subjectId);
          const subject = members.length > 0 ? pick(members, salt).memberId : a.subjectId;
          const granted = snapshot.permissions.filter((p) => ref.roleGrants(a.roleKey, p.name));
          if (granted.length === 0) continue;
          for (const { id: scope } of snapshot.scopes) {
            if (!ref.within(scope, a.scopeId)) continue;
            questions.push([subject, pick(granted, salt + questions.length).name, scope]);
          }
        }
        // A bounded sample, so that deep chains stay quick against the slow reference.
        for (const [subject, permission, scope] of questions.slice(0, 60)) {
          for (const environment of CHECK_ENVS) {
            const e = engine.explain({ subject, permission, scope, environment });
            expect(e.allowed).toBe(ref.check(subject, permission, scope, environment));
            for (const g of e.grants) {
              const x = snapshot.assignments.find((y) => y.id === g.assignmentId)!;
              expect(ref.grantsThrough(x, subject, permission, scope, environment)).toBe(true);
            }
            for (const o of e.overridden) {
              const x = snapshot.assignments.find((y) => y.id === o.assignmentId)!;
              expect(ref.overridden(x, subject, scope, environment)).toBe(true);
              overridden++;
            }
            // Every assignment that carries it here is a grant or overridden, never lost.
            const carrying = e.holds.filter(
              (h) =>
                (h.environment === null || h.environment === environment) &&
                ref.roleGrants(h.roleKey, permission),
            );
            expect(e.grants.length + e.overridden.length).toBe(carrying.length);
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(overridden).toBeGreaterThan(RUNS / 10);
  });

  it('C4 effectivePermissions agrees with the reference', () => {
    forAllQueries(({ engine, ref }, q) => {
      expect(engine.effectivePermissions(q.subject, q.scope, q.env)).toEqual(
        ref.effectivePermissions(q.subject, q.scope, q.env),
      );
    });
  });

  it('C5 listScopes walked page by page yields exactly the reference scopes', () => {
    let multiPage = 0;
    forAllQueries(({ engine, ref }, q) => {
      const walked = allScopePages(engine, q.subject, q.permission, q);
      expect(walked).toEqual(ref.scopesWith(q.subject, q.permission, q.env));
      if (walked.length > q.limit) multiPage++;
    });
    expect(multiPage).toBeGreaterThan(RUNS / 20);
  });

  it('C5 / T3 listSubjects walked page by page yields exactly the reference subjects, direct or inherited', () => {
    const seen = { multiPage: 0, inherited: 0 };
    forAllQueries(({ engine, ref }, q) => {
      const walked = allSubjectPages(engine, q.scope, q.permission, q);
      expect(walked).toEqual(ref.subjectsWith(q.scope, q.permission, q.env));
      if (walked.length > q.limit) seen.multiPage++;
      if (walked.some((s) => s.membership === 'inherited')) seen.inherited++;
    });
    expect(seen.multiPage).toBeGreaterThan(RUNS / 20);
    expect(seen.inherited).toBeGreaterThan(RUNS / 20);
  });

  it('R6 canAssign agrees with the reference', () => {
    forAllQueries(({ snapshot, engine, ref }, q) => {
      const req = { actor: q.subject, role: q.role, scope: q.scope, environment: q.assignEnv };
      const expected = ref.canAssign(q.subject, q.role, q.scope, q.assignEnv ?? null);
      expect(engine.canAssign(req).allowed).toBe(expected);
      // Naming the receiver adds its checks: it must exist, and a group must be allowed there.
      const receiver = snapshot.subjects.find((s) => s.id === q.receiver);
      const receivable =
        receiver !== undefined &&
        (receiver.type !== 'group' || ref.assignmentSound(q.receiver, q.role, q.scope));
      expect(engine.canAssign({ ...req, subject: q.receiver }).allowed).toBe(
        expected && receivable,
      );
    });
  });

  it('R6 canAssign never lets an actor grant a permission it lacks there', () => {
    let allowedCount = 0;
    forAllQueries(({ snapshot, engine, ref }, q) => {
      const allowed = engine.canAssign({
        actor: q.subject,
        role: q.role,
        scope: q.scope,
        environment: q.assignEnv,
      }).allowed;
      if (!allowed) return;
      allowedCount++;
      for (const p of snapshot.permissions) {
        if (p.name !== 'roles.assign' && !ref.roleGrants(q.role, p.name)) continue;
        for (const env of coveredBy(q.assignEnv)) {
          expect(engine.can(q.subject, p.name, q.scope, env), `${p.name} ${env}`).toBe(true);
          expect(ref.check(q.subject, p.name, q.scope, env), `${p.name} ${env}`).toBe(true);
        }
      }
    });
    // Not vacuous: plenty of generated requests are allowed.
    expect(allowedCount).toBeGreaterThan(RUNS / 20);
  });

  it('C7 the snapshot survives JSON and an engine built from the copy answers identically', () => {
    forAllQueries(({ snapshot, engine }, q) => {
      const copy = JSON.parse(JSON.stringify(snapshot)) as OrgSnapshot;
      expect(copy).toEqual(snapshot);
      const again = createEngine(copy);
      const req = {
        subject: q.subject,
        permission: q.permission,
        scope: q.scope,
        environment: q.env,
      };
      expect(again.check(req)).toEqual(engine.check(req));
      expect(again.explain(req)).toEqual(engine.explain(req));
      expect(again.effectivePermissions(q.subject, q.scope, q.env)).toEqual(
        engine.effectivePermissions(q.subject, q.scope, q.env),
      );
      expect(allScopePages(again, q.subject, q.permission, q)).toEqual(
        allScopePages(engine, q.subject, q.permission, q),
      );
      expect(again.listSubjects(q.scope, q.permission, { environment: q.env })).toEqual(
        engine.listSubjects(q.scope, q.permission, { environment: q.env }),
      );
      const assign = { actor: q.subject, role: q.role, scope: q.scope, environment: q.assignEnv };
      expect(again.canAssign(assign)).toEqual(engine.canAssign(assign));
      expect(again.skippedAssignments).toEqual(engine.skippedAssignments);
    }, 100);
  });

  it('T3 override: an assignment in an override slot changes answers only at its scope and below', () => {
    let changed = 0;
    fc.assert(
      fc.property(orgAndQueries, assignmentSpec, (input, extra) => {
        const before = world(input);
        const added = resolveAssignment(before.snapshot, extra, 'a_extra');
        if (before.ref.overrideSlot(added.roleKey) === null) return;
        const grown = { ...before.snapshot, assignments: [...before.snapshot.assignments, added] };
        const after = createEngine(grown);
        // Every question about the subjects it reaches: the holder and, for a group, its members.
        const reached = [
          added.subjectId,
          ...grown.memberships.filter((m) => m.groupId === added.subjectId).map((m) => m.memberId),
        ];
        for (const subject of reached) {
          for (const { id: scope } of grown.scopes) {
            for (const { name: permission } of grown.permissions) {
              for (const env of CHECK_ENVS) {
                const was = before.engine.can(subject, permission, scope, env);
                if (was === after.can(subject, permission, scope, env)) continue;
                changed++;
                expect(before.ref.within(scope, added.scopeId)).toBe(true);
              }
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(changed).toBeGreaterThan(0);
  });

  it('C1 grants are additive: adding an assignment never turns an allowed check into a denied one (unless its slot overrides)', () => {
    fc.assert(
      fc.property(orgAndQueries, assignmentSpec, (input, extra) => {
        const before = world(input);
        const added = resolveAssignment(before.snapshot, extra, 'a_extra');
        if (before.ref.overrideSlot(added.roleKey) !== null) return;
        const grown = {
          ...before.snapshot,
          assignments: [...before.snapshot.assignments, added],
        };
        const after = createEngine(grown);
        const afterRef = new ReferenceEvaluator(grown);
        for (const q of before.queries) {
          if (before.engine.can(q.subject, q.permission, q.scope, q.env)) {
            expect(after.can(q.subject, q.permission, q.scope, q.env)).toBe(true);
          }
          if (before.ref.check(q.subject, q.permission, q.scope, q.env)) {
            expect(afterRef.check(q.subject, q.permission, q.scope, q.env)).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
