/**
 * Issue 15: `authz.checkMany`'s answer written by decisions-json.ts is byte for byte what
 * `JSON.stringify` writes, for any decisions (shared grants, denials with any reason text) and
 * inside any tRPC answer envelope; an answer without `RawJson` is stringified as it is.
 */
import { type Decision, deny, GRANTED } from '@gatehouse/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answerJson,
  batchJson,
  CHUNK_CHARS,
  decisionsJson,
  packChunks,
  RawJson,
} from './decisions-json.js';

const decision: fc.Arbitrary<Decision> = fc.oneof(
  fc.constant(GRANTED),
  fc
    .tuple(
      fc.constantFrom('no_grant', 'unknown_subject', 'inactive_subject', 'unknown_scope' as const),
      // Any text, lone surrogates, quotes, NULs and the splice mark's look-alikes included.
      fc.oneof(fc.string({ unit: 'binary' }), fc.constant('\u0000raw-json-x\u0000'), fc.string()),
    )
    .map(([code, reason]) => deny(code, reason)),
  fc.record({ allowed: fc.boolean(), code: fc.constant('granted' as const), reason: fc.string() }),
  // Denials that only look like `deny`'s: other key orders, extra keys, codes needing escapes,
  // other value types, a prototype with `toJSON`, no prototype.
  fc
    .tuple(fc.string({ unit: 'binary' }), fc.string(), fc.anything())
    .chain(([code, reason, extra]) =>
      fc.constantFrom(
        { code, allowed: false, reason },
        { allowed: false, code, reason, extra },
        { allowed: false, code, reason: extra },
        { allowed: false, code: extra, reason },
        Object.assign(Object.create({ toJSON: () => reason }), { allowed: false, code, reason }),
        Object.assign(Object.create(null), { allowed: false, code, reason }),
      ),
    )
    .map((d) => d as unknown as Decision),
);

describe('checkMany answers written ahead (issue 15)', () => {
  it('decisionsJson is JSON.stringify, byte for byte', () => {
    fc.assert(
      fc.property(fc.array(decision, { maxLength: 60 }), (list) => {
        expect(decisionsJson(list).join('')).toBe(JSON.stringify(list));
      }),
      { numRuns: 500 },
    );
  });

  it('answerJson splices the decisions into any answer envelope exactly where they were', () => {
    fc.assert(
      fc.property(
        fc.array(decision, { maxLength: 20 }),
        fc.nat(),
        fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
        (list, revision, extra) => {
          const data = { revision, ...extra, result: list };
          const plain = { result: { type: 'data', data } };
          const raw = {
            result: { type: 'data', data: { ...data, result: new RawJson(decisionsJson(list)) } },
          };
          expect(answerJson(raw).join('')).toBe(JSON.stringify(plain));
          expect(answerJson(plain)).toEqual([JSON.stringify(plain)]);
          expect(batchJson([raw, plain]).join('')).toBe(JSON.stringify([plain, plain]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers without a RawJson (errors, other reads) are stringified as they are', () => {
    const error = { error: { json: { message: 'no', code: -32600 } } };
    expect(answerJson(error)).toEqual([JSON.stringify(error)]);
    expect(answerJson({ result: { data: null } })).toEqual(['{"result":{"data":null}}']);
    expect(answerJson({ result: { data: { result: [GRANTED] } } })).toEqual([
      JSON.stringify({ result: { data: { result: [GRANTED] } } }),
    ]);
  });

  it('a long answer stays in pieces under the size V8 gives pages of their own', () => {
    const denials = Array.from({ length: 5_000 }, (_, i) =>
      deny('no_grant', `usr_${i} has no role granting workflows.write on scp_${i} or above`),
    );
    const answer = {
      result: { data: { revision: 7, result: new RawJson(decisionsJson(denials)) } },
    };
    const pieces = packChunks(batchJson([answer]));
    const text = JSON.stringify([{ result: { data: { revision: 7, result: denials } } }]);
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(text.length / CHUNK_CHARS));
    const longestDecision = Math.max(...denials.map((d) => JSON.stringify(d).length));
    for (const piece of pieces) expect(piece.length).toBeLessThan(CHUNK_CHARS + longestDecision);
  });

  it('packs a small answer into one string, and pieces in order', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20_000 }), { maxLength: 12 }), (chunks) => {
        const packed = packChunks(chunks);
        expect(packed.join('')).toBe(chunks.join(''));
        if (chunks.join('').length <= CHUNK_CHARS) expect(packed.length).toBeLessThanOrEqual(1);
        for (const piece of packed) {
          if (piece.length > CHUNK_CHARS) expect(chunks).toContain(piece);
        }
      }),
      { numRuns: 200 },
    );
  });
});
