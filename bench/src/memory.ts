/**
 * Issue 15 "Memory": what an org's engine costs, measured, beside the estimate the engine cache
 * budgets by (`Engine.estimatedBytes`); engine build and derive times at the largest size; and
 * the engine cache's budget holding with many small orgs (engines offered one after another, as
 * checks on ever new orgs would load them; the V8 heap plus ArrayBuffers after a full GC, against
 * the budget). Measures only; asserts nothing.
 *
 *   node --expose-gc dist/memory.js [--users 100000,1000000] [--orgs 10000] [--budget-mb 64]
 */
import { parseArgs } from 'node:util';
import { createEngine, deriveEngine, type Engine, PresetRegistry } from '@gatehouse/core';
import { EngineCache, PresetStore } from '@gatehouse/domain';
import { writes } from './derive-writes.js';
import { generateSnapshot } from './generate.js';
import { hasGc, measureBuild } from './measure.js';
import { Rng } from './prng.js';

const MB = 1024 * 1024;
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d });

function usage(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function main(): Promise<void> {
  if (!hasGc) throw new Error('run with node --expose-gc');
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      users: { type: 'string' },
      orgs: { type: 'string' },
      'budget-mb': { type: 'string' },
    },
  });
  const sizes = (values.users ?? '100000,1000000').split(',').map(Number);
  console.log(
    '| users | subjects | assignments | memberships | scopes | snapshot MB | engine MB | bytes/subject | bytes/assignment | estimate MB | build ms | derive ms (median of writes) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const users of sizes) {
    const spec = {
      name: 'x',
      users,
      scopes: Math.min(2000, Math.max(5, users / 50)),
      admins: 5,
      requests: 0,
    } as const;
    const snap = await measureBuild(() => generateSnapshot(spec as never));
    const s = snap.value;
    const built = await measureBuild(() => createEngine(s));
    const e: Engine = built.value;
    const derives: number[] = [];
    const rng = new Rng(3);
    for (let i = 0; i < 5; i++) {
      for (const w of writes(s, rng, i)) {
        const t = process.hrtime.bigint();
        deriveEngine(e, w.snapshot, w.affected);
        derives.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    derives.sort((a, b) => a - b);
    const totalMB = snap.heapMB + snap.buffersMB + built.heapMB + built.buffersMB;
    const bytes = totalMB * MB;
    console.log(
      `| ${fmt(users)} | ${fmt(s.subjects.length)} | ${fmt(s.assignments.length)} | ${fmt(s.memberships.length)} | ${fmt(s.scopes.length)} | ${fmt(snap.heapMB + snap.buffersMB, 1)} | ${fmt(built.heapMB + built.buffersMB, 1)} | ${fmt(bytes / s.subjects.length)} | ${fmt(bytes / s.assignments.length)} | ${fmt(e.estimatedBytes / MB, 1)} | ${fmt(built.ms)} | ${fmt(derives[Math.floor(derives.length / 2)]!, 1)} |`,
    );
  }

  // Many small orgs through one bounded cache.
  const orgs = Number(values.orgs ?? 10_000);
  const budget = Number(values['budget-mb'] ?? 64) * MB;
  const cache = new EngineCache(
    null as never, // never read: engines are offered, not loaded
    new PresetStore(PresetRegistry.withBuiltIns()),
    { maxBytes: budget },
  );
  const before = usage();
  let peak = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < orgs; i++) {
    const s = generateSnapshot(
      { name: 'x', users: 100, scopes: 5, admins: 2, requests: 0 } as never,
      1000 + i,
    );
    cache.offer(createEngine({ ...s, orgId: `org_${i}` }));
    if (i % 1000 === 999) peak = Math.max(peak, usage() - before);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = usage() - before;
  console.log(
    `\n${fmt(orgs)} orgs of 100 members offered to a ${fmt(budget / MB)} MiB cache in ${fmt(seconds, 1)} s: ${fmt(cache.usage.engines)} engines kept (estimated ${fmt(cache.usage.bytes / MB, 1)} MiB), ${fmt(cache.evictions)} dropped; measured heap + buffers over the start: ${fmt(after / MB, 1)} MiB at the end, ${fmt(peak / MB, 1)} MiB at most (sampled every 1,000 orgs); all ${fmt(orgs)} kept would be about ${fmt((orgs * (after / Math.max(1, cache.usage.engines))) / MB)} MiB`,
  );
}

await main();
