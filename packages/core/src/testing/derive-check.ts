/**
 * Helpers for the `deriveEngine` tests: the `affected` set between two snapshots, and everything
 * an engine answers over a set of ids, to compare a derived engine with a fresh build.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Engine } from '../engine.js';
import type { Assignment, GroupMembership, OrgSnapshot } from '../snapshot.js';
import {
  CHECK_ENVS,
  ENVS,
  pick,
  UNKNOWN_ROLE,
  UNKNOWN_SCOPE,
  UNKNOWN_SUBJECT,
} from './random-org.js';

/** Every subject whose row, assignments or memberships (either side) differ: by identity. */
export function affectedBetween(before: OrgSnapshot, after: OrgSnapshot): Set<string> {
  const out = new Set<string>();
  const rowsBefore = new Map(before.subjects.map((x) => [x.id, x]));
  const rowsAfter = new Map(after.subjects.map((x) => [x.id, x]));
  for (const [id, x] of rowsBefore) if (rowsAfter.get(id) !== x) out.add(id);
  for (const [id, x] of rowsAfter) if (rowsBefore.get(id) !== x) out.add(id);
  const gone = <T>(xs: readonly T[], ys: readonly T[], touch: (x: T) => void) => {
    const kept = new Set(ys);
    for (const x of xs) if (!kept.has(x)) touch(x);
  };
  const assignment = (a: Assignment) => out.add(a.subjectId);
  const membership = (m: GroupMembership) => {
    out.add(m.groupId);
    out.add(m.memberId);
  };
  gone(before.assignments, after.assignments, assignment);
  gone(after.assignments, before.assignments, assignment);
  gone(before.memberships, after.memberships, membership);
  gone(after.memberships, before.memberships, membership);
  return out;
}

/** The ids an engine is asked about (unknown ones included). */
export interface Universe {
  subjects: string[];
  permissions: string[];
  scopes: string[];
  roles: string[];
}

/** Picks drawn per chain: which permissions the lists are walked for, and the page size. */
export const probeSpec = fc.record({
  permissions: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  limit: fc.integer({ min: 1, max: 4 }),
  explainSeed: fc.nat(),
});
export type Probe = typeof probeSpec extends fc.Arbitrary<infer T> ? T : never;

function allPages<T>(
  page: (cursor: string | null) => { items: readonly T[]; nextCursor: string | null },
) {
  const pages: Array<{ items: readonly T[]; nextCursor: string | null }> = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const p = page(cursor);
    pages.push(p);
    if (p.nextCursor === null) return pages;
    cursor = p.nextCursor;
  }
  throw new Error('pages never ended');
}

/** One letter per decision code, so every check of an org fits in a string. */
const CODE_LETTER: Record<string, string> = {
  granted: 'g',
  no_grant: 'n',
  unknown_subject: 's',
  inactive_subject: 'i',
  unknown_permission: 'p',
  unknown_scope: 'c',
};

/**
 * The engine's answers, section by section. `can` and `check` are asked for every subject ×
 * permission × scope × environment (a `check` reason follows from its code and request; whole
 * decisions are compared in `explains` and `canAssign`).
 */
export function answers(engine: Engine, u: Universe, probe: Probe): Record<string, unknown> {
  const can: string[] = [];
  for (const subject of u.subjects) {
    for (const scope of u.scopes) {
      let bits = '';
      for (const permission of u.permissions) {
        for (const environment of CHECK_ENVS) {
          bits += engine.can(subject, permission, scope, environment) ? '1' : '0';
          bits += CODE_LETTER[engine.check({ subject, permission, scope, environment }).code];
        }
      }
      can.push(bits);
    }
  }
  const effective = u.subjects.flatMap((s) =>
    u.scopes.flatMap((scope) =>
      CHECK_ENVS.map((env) => engine.effectivePermissions(s, scope, env).join(' ')),
    ),
  );
  const accessAt = u.subjects.flatMap((s) => u.scopes.map((scope) => engine.accessAt(s, scope)));
  let n = probe.explainSeed;
  const explains = u.subjects.flatMap((subject) =>
    u.scopes.map((scope) => {
      n = (n * 1103515245 + 12345) >>> 0;
      return engine.explain({
        subject,
        permission: pick(u.permissions, n >>> 8),
        scope,
        environment: pick(CHECK_ENVS, n),
      });
    }),
  );
  // Every list in one page; the drawn permissions also page by page, filtered by type.
  const lists = u.permissions.flatMap((permission) =>
    CHECK_ENVS.flatMap((environment) => [
      ...u.scopes.map((scope) =>
        engine.listSubjects(scope, permission, { environment, limit: 10_000 }),
      ),
      ...u.subjects.map((subject) =>
        engine.listScopes(subject, permission, { environment, limit: 10_000 }),
      ),
    ]),
  );
  const listed = probe.permissions.map((p) => pick(u.permissions, p));
  const listSubjects = u.scopes.flatMap((scope) =>
    listed.flatMap((permission) =>
      CHECK_ENVS.flatMap((environment) =>
        ([undefined, 'user', 'group'] as const).map((type) =>
          allPages((cursor) =>
            engine.listSubjects(scope, permission, {
              cursor,
              limit: probe.limit,
              environment,
              type,
            }),
          ),
        ),
      ),
    ),
  );
  const listScopes = u.subjects.flatMap((subject) =>
    listed.flatMap((permission) =>
      CHECK_ENVS.map((environment) =>
        allPages((cursor) =>
          engine.listScopes(subject, permission, { cursor, limit: probe.limit, environment }),
        ),
      ),
    ),
  );
  const slotConflicts = u.subjects.flatMap((subject) =>
    u.roles.flatMap((role) =>
      u.scopes.flatMap((scope) =>
        ENVS.map((environment) => engine.slotConflicts({ subject, role, scope, environment })),
      ),
    ),
  );
  const canAssign = u.subjects.flatMap((actor, i) =>
    u.roles.flatMap((role, j) =>
      u.scopes.map((scope, k) => {
        const environment = pick([...ENVS, undefined], i + j + k);
        const subject = pick(u.subjects, i * 7 + j * 3 + k);
        return [
          engine.canAssign({ actor, role, scope, environment }),
          engine.canAssign({ actor, role, scope, environment, subject }),
        ];
      }),
    ),
  );
  return {
    orgId: engine.orgId,
    revision: engine.revision,
    subjects: u.subjects.map((s) => engine.hasSubject(s)),
    can,
    effective,
    accessAt,
    explains,
    lists,
    listSubjects,
    listScopes,
    slotConflicts,
    canAssign,
    invariants: engine.invariantViolations(),
    skipped: engine.skippedAssignments,
    maskBytes: engine.maskBytes,
  };
}

/** Section by section; JSON first (fast), `toEqual` for a readable difference. */
export function expectSameAnswers(
  actual: Record<string, unknown>,
  expected: Record<string, unknown>,
) {
  for (const key of Object.keys(expected)) {
    if (JSON.stringify(actual[key]) !== JSON.stringify(expected[key])) {
      expect(actual[key], key).toEqual(expected[key]);
    }
  }
}

/** Every id the snapshots name, plus one unknown id of each kind. */
export function universeOf(snapshots: readonly OrgSnapshot[]): Universe {
  const first = snapshots[0]!;
  return {
    subjects: [
      ...new Set([...snapshots.flatMap((s) => s.subjects.map((x) => x.id)), UNKNOWN_SUBJECT]),
    ],
    permissions: [...first.permissions.map((p) => p.name), 'nope.x'],
    scopes: [...first.scopes.map((s) => s.id), UNKNOWN_SCOPE],
    roles: [...first.roles.map((r) => r.key), UNKNOWN_ROLE],
  };
}
