/**
 * The hot path: does a subject hold a permission bit at a scope (or above it) in an environment?
 */

import type { Environment } from '../snapshot.js';
import { type EngineIndex, envSlot, type SubjectRecord } from './engine-index.js';
import { resolvedBit, resolvedMask } from './override.js';

/**
 * True when the subject's folded grants include `bit` at `scope` or any ancestor, for the
 * environment (`undefined`: grants for both environments only). A record an override slot
 * reaches reads its resolved grants instead (./override.ts).
 */
export function holdsBit(
  index: EngineIndex,
  subject: SubjectRecord,
  bit: number,
  scope: number,
  environment: Environment | null | undefined,
): boolean {
  if (subject.resolved) return resolvedBit(index, subject, bit, scope, environment);
  const words = index.words;
  const word = bit >>> 5;
  const flag = 1 << (bit & 31);
  const envOffset = envSlot(environment) * words + word;
  const checkEnv = envOffset !== word;
  if (subject.start >= 0) {
    // Packed scan: is the scope inside one of the subject's grant scopes, with the bit set?
    const entries = index.entries;
    const stride = index.stride;
    const pre = index.tree.pre[scope]!;
    for (let e = subject.start * stride, end = subject.end * stride; e < end; e += stride) {
      if (pre < entries[e]! || pre >= entries[e + 1]!) continue;
      if ((entries[e + 2 + word]! & flag) !== 0) return true;
      if (checkEnv && (entries[e + 2 + envOffset]! & flag) !== 0) return true;
    }
    return false;
  }
  const masks = index.masks;
  const parent = index.tree.parent;
  const grants = subject.grants;
  for (let s = scope; s !== -1; s = parent[s]!) {
    const offset = grants.get(s);
    if (offset === undefined) continue;
    if ((masks[offset + word]! & flag) !== 0) return true;
    if (checkEnv && (masks[offset + envOffset]! & flag) !== 0) return true;
  }
  return false;
}

/**
 * The packed scan on its own: entries [start, start + count) of `index.entries`, for the
 * allocation-free `Engine.can` hot path (additive records; resolved ones go through `holdsBit`).
 */
export function scanBit(
  index: EngineIndex,
  start: number,
  count: number,
  bit: number,
  scope: number,
  environment: Environment | null | undefined,
): boolean {
  const entries = index.entries;
  const stride = index.stride;
  const word = bit >>> 5;
  const flag = 1 << (bit & 31);
  const env = envSlot(environment);
  const envWord = 2 + env * index.words + word;
  const pre = index.tree.pre[scope]!;
  for (let e = start * stride, end = (start + count) * stride; e < end; e += stride) {
    if (pre < entries[e]! || pre >= entries[e + 1]!) continue;
    if ((entries[e + 2 + word]! & flag) !== 0) return true;
    if (env !== 0 && (entries[e + envWord]! & flag) !== 0) return true;
  }
  return false;
}

/**
 * Everything a subject holds at a scope for an environment, as a bitset: the union of its grants
 * at the scope and above, override slots resolved.
 */
export function effectiveMask(
  index: EngineIndex,
  subject: SubjectRecord,
  scope: number,
  environment: Environment | null | undefined,
): Uint32Array {
  if (subject.resolved) return resolvedMask(index, subject, scope, environment);
  const words = index.words;
  const out = new Uint32Array(words);
  const env = envSlot(environment);
  for (let s = scope; s !== -1; s = index.tree.parent[s]!) {
    const offset = subject.grants.get(s);
    if (offset === undefined) continue;
    for (let w = 0; w < words; w++) {
      out[w]! |= index.masks[offset + w]!;
      if (env !== 0) out[w]! |= index.masks[offset + env * words + w]!;
    }
  }
  return out;
}

/** True when bit `bit` is set in a bitset. */
export function hasBit(mask: Uint32Array, bit: number): boolean {
  return (mask[bit >>> 5]! & (1 << (bit & 31))) !== 0;
}

/** True when an assignment's environment covers the asked one (`undefined` asks for both). */
export function envCovers(
  assigned: Environment | null,
  asked: Environment | null | undefined,
): boolean {
  return assigned === null || assigned === asked;
}
