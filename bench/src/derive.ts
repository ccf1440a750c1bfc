/**
 * After a write, the org's next engine: `deriveEngine` from the previous one vs `createEngine`
 * from scratch, on the benchmark orgs. Each write is patched into the snapshot as the server's
 * journal catch-up does (changed rows dropped, their new versions appended) and derived with its
 * `affected` set; a chain of writes derives each engine from the previous derived one (the
 * occasional full build that compacts included). Prints medians; asserts nothing about time.
 *
 *   node --expose-gc dist/derive.js [--sizes medium,large] [--writes 40]
 */
import { parseArgs } from 'node:util';
import {
  type Assignment,
  createEngine,
  deriveEngine,
  type Engine,
  type OrgSnapshot,
} from '@gatehouse/core';
import { generateSnapshot, SIZES, type SizeName } from './generate.js';
import { collect } from './measure.js';
import { Rng } from './prng.js';

interface Write {
  readonly name: string;
  readonly snapshot: OrgSnapshot;
  readonly affected: ReadonlySet<string>;
}

/** One write of each kind a member page makes, on `s`. */
function writes(s: OrgSnapshot, rng: Rng, n: number): Write[] {
  const users = s.subjects.filter((x) => x.type === 'user');
  const groups = s.subjects.filter((x) => x.type === 'group');
  const user = users[rng.int(users.length)]!;
  const mine = s.assignments.find((a) => a.subjectId === user.id);
  const scope = s.scopes[1 + rng.int(s.scopes.length - 1)]!.id;
  const group = groups[rng.int(groups.length)]!.id;
  const revision = s.revision + 1;
  const out: Write[] = [
    {
      name: 'assign a role',
      snapshot: {
        ...s,
        revision,
        assignments: [
          ...s.assignments,
          {
            id: `as_new_${n}`,
            subjectId: user.id,
            roleKey: 'workflows_write',
            scopeId: scope,
            environment: null,
          },
        ],
      },
      affected: new Set([user.id]),
    },
    {
      name: 'deactivate a member',
      snapshot: {
        ...s,
        revision,
        subjects: [...s.subjects.filter((x) => x !== user), { ...user, active: !user.active }],
      },
      affected: new Set([user.id]),
    },
    {
      name: 'add to a group',
      snapshot: {
        ...s,
        revision,
        memberships: [...s.memberships, { groupId: group, memberId: user.id }],
      },
      // Both sides of a membership; the group's grants did not change, so its other members
      // are not rebuilt.
      affected: new Set([user.id, group]),
    },
    {
      // A new id: the subject-id map is copied too.
      name: 'invite a member',
      snapshot: {
        ...s,
        revision,
        subjects: [...s.subjects, { id: `usr_new_${n}`, type: 'user', active: true }],
        assignments: [
          ...s.assignments,
          {
            id: `as_inv_${n}`,
            subjectId: `usr_new_${n}`,
            roleKey: 'member',
            scopeId: scope,
            environment: null,
          },
        ],
      },
      affected: new Set([`usr_new_${n}`]),
    },
  ];
  if (mine) {
    const edited: Assignment = { ...mine, roleKey: 'workflows_read' };
    out.push({
      name: "change a member's role",
      snapshot: {
        ...s,
        revision,
        assignments: [...s.assignments.filter((a) => a !== mine), edited],
      },
      affected: new Set([user.id]),
    });
  }
  return out;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time<T>(f: () => T): [T, number] {
  const t = process.hrtime.bigint();
  const out = f();
  return [out, Number(process.hrtime.bigint() - t) / 1e6];
}

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { sizes: { type: 'string' }, writes: { type: 'string' } },
  });
  const sizes = (values.sizes ?? 'medium,large').split(',') as SizeName[];
  const chain = Number(values.writes ?? 40);
  const rng = new Rng(7);
  for (const size of sizes) {
    const base = generateSnapshot(SIZES[size]);
    const prev = createEngine(base);
    console.log(
      `${size}: ${base.subjects.length} subjects, ${base.assignments.length} assignments, ${base.memberships.length} memberships`,
    );
    const full: number[] = [];
    const derived = new Map<string, number[]>();
    for (let rep = 0; rep < 7; rep++) {
      for (const w of writes(base, rng, rep)) {
        collect();
        const [, d] = time(() => deriveEngine(prev, w.snapshot, w.affected));
        collect();
        const [, f] = time(() => createEngine(w.snapshot));
        full.push(f);
        derived.set(w.name, [...(derived.get(w.name) ?? []), d]);
      }
    }
    console.log(`  createEngine            ${median(full).toFixed(1)} ms (median)`);
    for (const [name, ms] of derived) {
      console.log(`  deriveEngine, ${name.padEnd(20)} ${median(ms).toFixed(1)} ms (median)`);
    }
    // A chain: each engine derived from the previous derived one (GC included).
    let engine: Engine = prev;
    let snapshot = base;
    const steps: number[] = [];
    collect();
    for (let i = 0; i < chain; i++) {
      const w = writes(snapshot, rng, 100 + i)[i % 4]!;
      const [next, ms] = time(() => deriveEngine(engine, w.snapshot, w.affected));
      steps.push(ms);
      engine = next;
      snapshot = w.snapshot;
    }
    const total = steps.reduce((a, b) => a + b, 0);
    console.log(
      `  chain of ${chain} derives: median ${median(steps).toFixed(1)} ms, mean ${(total / chain).toFixed(1)} ms, max ${Math.max(...steps).toFixed(1)} ms`,
    );
  }
}

main();
