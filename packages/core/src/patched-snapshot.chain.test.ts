/**
 * Issue 15, `patchSnapshot` along long and branching chains: a chain of thousands of patches
 * (past the overlay's fold, several times) and patches of older snapshots (the shared log copied,
 * not extended) each materialize exactly as the catch-up's reference, and a patched snapshot
 * does not keep the snapshots before it alive. Engines derived along such chains (and from older
 * engines) keep the root's long assignment lists right as the shared logs fill with dead entries
 * and are compacted.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, deriveEngine, type Engine, engineIndex } from './engine.js';
import { patchSnapshot, type SnapshotPatch } from './patched-snapshot.js';
import type { Assignment, GroupMembership, OrgSnapshot, SubjectInfo } from './snapshot.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const pairKey = (m: GroupMembership) => `${m.groupId}\u0000${m.memberId}`;

function baseOrg(users: number): OrgSnapshot {
  const subjects: SubjectInfo[] = [{ id: 'g0', type: 'group', active: true, limitedTo: null }];
  const assignments: Assignment[] = [];
  for (let i = 0; i < users; i++) {
    subjects.push({ id: `u${i}`, type: 'user', active: true });
    assignments.push({
      id: `a${i}`,
      subjectId: `u${i}`,
      roleKey: 'member',
      scopeId: 'root',
      environment: null,
    });
  }
  return {
    format: 1,
    orgId: 'org',
    revision: 1,
    permissions: [],
    roles: [{ key: 'member', name: 'Member', permissions: [] }] as unknown as OrgSnapshot['roles'],
    scopes: [{ id: 'root', parentId: null, type: 'org' }] as unknown as OrgSnapshot['scopes'],
    subjects,
    memberships: [],
    assignments,
    invariants: [],
  };
}

/** One random write: a subject, an assignment and a membership changed or removed. */
const writeSpec = fc.record({
  user: fc.nat(40),
  active: fc.boolean(),
  removeUser: fc.boolean(),
  assignment: fc.nat(40),
  removeAssignment: fc.boolean(),
  member: fc.nat(40),
  removeMember: fc.boolean(),
});
type Write = typeof writeSpec extends fc.Arbitrary<infer T> ? T : never;

function patchOf(w: Write, revision: number): SnapshotPatch {
  const user = `u${w.user}`;
  const asg = `a${w.assignment}`;
  const pair = { groupId: 'g0', memberId: `u${w.member}` };
  return {
    revision,
    subjects: {
      keys: [user],
      rows: w.removeUser ? [] : [{ id: user, type: 'user', active: w.active }],
    },
    assignments: {
      keys: [asg],
      rows: w.removeAssignment
        ? []
        : [
            {
              id: asg,
              subjectId: `u${w.assignment}`,
              roleKey: 'member',
              scopeId: 'root',
              environment: w.active ? null : 'live',
            },
          ],
    },
    memberships: { keys: [pair], rows: w.removeMember ? [] : [pair] },
  };
}

/** The catch-up's reference: each list without the changed keys, then the changed rows. */
function reference(before: OrgSnapshot, patch: SnapshotPatch): OrgSnapshot {
  const ids = new Set(patch.subjects!.keys);
  const asg = new Set(patch.assignments!.keys);
  const pairs = new Set([...patch.memberships!.keys].map(pairKey));
  return {
    ...before,
    revision: patch.revision!,
    subjects: [...before.subjects.filter((s) => !ids.has(s.id)), ...patch.subjects!.rows],
    assignments: [...before.assignments.filter((a) => !asg.has(a.id)), ...patch.assignments!.rows],
    memberships: [
      ...before.memberships.filter((m) => !pairs.has(pairKey(m))),
      ...patch.memberships!.rows,
    ],
  };
}

const json = (s: OrgSnapshot) => JSON.parse(JSON.stringify(s));

describe('patchSnapshot along long and branching chains (issue 15)', () => {
  it('a chain of 12,000 patches folds its overlay several times and stays the reference', () => {
    // 200 users: the overlay folds past 4,096 + 1/16 of the org changed rows (3 a patch).
    let patched = baseOrg(200);
    let expected = patched;
    const writes = fc.sample(writeSpec, { numRuns: 12_000, seed: 15 });
    writes.forEach((w, i) => {
      const patch = patchOf(w, i + 2);
      patched = patchSnapshot(patched, patch);
      expected = reference(expected, patch);
      // Materialized at irregular points: before, at and after the folds.
      if (i % 997 === 0 || i === writes.length - 1) expect(json(patched)).toEqual(json(expected));
    });
  });

  it('patches of older snapshots copy the shared log and leave the newer branch as it was', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), writeSpec), { minLength: 1, maxLength: 30 }),
        (plan) => {
          const first = baseOrg(20);
          const snapshots = [first];
          const refs = [first];
          plan.forEach(([from, w], i) => {
            // Each patch is of any earlier snapshot: often the newest, often not.
            const k = from % 3 === 0 ? snapshots.length - 1 : from % snapshots.length;
            const patch = patchOf(w, i + 2);
            snapshots.push(patchSnapshot(snapshots[k]!, patch));
            refs.push(reference(refs[k]!, patch));
          });
          // Materialized only now, after every branch was extended.
          snapshots.forEach((s, i) => {
            expect(json(s)).toEqual(json(refs[i]!));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a patched snapshot does not keep the snapshots it was patched from alive', async () => {
    let patched = baseOrg(50);
    const earlier: WeakRef<OrgSnapshot>[] = [];
    const writes = fc.sample(writeSpec, { numRuns: 200, seed: 7 });
    for (const [i, w] of writes.entries()) {
      earlier.push(new WeakRef(patched));
      patched = patchSnapshot(patched, patchOf(w, i + 2));
      // Materialized, as a client fetching each snapshot would: the arrays must go too.
      void patched.subjects.length;
      // Each write of a server is its own turn (WeakRef targets live to the end of a turn).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    gc();
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
    const alive = earlier.filter((r) => r.deref() !== undefined).length;
    expect(alive).toBe(0);
    expect(patched.subjects.length).toBeGreaterThan(0);
  });

  it('engines derived along a long chain and from older engines keep M7 holders and listed subjects right', () => {
    const roles = [
      { key: 'owner', name: 'Owner', permissions: ['org.update'] },
      { key: 'member', name: 'Member', permissions: [] },
    ] as unknown as OrgSnapshot['roles'];
    const first: OrgSnapshot = {
      ...baseOrg(120),
      permissions: [{ name: 'org.update' }] as unknown as OrgSnapshot['permissions'],
      roles,
    };
    const writes = fc.sample(
      fc.record({ user: fc.nat(119), role: fc.nat(2), from: fc.nat(), sibling: fc.nat(4) }),
      { numRuns: 1_500, seed: 21 },
    );
    let engine = createEngine(first);
    const engines: Engine[] = [engine];
    let patches = 0;
    writes.forEach((w, i) => {
      // Mostly the newest engine; one in five derives from an older one (a sibling).
      const base = w.sibling === 0 ? engines[w.from % engines.length]! : engine;
      const id = `a${w.user}`;
      const row = {
        id,
        subjectId: `u${w.user}`,
        roleKey: w.role === 0 ? 'owner' : 'member',
        scopeId: 'root',
        environment: null,
      };
      const patch: SnapshotPatch = {
        revision: base.snapshot.revision + 1,
        assignments: { keys: [id], rows: w.role === 2 ? [] : [row] },
      };
      const next = deriveEngine(
        base,
        patchSnapshot(base.snapshot, patch),
        new Set([row.subjectId]),
      );
      if (engineIndex(next).readBy === 'patch') patches++;
      if (w.sibling !== 0) engine = next;
      engines.push(next);
      if (i % 50 === 0 || w.sibling === 0) {
        const fresh = createEngine(JSON.parse(JSON.stringify(next.snapshot)));
        for (const role of ['owner', 'member']) {
          expect(next.requiredRoleHolders(role)).toEqual(fresh.requiredRoleHolders(role));
        }
        expect(next.listSubjects('root', 'org.update', { limit: 1_000 })).toEqual(
          fresh.listSubjects('root', 'org.update', { limit: 1_000 }),
        );
      }
    });
    expect(patches).toBeGreaterThan(writes.length / 2);
  });

  it('engines derived across several 4,096-slot chunks, from the newest and from older engines, answer as fresh builds', () => {
    const roles = [
      { key: 'owner', name: 'Owner', permissions: ['org.update'] },
      { key: 'member', name: 'Member', permissions: [] },
    ] as unknown as OrgSnapshot['roles'];
    const first: OrgSnapshot = {
      ...baseOrg(8_150),
      permissions: [{ name: 'org.update' }] as unknown as OrgSnapshot['permissions'],
      roles,
    };
    const writes = fc.sample(
      fc.record({ user: fc.nat(8_400), owner: fc.boolean(), from: fc.nat(), sibling: fc.nat(3) }),
      { numRuns: 120, seed: 33 },
    );
    let engine = createEngine(first);
    const engines: Engine[] = [engine];
    const holdersThen = [engine.requiredRoleHolders('owner')];
    const u8300Then = [engine.can('u8300', 'org.update', 'root')];
    writes.forEach((w, i) => {
      const base = w.sibling === 0 ? engines[w.from % engines.length]! : engine;
      // Users past 8,150 are new: their slots cross into the third chunk.
      const user = `u${w.user}`;
      const id = `a${w.user}`;
      const patch: SnapshotPatch = {
        revision: base.snapshot.revision + 1,
        subjects: { keys: [user], rows: [{ id: user, type: 'user', active: true }] },
        assignments: {
          keys: [id],
          rows: [
            {
              id,
              subjectId: user,
              roleKey: w.owner ? 'owner' : 'member',
              scopeId: 'root',
              environment: null,
            },
          ],
        },
      };
      const next = deriveEngine(base, patchSnapshot(base.snapshot, patch), new Set([user]));
      if (w.sibling !== 0) engine = next;
      engines.push(next);
      holdersThen.push(next.requiredRoleHolders('owner'));
      u8300Then.push(next.can('u8300', 'org.update', 'root'));
      if (i % 10 === 0 || w.sibling === 0) {
        const fresh = createEngine(JSON.parse(JSON.stringify(next.snapshot)));
        for (const probe of [user, 'u0', 'u4095', 'u4096', 'u8191', 'u8192', 'u8300', 'nobody']) {
          expect(next.can(probe, 'org.update', 'root')).toBe(
            fresh.can(probe, 'org.update', 'root'),
          );
          expect(next.check({ subject: probe, permission: 'org.update', scope: 'root' })).toEqual(
            fresh.check({ subject: probe, permission: 'org.update', scope: 'root' }),
          );
        }
        expect(next.requiredRoleHolders('owner')).toEqual(fresh.requiredRoleHolders('owner'));
      }
    });
    // Earlier engines still answer as they did when they were derived.
    engines.forEach((e, i) => {
      expect(e.requiredRoleHolders('owner')).toEqual(holdersThen[i]);
      expect(e.can('u8300', 'org.update', 'root')).toBe(u8300Then[i]);
    });
  });

  it('a group whose members join and leave (its row unchanged) keeps exactly its members, from the newest and from older engines', () => {
    const roles = [
      { key: 'owner', name: 'Owner', permissions: ['org.update'] },
      { key: 'member', name: 'Member', permissions: [] },
    ] as unknown as OrgSnapshot['roles'];
    const base = baseOrg(300);
    const first: OrgSnapshot = {
      ...base,
      permissions: [{ name: 'org.update' }] as unknown as OrgSnapshot['permissions'],
      roles,
      // The group holds Owner at the root: M7 counts its members.
      assignments: [
        ...base.assignments,
        { id: 'ag', subjectId: 'g0', roleKey: 'owner', scopeId: 'root', environment: null },
      ],
      memberships: Array.from({ length: 120 }, (_, i) => ({ groupId: 'g0', memberId: `u${i}` })),
    };
    const writes = fc.sample(
      fc.record({
        members: fc.array(fc.tuple(fc.nat(299), fc.boolean()), { minLength: 1, maxLength: 4 }),
        from: fc.nat(),
        sibling: fc.nat(4),
      }),
      { numRuns: 1_500, seed: 44 },
    );
    let engine = createEngine(first);
    const engines: Engine[] = [engine];
    const membersThen = [[...engineIndex(engine).members('g0')].sort()];
    let patches = 0;
    writes.forEach((w) => {
      const base = w.sibling === 0 ? engines[w.from % engines.length]! : engine;
      const pairs = new Map(w.members.map(([u, join]) => [`u${u}`, join]));
      const keys = [...pairs.keys()].map((memberId) => ({ groupId: 'g0', memberId }));
      const patch: SnapshotPatch = {
        revision: base.snapshot.revision + 1,
        memberships: { keys, rows: keys.filter((k) => pairs.get(k.memberId)) },
      };
      const affected = new Set(['g0', ...pairs.keys()]);
      const next = deriveEngine(base, patchSnapshot(base.snapshot, patch), affected);
      if (engineIndex(next).readBy === 'patch') patches++;
      if (w.sibling !== 0) engine = next;
      engines.push(next);
      const members = [...engineIndex(next).members('g0')].sort();
      membersThen.push(members);
      const fresh = createEngine(JSON.parse(JSON.stringify(next.snapshot)));
      // Exactly the fresh build's members: none left over, none twice.
      expect(members).toEqual([...engineIndex(fresh).members('g0')].sort());
      expect(next.requiredRoleHolders('owner')).toEqual(fresh.requiredRoleHolders('owner'));
    });
    engines.forEach((e, i) => {
      expect([...engineIndex(e).members('g0')].sort()).toEqual(membersThen[i]);
    });
    expect(patches).toBeGreaterThan(writes.length / 2);
  });
});
