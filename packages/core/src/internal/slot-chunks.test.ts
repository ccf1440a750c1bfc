/**
 * Issue 15, chunked per-slot arrays: along random trees of versions (each forked from any earlier
 * one, then written at slots across several 4,096-slot chunks), every version reads exactly as a
 * plain array model of it, before and after its descendants were written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodeChunks, SlotChunks } from './slot-chunks.js';

const RUNS = Math.max(20, Math.round(Number(process.env.PROP_RUNS ?? 200) / 4));

const versionSpec = fc.record({
  initial: fc.nat(9_000),
  steps: fc.array(
    fc.record({
      from: fc.nat(),
      writes: fc.array(fc.tuple(fc.nat(13_000), fc.integer({ min: -1, max: 1_000 })), {
        maxLength: 6,
      }),
    }),
    { minLength: 1, maxLength: 12 },
  ),
});

/** Slots read back: each chunk's first and last, the written ones, and past the end. */
function probes(written: number[]): number[] {
  const out = new Set([0, 4_095, 4_096, 8_191, 8_192, 12_287, 12_288, 13_001, 20_000]);
  for (const s of written) for (const d of [-1, 0, 1]) if (s + d >= 0) out.add(s + d);
  return [...out];
}

describe('chunked per-slot arrays (issue 15)', () => {
  it('every forked version of SlotChunks reads as its own array model', () => {
    fc.assert(
      fc.property(versionSpec, ({ initial, steps }) => {
        const start = Array.from({ length: initial }, (_, i) => (i % 7 === 0 ? undefined : i));
        const versions = [SlotChunks.of<number>(start)];
        const models = [start.slice() as Array<number | undefined>];
        const written: number[] = [];
        for (const { from, writes } of steps) {
          const k = from % versions.length;
          const next = versions[k]!.fork();
          const model = models[k]!.slice();
          for (const [slot, value] of writes) {
            const v = value < 0 ? undefined : value;
            next.set(slot, v);
            model[slot] = v;
            written.push(slot);
          }
          versions.push(next);
          models.push(model);
        }
        versions.forEach((v, i) => {
          for (const slot of probes(written)) expect(v.get(slot)).toBe(models[i]![slot]);
          expect([...v.values()]).toEqual(models[i]!.filter((x) => x !== undefined));
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('every forked version of CodeChunks reads as its own model (-1 or undefined: no subject)', () => {
    fc.assert(
      fc.property(versionSpec, ({ initial, steps }) => {
        const versions = [CodeChunks.empty(initial)];
        const models = [new Map<number, number>()];
        const written: number[] = [];
        for (const { from, writes } of steps) {
          const k = from % versions.length;
          const next = versions[k]!.fork();
          const model = new Map(models[k]!);
          for (const [slot, code] of writes) {
            next.set(slot, code);
            model.set(slot, code);
            written.push(slot);
          }
          versions.push(next);
          models.push(model);
        }
        versions.forEach((v, i) => {
          for (const slot of probes(written)) {
            const want = models[i]!.get(slot);
            const got = v.get(slot);
            if (want === undefined) expect(got === undefined || got === -1).toBe(true);
            else expect(got).toBe(want);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('a fork writing past the end of a small table leaves the original as it was', () => {
    const codes = CodeChunks.empty(100);
    const derived = codes.fork();
    derived.set(100, 5);
    expect(codes.get(100)).toBeUndefined();
    expect(derived.get(100)).toBe(5);
    expect(derived.get(99)).toBe(-1);
    expect(derived.get(4_000)).toBeUndefined();
  });
});
