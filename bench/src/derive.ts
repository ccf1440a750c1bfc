/**
 * After a write, the org's next engine: `deriveEngine` from the previous one vs `createEngine`
 * from scratch, on the benchmark orgs. Each write is patched into the snapshot as the server's
 * journal catch-up does (changed rows dropped, their new versions appended) and derived with its
 * `affected` set; a chain of writes derives each engine from the previous derived one (the
 * occasional full build that compacts included). Prints medians; asserts nothing about time.
 *
 * The peer, in the same run: node-casbin. Its formulation with native incremental writes
 * (`domain-fn+g-only`: one `g` line per assignment and membership, the scope tree in a domain
 * matching function) takes each write as `addGroupingPolicy` / `removeGroupingPolicy` /
 * `removeFilteredGroupingPolicy`; after each, the subject's answers are compared with the derived
 * Gatehouse engine. Its formulation fast enough to compare at checks (`materialized+g-only`) has
 * no incremental path (inheritance and groups are folded into the lines), so a write there is a
 * rebuild, timed once per size.
 *
 *   node --expose-gc dist/derive.js [--sizes medium,large] [--writes 40] [--no-rebuild]
 */
import { parseArgs } from 'node:util';
import {
  createEngine,
  deriveEngine,
  type Engine,
  patchSnapshot,
  requiredRoleHolders,
} from '@gatehouse/core';
import { buildCasbin, formulation } from './casbin.js';
import { casbinHeld, writes } from './derive-writes.js';
import { generateSnapshot, SIZES, type SizeName } from './generate.js';
import { collect } from './measure.js';
import { Rng } from './prng.js';

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time<T>(f: () => T): [T, number] {
  const t = process.hrtime.bigint();
  const out = f();
  return [out, Number(process.hrtime.bigint() - t) / 1e6];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      sizes: { type: 'string' },
      writes: { type: 'string' },
      'no-rebuild': { type: 'boolean', default: false },
    },
  });
  const sizes = (values.sizes ?? 'medium,large').split(',') as SizeName[];
  const chain = Number(values.writes ?? 40);
  const rng = new Rng(7);
  for (const size of sizes) {
    const base = generateSnapshot(SIZES[size]);
    const prev = createEngine(base);
    const root = base.scopes[0]!.id;
    const perms = base.permissions.map((p) => p.name);
    console.log(
      `${size}: ${base.subjects.length} subjects, ${base.assignments.length} assignments, ${base.memberships.length} memberships`,
    );
    const casbin = await buildCasbin(base, formulation('domain-fn+g-only'));
    const full: number[] = [];
    const derived = new Map<string, number[]>();
    const patched = new Map<string, number[]>();
    // M7 is checked on every write: counted from the snapshot (before) or the engine (now).
    const required = base.invariants[0]?.roleKey ?? base.roles[0]!.key;
    const peer = new Map<string, number[]>();
    let compared = 0;
    // casbin keeps every write (undoing one costs a rebuild): a subject written before is not
    // compared again, since Gatehouse derives each write from the same base.
    const written = new Set<string>();
    for (let rep = 0; rep < 7; rep++) {
      for (const w of writes(base, rng, rep)) {
        collect();
        // The write's work inside the lock before issue 15's patches: derive by scanning the
        // patched arrays (their rebuild by the catch-up not counted), M7 counted on the snapshot.
        const [next, d] = time(() => {
          const e = deriveEngine(prev, w.snapshot, w.affected);
          requiredRoleHolders(e.snapshot, required);
          return e;
        });
        collect();
        // Now: the catch-up's patch, a derive that reads it, M7 counted from the index.
        const [fromPatch, pd] = time(() => {
          const e = deriveEngine(prev, patchSnapshot(prev.snapshot, w.patch), w.affected);
          e.requiredRoleHolders(required);
          return e;
        });
        if (fromPatch.madeBy !== 'patch')
          throw new Error(`"${w.name}" was not derived from its patch`);
        const a = JSON.stringify(fromPatch.effectivePermissions(w.subject, w.scope));
        if (a !== JSON.stringify(next.effectivePermissions(w.subject, w.scope))) {
          throw new Error(`"${w.name}": the patch-derived engine disagrees with the scanned one`);
        }
        patched.set(w.name, [...(patched.get(w.name) ?? []), pd]);
        collect();
        const [, f] = time(() => createEngine(w.snapshot));
        full.push(f);
        derived.set(w.name, [...(derived.get(w.name) ?? []), d]);
        collect();
        const t = process.hrtime.bigint();
        await w.casbin(casbin.enforcer, root);
        peer.set(w.name, [...(peer.get(w.name) ?? []), Number(process.hrtime.bigint() - t) / 1e6]);
        if (written.has(w.subject)) continue;
        written.add(w.subject);
        // Same answers for the written subject after the write.
        const ours = next.effectivePermissions(w.subject, w.scope);
        const theirs = casbinHeld(casbin.enforcer, w.subject, w.scope, perms);
        if (JSON.stringify([...ours].sort()) !== JSON.stringify([...theirs].sort())) {
          const fresh = createEngine(w.snapshot).effectivePermissions(w.subject, w.scope);
          throw new Error(
            `casbin disagrees after "${w.name}" for ${w.subject} at ${w.scope}: derived [${ours}], fresh build [${fresh}], casbin [${theirs}]`,
          );
        }
        compared++;
      }
    }
    console.log(`  createEngine            ${median(full).toFixed(1)} ms (median)`);
    for (const [name, ms] of derived) {
      const c = median(peer.get(name)!);
      const p = median(patched.get(name)!);
      console.log(
        `  ${name.padEnd(24)} scan ${median(ms).toFixed(2)} ms   patch ${p.toFixed(3)} ms (×${(median(ms) / p).toFixed(0)})   casbin domain-fn+g-only incremental ${c.toFixed(3)} ms (median)`,
      );
    }
    console.log(`  ${compared} writes: casbin and the derived engine agree on the written subject`);
    if (!values['no-rebuild']) {
      collect();
      const t = process.hrtime.bigint();
      await buildCasbin(writes(base, rng, 99)[0]!.snapshot, formulation('materialized+g-only'));
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      console.log(`  casbin materialized+g-only after a write (rebuild) ${ms.toFixed(0)} ms`);
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
      `  chain of ${chain} derives (scan): median ${median(steps).toFixed(1)} ms, mean ${(total / chain).toFixed(1)} ms, max ${Math.max(...steps).toFixed(1)} ms`,
    );
    // The same chain through patches, as the server now runs it (lazy snapshots included: the
    // writes are drawn from a materialized copy, outside the timing).
    engine = prev;
    snapshot = base;
    const patchSteps: number[] = [];
    const made = new Map<string, number>();
    collect();
    for (let i = 0; i < chain; i++) {
      const w = writes(snapshot, rng, 100 + i)[i % 4]!;
      const [next, ms] = time(() =>
        deriveEngine(engine, patchSnapshot(engine.snapshot, w.patch), w.affected),
      );
      patchSteps.push(ms);
      made.set(next.madeBy, (made.get(next.madeBy) ?? 0) + 1);
      engine = next;
      snapshot = { ...next.snapshot };
    }
    const patchTotal = patchSteps.reduce((a, b) => a + b, 0);
    console.log(
      `  chain of ${chain} derives (patch): median ${median(patchSteps).toFixed(2)} ms, mean ${(patchTotal / chain).toFixed(2)} ms, max ${Math.max(...patchSteps).toFixed(1)} ms (${[...made].map(([k, v]) => `${v} ${k}`).join(', ')})`,
    );
  }
}

await main();
