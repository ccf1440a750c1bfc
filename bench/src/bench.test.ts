import { createEngine, deriveEngine } from '@gatehouse/core';
import { ReferenceEvaluator } from '@gatehouse/core/reference';
import { describe, expect, it } from 'vitest';
import {
  buildCasbin,
  casbinRequests,
  FASTEST_FORMULATIONS,
  FORMULATIONS,
  formulation,
} from './casbin.js';
import { casbinHeld, writes } from './derive-writes.js';
import {
  generateRequests,
  generateSnapshot,
  levelSizes,
  SIZES,
  withOverrideSlots,
} from './generate.js';
import { Rng } from './prng.js';

const small = SIZES.small;

describe('generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateSnapshot(small, 42);
    const b = generateSnapshot(small, 42);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(generateRequests(b, 2_000, 42)).toEqual(generateRequests(a, 2_000, 42));
    expect(JSON.stringify(generateSnapshot(small, 43))).not.toBe(JSON.stringify(a));
  });

  it('has the documented shape', () => {
    const s = generateSnapshot(small);
    expect(s.scopes).toHaveLength(small.scopes);
    expect(s.subjects.filter((x) => x.type === 'user')).toHaveLength(small.users);
    expect(levelSizes(SIZES.large.scopes).reduce((x, y) => x + y, 1)).toBe(SIZES.large.scopes);
    const engine = createEngine(s);
    expect(engine.skippedAssignments).toEqual([]);
    expect(s.assignments.some((a) => a.environment === 'live')).toBe(true);
    expect(s.assignments.some((a) => a.environment === 'sandbox')).toBe(true);
    expect(s.memberships.length).toBeGreaterThan(0);
  });
});

describe('engines agree on the small size', () => {
  const snapshot = generateSnapshot(small);
  const req = generateRequests(snapshot, 3_000);

  it('T3 with the module slots override, gatehouse and the reference agree', () => {
    const overriding = withOverrideSlots(snapshot);
    const engine = createEngine(overriding);
    const ref = new ReferenceEvaluator(overriding);
    const additive = createEngine(snapshot);
    let differ = 0;
    for (let i = 0; i < req.length; i++) {
      const args = [
        req.subject[i]!,
        req.permission[i]!,
        req.scope[i]!,
        req.environment[i],
      ] as const;
      expect(engine.can(...args), String(i)).toBe(ref.check(...args));
      if (engine.can(...args) !== additive.can(...args)) differ++;
    }
    // Not vacuous: the override changes some decisions of this org.
    expect(differ).toBeGreaterThan(0);
  });

  it.each(FASTEST_FORMULATIONS)('gatehouse, casbin %s and the reference agree', async (key) => {
    const engine = createEngine(snapshot);
    const ref = new ReferenceEvaluator(snapshot);
    const casbin = await buildCasbin(snapshot, formulation(key));
    const c = casbinRequests(casbin, req);
    let allowed = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < req.length; i++) {
      const args = [
        req.subject[i]!,
        req.permission[i]!,
        req.scope[i]!,
        req.environment[i],
      ] as const;
      const g = engine.can(...args);
      const r = ref.check(...args);
      const k = casbin.enforcer.enforceSync(c.sub[i], c.dom[i], c.obj[i], c.env[i]);
      if (g) allowed++;
      if (g !== r || g !== k)
        mismatches.push(`${args.join(' ')}: gatehouse ${g} ref ${r} casbin ${k}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The list mixes allowed and denied decisions.
    expect(allowed).toBeGreaterThan(req.length * 0.03);
    expect(allowed).toBeLessThan(req.length * 0.6);
  });

  it.each(FORMULATIONS.map((f) => f.key))('casbin %s agrees on 400 requests', async (key) => {
    const engine = createEngine(snapshot);
    const casbin = await buildCasbin(snapshot, formulation(key));
    const c = casbinRequests(casbin, req);
    const mismatches: number[] = [];
    for (let i = 0; i < 400; i++) {
      const g = engine.can(req.subject[i]!, req.permission[i]!, req.scope[i]!, req.environment[i]);
      if (casbin.enforcer.enforceSync(c.sub[i], c.dom[i], c.obj[i], c.env[i]) !== g)
        mismatches.push(i);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('bench:derive compares like with like (small size)', () => {
  it('after each write, the derived engine answers as a fresh build, and casbin agrees on the written subject', async () => {
    const base = generateSnapshot(small);
    const prev = createEngine(base);
    const casbin = await buildCasbin(base, formulation('domain-fn+g-only'));
    const perms = base.permissions.map((p) => p.name);
    const root = base.scopes[0]!.id;
    const rng = new Rng(11);
    let compared = 0;
    const seen = new Set<string>();
    for (let rep = 0; rep < 4; rep++) {
      for (const w of writes(base, rng, rep)) {
        const derived = deriveEngine(prev, w.snapshot, w.affected);
        const fresh = createEngine(w.snapshot);
        const ours = derived.effectivePermissions(w.subject, w.scope).sort();
        expect(ours).toEqual(fresh.effectivePermissions(w.subject, w.scope).sort());
        await w.casbin(casbin.enforcer, root);
        // casbin keeps every write: a subject written twice is compared the first time only.
        if (seen.has(w.subject)) continue;
        seen.add(w.subject);
        expect(casbinHeld(casbin.enforcer, w.subject, w.scope, perms).sort()).toEqual(ours);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(15);
  });
});
