/**
 * Override slots in the index (semantics in ../inheritance.ts). A subject with two assignments of
 * one override slot at nested scopes (own or through groups) is "resolved": instead of per-scope
 * folds ORed along the ancestors, each of
 * its grant scopes holds, per check environment (0 none, 1 live, 2 sandbox), everything the
 * subject holds there — additive grants from the scope and above, and per override slot the
 * grants of its nearest assignments. Between a grant scope and the scopes below it (down to the
 * next grant scope) nothing is placed, so a check at any scope reads the deepest grant scope
 * containing it; entries are kept deepest first, so that is the first containing one.
 * Every other subject keeps the additive layout and its hot path, untouched: without such a
 * pair, nearest-wins and stacking give the same answers.
 */
import type { Environment } from '../snapshot.js';
import { ENV_SLOTS, type EngineIndex, envSlot, type SubjectRecord } from './engine-index.js';

/**
 * True when `lists` (every assignment reaching a subject) hold two assignments of one override
 * slot at distinct scopes, one above the other: only then does the nearest one replace another
 * anywhere. Otherwise the additive fold answers exactly as override would (each scope sees at
 * most one scope's assignments of each override slot), and the record keeps the packed path.
 */
export function overrideNests(
  index: EngineIndex,
  lists: readonly (readonly { scopeId: string; roleKey: string }[])[],
): boolean {
  if (index.overrideSlots === 0) return false;
  const seen: Array<[slot: number, scope: number]> = [];
  for (const list of lists) {
    for (const a of list) {
      const slot = index.overrideSlotOf.get(a.roleKey);
      if (slot === undefined) continue;
      const s = index.tree.indexOf(a.scopeId)!;
      for (const [l, t] of seen) {
        if (l === slot && t !== s && (index.tree.isWithin(s, t) || index.tree.isWithin(t, s))) {
          return true;
        }
      }
      seen.push([slot, s]);
    }
  }
  return false;
}

/** Does an assignment for `env` grant in check environment `m` (0 none, 1 live, 2 sandbox)? */
function covers(env: Environment | null, m: number): boolean {
  return env === null || (m === 1 ? env === 'live' : m === 2 && env === 'sandbox');
}

/** Does it take part there (override slots): any for a check without one, else as `covers`. */
function takesPart(env: Environment | null, m: number): boolean {
  return m === 0 || covers(env, m);
}

/**
 * Rewrites `rec`'s masks (one per grant scope, already allocated by folding) as resolved ones
 * from `lists` (every assignment reaching it: own and active groups'), orders its grant scopes
 * deepest first and marks it resolved. Its grant scopes are exactly those of the assignments.
 * Per grant scope S and check environment m: every additive assignment at S or above that
 * covers m, and per override slot the ones that cover m at the nearest scope (S or above)
 * holding one of the slot that takes part in m. A subject has a few assignments, so each grant
 * scope simply looks at all of them.
 */
export function resolveGrants(
  index: EngineIndex,
  rec: SubjectRecord,
  lists: readonly (readonly {
    scopeId: string;
    roleKey: string;
    environment: Environment | null;
  }[])[],
): void {
  const { tree, words, masks } = index;
  const pre = tree.pre;
  const all = lists.flat();
  const scopeOf = all.map((a) => tree.indexOf(a.scopeId)!);
  const slotOf = all.map((a) => index.overrideSlotOf.get(a.roleKey) ?? -1);
  const maskOf = all.map((a) => index.roleMasks.get(a.roleKey)!);
  // Per override slot and check environment: the pre-order number of the nearest scope.
  const nearest = new Int32Array(index.overrideSlots * ENV_SLOTS);
  for (const [s, offset] of rec.grants) {
    masks.fill(0, offset, offset + ENV_SLOTS * words);
    nearest.fill(-1);
    for (let i = 0; i < all.length; i++) {
      const t = scopeOf[i]!;
      if (!tree.isWithin(s, t)) continue;
      const env = all[i]!.environment;
      const slot = slotOf[i]!;
      for (let m = 0; m < ENV_SLOTS; m++) {
        if (slot >= 0) {
          const k = slot * ENV_SLOTS + m;
          if (takesPart(env, m) && pre[t]! > nearest[k]!) nearest[k] = pre[t]!;
        } else if (covers(env, m)) {
          orInto(masks, offset + m * words, maskOf[i]!, words);
        }
      }
    }
    for (let i = 0; i < all.length; i++) {
      const slot = slotOf[i]!;
      const t = scopeOf[i]!;
      if (slot < 0 || !tree.isWithin(s, t)) continue;
      const env = all[i]!.environment;
      for (let m = 0; m < ENV_SLOTS; m++) {
        if (pre[t] === nearest[slot * ENV_SLOTS + m] && covers(env, m)) {
          orInto(masks, offset + m * words, maskOf[i]!, words);
        }
      }
    }
  }
  const deepestFirst = [...rec.grants].sort(([x], [y]) => pre[y]! - pre[x]!);
  rec.grants.clear();
  for (const [s, offset] of deepestFirst) rec.grants.set(s, offset);
  rec.resolved = true;
}

function orInto(out: Uint32Array, at: number, mask: Uint32Array, words: number): void {
  for (let w = 0; w < words; w++) out[at + w]! |= mask[w]!;
}

/**
 * `holdsBit` for a resolved record: the bit in the check environment's mask of the deepest grant
 * scope containing `scope` (the packed entries are deepest first: the first containing one).
 */
export function resolvedBit(
  index: EngineIndex,
  rec: SubjectRecord,
  bit: number,
  scope: number,
  environment: Environment | null | undefined,
): boolean {
  const at = envSlot(environment) * index.words + (bit >>> 5);
  const flag = 1 << (bit & 31);
  if (rec.start >= 0) {
    const { entries, stride } = index;
    const pre = index.tree.pre[scope]!;
    for (let e = rec.start * stride, end = rec.end * stride; e < end; e += stride) {
      if (pre < entries[e]! || pre >= entries[e + 1]!) continue;
      return (entries[e + 2 + at]! & flag) !== 0;
    }
    return false;
  }
  const parent = index.tree.parent;
  for (let s = scope; s !== -1; s = parent[s]!) {
    const offset = rec.grants.get(s);
    if (offset !== undefined) return (index.masks[offset + at]! & flag) !== 0;
  }
  return false;
}

/** `effectiveMask` for a resolved record: a copy of the deepest containing scope's mask. */
export function resolvedMask(
  index: EngineIndex,
  rec: SubjectRecord,
  scope: number,
  environment: Environment | null | undefined,
): Uint32Array {
  const words = index.words;
  const out = new Uint32Array(words);
  const parent = index.tree.parent;
  for (let s = scope; s !== -1; s = parent[s]!) {
    const offset = rec.grants.get(s);
    if (offset === undefined) continue;
    const from = offset + envSlot(environment) * words;
    out.set(index.masks.subarray(from, from + words));
    break;
  }
  return out;
}
