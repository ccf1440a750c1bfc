/**
 * The scope tree, indexed: integer ids, parent links, pre/post order numbers (so "is A at or
 * below B" is two comparisons) and ids in sorted order for cursor pagination.
 */
import type { ScopeNode } from './snapshot.js';

/** Thrown when a snapshot's scopes do not form one tree. */
export class ScopeTreeError extends Error {
  override name = 'ScopeTreeError';
}

/** An indexed scope tree built from a snapshot's scope list. */
export class ScopeTree {
  /** Scope nodes by index. */
  readonly nodes: readonly ScopeNode[];
  /** Parent index per scope index, -1 for the root. */
  readonly parent: Int32Array;
  /** Index of the root scope (the organization). */
  readonly root: number;
  private readonly byId = new Map<string, number>();
  /** Pre-order number per scope index: `b` is within `a` iff pre[a] <= pre[b] < post[a]. */
  readonly pre: Int32Array;
  /** One past the last pre-order number of the scope's subtree. */
  readonly post: Int32Array;
  private readonly children: number[][];
  /** Scope indexes ordered by id, for stable cursors. */
  readonly sortedById: Int32Array;

  constructor(scopes: readonly ScopeNode[]) {
    this.nodes = scopes;
    const n = scopes.length;
    this.parent = new Int32Array(n).fill(-1);
    this.children = Array.from({ length: n }, () => []);
    scopes.forEach((s, i) => {
      if (this.byId.has(s.id)) throw new ScopeTreeError(`scope ${s.id} appears twice`);
      this.byId.set(s.id, i);
    });
    let root = -1;
    scopes.forEach((s, i) => {
      if (s.parentId === null) {
        if (root !== -1)
          throw new ScopeTreeError(`two root scopes: ${scopes[root]!.id} and ${s.id}`);
        root = i;
        return;
      }
      const p = this.byId.get(s.parentId);
      if (p === undefined)
        throw new ScopeTreeError(`scope ${s.id} has unknown parent ${s.parentId}`);
      this.parent[i] = p;
      this.children[p]!.push(i);
    });
    if (root === -1) throw new ScopeTreeError('no root scope (the organization)');
    this.root = root;
    this.pre = new Int32Array(n).fill(-1);
    this.post = new Int32Array(n);
    // Iterative DFS: deep trees must not overflow the stack.
    let clock = 0;
    const stack: Array<[number, number]> = [[root, 0]];
    this.pre[root] = clock++;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, next] = top;
      const kids = this.children[node]!;
      if (next < kids.length) {
        top[1] = next + 1;
        const child = kids[next]!;
        this.pre[child] = clock++;
        stack.push([child, 0]);
      } else {
        this.post[node] = clock;
        stack.pop();
      }
    }
    if (clock !== n) {
      const orphan = scopes.find((_, i) => this.pre[i] === -1);
      throw new ScopeTreeError(`scope ${orphan?.id} is in a cycle, not under the root`);
    }
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => (scopes[a]!.id < scopes[b]!.id ? -1 : 1));
    this.sortedById = Int32Array.from(order);
  }

  /** Index of a scope id, or undefined. */
  indexOf(id: string): number | undefined {
    return this.byId.get(id);
  }

  /** True when scope `a` is `b` or lies below it. */
  isWithin(a: number, b: number): boolean {
    return this.pre[a]! >= this.pre[b]! && this.pre[a]! < this.post[b]!;
  }

  /** The scope and its ancestors, nearest first. */
  ancestorsOf(index: number): number[] {
    const out: number[] = [];
    for (let s = index; s !== -1; s = this.parent[s]!) out.push(s);
    return out;
  }

  /** Direct children of a scope. */
  childrenOf(index: number): readonly number[] {
    return this.children[index]!;
  }

  /** Position in `sortedById` of the first scope whose id is greater than `cursor`. */
  positionAfter(cursor: string | null | undefined): number {
    if (cursor == null) return 0;
    let lo = 0;
    let hi = this.sortedById.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.nodes[this.sortedById[mid]!]!.id <= cursor) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
