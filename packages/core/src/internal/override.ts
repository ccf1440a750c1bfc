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

/** Per check environment: does an assignment for `env` grant in it (covers) / take part in it. */
const COVERS: ReadonlyArray<(env: Environment | null) => boolean> = [
  (env) => env === null,
  (env) => env === null || env === 'live',
  (env) => env === null || env === 'sandbox',
];
const TAKES_PART: ReadonlyArray<(env: Environment | null) => boolean> = [
  () => true,
  COVERS[1]!,
  COVERS[2]!,
];

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
  if (index.overrideSlotOf.size === 0) return false;
  const bySlot = new Map<string, number[]>();
  for (const list of lists) {
    for (const a of list) {
      const slot = index.overrideSlotOf.get(a.roleKey);
      if (slot === undefined) continue;
      const s = index.tree.indexOf(a.scopeId)!;
      const seen = bySlot.get(slot);
      if (!seen) {
        bySlot.set(slot, [s]);
        continue;
      }
      for (const t of seen) {
        if (t !== s && (index.tree.isWithin(s, t) || index.tree.isWithin(t, s))) return true;
      }
      seen.push(s);
    }
  }
  return false;
}

/** What a subject holds at a grant scope, before the override slots are united. */
interface State {
  /** ENV_SLOTS × words: additive grants from the scope and above. */
  readonly additive: Uint32Array;
  /** Per override slot, ENV_SLOTS × words: the grants of its nearest assignments. */
  readonly slots: Map<string, Uint32Array>;
}

/**
 * Rewrites `rec`'s masks (one per grant scope, already allocated by folding) as resolved ones
 * from `lists` (every assignment reaching it: own and active groups'), orders its grant scopes
 * deepest first and marks it resolved. Its grant scopes are exactly those of the assignments.
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
  const { tree, words } = index;
  const size = ENV_SLOTS * words;
  const at = new Map<number, Array<(typeof lists)[number][number]>>();
  for (const list of lists) {
    for (const a of list) {
      const s = tree.indexOf(a.scopeId)!;
      const here = at.get(s);
      if (here) here.push(a);
      else at.set(s, [a]);
    }
  }
  const scopes = [...rec.grants.keys()].sort((x, y) => tree.pre[x]! - tree.pre[y]!);
  const top: State = { additive: new Uint32Array(size), slots: new Map<string, Uint32Array>() };
  const stack: Array<[number, State]> = [];
  for (const s of scopes) {
    while (stack.length > 0 && !tree.isWithin(s, stack[stack.length - 1]![0])) stack.pop();
    const parent = stack.length > 0 ? stack[stack.length - 1]![1] : top;
    const additive = parent.additive.slice();
    const placed = new Map<string, { mask: Uint32Array; part: boolean[] }>();
    for (const a of at.get(s) ?? []) {
      const mask = index.roleMasks.get(a.roleKey)!;
      const slot = index.overrideSlotOf.get(a.roleKey);
      let target: Uint32Array = additive;
      if (slot !== undefined) {
        let p = placed.get(slot);
        if (!p) {
          p = { mask: new Uint32Array(size), part: [false, false, false] };
          placed.set(slot, p);
        }
        for (let m = 0; m < ENV_SLOTS; m++) if (TAKES_PART[m]!(a.environment)) p.part[m] = true;
        target = p.mask;
      }
      for (let m = 0; m < ENV_SLOTS; m++) {
        if (!COVERS[m]!(a.environment)) continue;
        for (let w = 0; w < words; w++) target[m * words + w]! |= mask[w]!;
      }
    }
    let slots: Map<string, Uint32Array> = parent.slots;
    if (placed.size > 0) {
      slots = new Map(parent.slots);
      for (const [slot, p] of placed) {
        const next: Uint32Array = parent.slots.get(slot)?.slice() ?? new Uint32Array(size);
        for (let m = 0; m < ENV_SLOTS; m++) {
          if (p.part[m]) next.set(p.mask.subarray(m * words, (m + 1) * words), m * words);
        }
        slots.set(slot, next);
      }
    }
    const state: State = { additive, slots };
    stack.push([s, state]);
    const offset = rec.grants.get(s)!;
    const out = index.masks;
    for (let i = 0; i < size; i++) {
      let v = additive[i]!;
      for (const m of slots.values()) v |= m[i]!;
      out[offset + i] = v;
    }
  }
  const deepestFirst = scopes.reverse().map((s) => [s, rec.grants.get(s)!] as const);
  rec.grants.clear();
  for (const [s, offset] of deepestFirst) rec.grants.set(s, offset);
  rec.resolved = true;
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
