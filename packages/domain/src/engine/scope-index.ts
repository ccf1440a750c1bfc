/**
 * Tree questions the directory asks about an engine's scopes (ancestors, "is below", subtree
 * sizes), built once per engine and cached beside it: an engine is immutable, so is this.
 */
import type { Engine } from '@gatehouse/core';

interface Node {
  readonly id: string;
  readonly parentId: string | null;
  readonly kind: string;
  readonly name: string;
}

/** Scope lookups over one engine's snapshot. */
export class ScopeIndex {
  private readonly nodes = new Map<string, Node>();
  private readonly sizes = new Map<string, number>();

  constructor(engine: Engine) {
    for (const s of engine.snapshot.scopes) this.nodes.set(s.id, s);
    // Subtree sizes: each scope adds one to itself and every ancestor.
    for (const s of engine.snapshot.scopes) {
      let cur: string | null = s.id;
      while (cur !== null) {
        this.sizes.set(cur, (this.sizes.get(cur) ?? 0) + 1);
        cur = this.nodes.get(cur)?.parentId ?? null;
      }
    }
  }

  /** The scope, if it exists. */
  get(id: string): Node | undefined {
    return this.nodes.get(id);
  }

  /** The scope and its ancestors, nearest first. */
  ancestorsOrSelf(id: string): string[] {
    const out: string[] = [];
    let cur: string | null = id;
    while (cur !== null && this.nodes.has(cur)) {
      out.push(cur);
      cur = this.nodes.get(cur)!.parentId;
    }
    return out;
  }

  /** True when `id` lies strictly below `ancestor`. */
  isBelow(id: string, ancestor: string): boolean {
    let cur = this.nodes.get(id)?.parentId ?? null;
    while (cur !== null) {
      if (cur === ancestor) return true;
      cur = this.nodes.get(cur)?.parentId ?? null;
    }
    return false;
  }

  /** The scope and everything below it, counted. */
  subtreeSize(id: string): number {
    return this.sizes.get(id) ?? 0;
  }

  /** The scopes of `ids` that are not below another one of `ids` (the roots of their reach). */
  topmost(ids: Iterable<string>): string[] {
    const set = new Set([...ids].filter((id) => this.nodes.has(id)));
    return [...set].filter((id) => !this.ancestorsOrSelf(id).some((a) => a !== id && set.has(a)));
  }
}

const cache = new WeakMap<Engine, ScopeIndex>();

/** The engine's scope index (built on first use). */
export function scopeIndex(engine: Engine): ScopeIndex {
  let idx = cache.get(engine);
  if (!idx) {
    idx = new ScopeIndex(engine);
    cache.set(engine, idx);
  }
  return idx;
}
