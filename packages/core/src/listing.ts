/**
 * Lists (C5): the scopes where a subject has a permission, and the subjects that have a
 * permission on a scope. Both are complete and paginated by a cursor (the last id of the page);
 * nothing is ever cut off silently.
 */
import { type AccessSource, accessSources, appliesIn } from './access.js';
import type { EngineIndex } from './internal/engine-index.js';
import { envCovers, hasBit, holdsBit } from './internal/grants.js';
import type { Environment, SubjectType } from './snapshot.js';

/** One page of a list. `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Paging and environment options of the list questions. */
export interface ListOptions {
  readonly environment?: Environment | undefined;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string | null | undefined;
  /** Page size, 1–10000; default 100. */
  readonly limit?: number | undefined;
}

/** A scope in a list answer. */
export interface ScopeRef {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly parentId: string | null;
}

/** A subject that has a permission on a scope, and how (T3: "Member" vs "Inherited"). */
export interface SubjectAccess {
  readonly subjectId: string;
  readonly type: SubjectType;
  /** `direct` when some granting assignment sits on the scope itself, else `inherited`. */
  readonly membership: 'direct' | 'inherited';
  /**
   * The granting assignments (through groups too), nearest scope first: in override slots only
   * the winning ones, each naming in `overrides` what it replaced.
   */
  readonly sources: readonly AccessSource[];
}

/** Options for listing subjects: paging plus an optional subject type filter. */
export interface ListSubjectsOptions extends ListOptions {
  readonly type?: SubjectType | undefined;
}

/** Thrown for a page size out of range; the API maps it to BAD_REQUEST. */
export class ListOptionsError extends Error {
  override name = 'ListOptionsError';
}

function pageSize(limit: number | undefined): number {
  const n = limit ?? 100;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new ListOptionsError(`limit must be an integer from 1 to 10000, got ${limit}`);
  }
  return n;
}

/** Scopes (sorted by id) where the subject holds `bit`, one page after `cursor`. */
export function listScopes(
  index: EngineIndex,
  subjectId: string,
  bit: number,
  options: ListOptions,
): Page<ScopeRef> {
  const limit = pageSize(options.limit);
  const subject = index.subjects.get(subjectId);
  if (!subject?.active) return { items: [], nextCursor: null };
  const tree = index.tree;
  const items: ScopeRef[] = [];
  let more = false;
  for (let i = tree.positionAfter(options.cursor); i < tree.sortedById.length; i++) {
    const s = tree.sortedById[i]!;
    if (!holdsBit(index, subject, bit, s, options.environment)) continue;
    if (items.length === limit) {
      more = true;
      break;
    }
    const n = tree.nodes[s]!;
    items.push({ id: n.id, kind: n.kind, name: n.name, parentId: n.parentId });
  }
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

/**
 * Every subject holding `bit` at a scope (users and clients through groups as well as groups
 * themselves), sorted by id. Computed once per (scope, permission, environment) and cached on
 * the immutable index.
 */
export function allSubjectsWith(
  index: EngineIndex,
  scope: number,
  bit: number,
  environment: Environment | undefined,
): SubjectAccess[] {
  const found = new Map<string, AccessSource[]>();
  const add = (id: string) => {
    const rec = index.subjects.get(id);
    if (rec?.active && !found.has(id)) found.set(id, []);
  };
  for (const s of index.tree.ancestorsOf(scope)) {
    for (const a of index.assignmentsAt.get(s) ?? []) {
      if (!envCovers(a.environment, environment)) continue;
      if (!hasBit(index.roleMasks.get(a.roleKey)!, bit)) continue;
      add(a.subjectId);
      const holder = index.subjects.get(a.subjectId)!;
      if (holder.type === 'group' && holder.active) {
        for (const m of index.membersOf.get(a.subjectId) ?? []) add(m);
      }
    }
  }
  const out: SubjectAccess[] = [];
  for (const id of [...found.keys()].sort()) {
    const sources = accessSources(index, id, scope).filter(
      (src) => appliesIn(src, environment) && hasBit(index.roleMasks.get(src.roleKey)!, bit),
    );
    // Found through an assignment a nearer one of its override slot replaces.
    if (sources.length === 0) continue;
    out.push({
      subjectId: id,
      type: index.subjects.get(id)!.type,
      membership: sources.some((src) => !src.inherited) ? 'direct' : 'inherited',
      sources,
    });
  }
  return out;
}

/** One page of `allSubjectsWith`, filtered by type, after `cursor`. */
export function pageOfSubjects(
  all: readonly SubjectAccess[],
  options: ListSubjectsOptions,
): Page<SubjectAccess> {
  const limit = pageSize(options.limit);
  const cursor = options.cursor;
  let lo = 0;
  let hi = all.length;
  if (cursor != null) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid]!.subjectId <= cursor) lo = mid + 1;
      else hi = mid;
    }
  }
  const items: SubjectAccess[] = [];
  let more = false;
  for (let i = cursor != null ? lo : 0; i < all.length; i++) {
    const s = all[i]!;
    if (options.type && s.type !== options.type) continue;
    if (items.length === limit) {
      more = true;
      break;
    }
    items.push(s);
  }
  return { items, nextCursor: more ? items[items.length - 1]!.subjectId : null };
}
