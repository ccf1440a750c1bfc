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
 * themselves), sorted by id. The candidates (holders of a granting assignment on the scope's
 * path, and the members of such groups) are found and sorted once; a subject's sources are
 * worked out only when a page reaches it, so a first page costs its own subjects' sources, not
 * every holder's (issue 15). Kept per (scope, permission, environment) on the immutable index.
 */
export class SubjectList {
  /** Candidate ids, sorted; a candidate whose every source is overridden is skipped. */
  readonly ids: readonly string[];
  private readonly resolved = new Map<string, SubjectAccess | null>();

  constructor(
    private readonly index: EngineIndex,
    private readonly scope: number,
    private readonly bit: number,
    private readonly environment: Environment | undefined,
  ) {
    const found = new Set<string>();
    const add = (id: string) => {
      if (index.subjects.get(id)?.active) found.add(id);
    };
    for (const s of index.tree.ancestorsOf(scope)) {
      for (const a of index.assignmentsAt.live(s, index.assignmentsOf)) {
        if (!envCovers(a.environment, environment)) continue;
        if (!hasBit(index.roleMasks.get(a.roleKey)!, bit)) continue;
        add(a.subjectId);
        const holder = index.subjects.get(a.subjectId)!;
        if (holder.type === 'group' && holder.active) {
          for (const m of index.members(a.subjectId)) add(m);
        }
      }
    }
    this.ids = [...found].sort();
  }

  /** The candidate's access, or null when a nearer assignment of its slot replaces every source. */
  access(id: string): SubjectAccess | null {
    let access = this.resolved.get(id);
    if (access !== undefined) return access;
    const { index, scope, bit, environment } = this;
    const sources = accessSources(index, id, scope).filter(
      (src) => appliesIn(src, environment) && hasBit(index.roleMasks.get(src.roleKey)!, bit),
    );
    access =
      sources.length === 0
        ? null
        : {
            subjectId: id,
            type: index.subjects.get(id)!.type,
            membership: sources.some((src) => !src.inherited) ? 'direct' : 'inherited',
            sources,
          };
    this.resolved.set(id, access);
    return access;
  }

  /** The candidate's type, known without its sources. */
  typeOf(id: string): SubjectType {
    return this.index.subjects.get(id)!.type;
  }
}

/** One page of a `SubjectList` (none: the empty list), filtered by type, after `cursor`. */
export function pageOfSubjects(
  list: SubjectList | null,
  options: ListSubjectsOptions,
): Page<SubjectAccess> {
  const limit = pageSize(options.limit);
  if (!list) return { items: [], nextCursor: null };
  const ids = list.ids;
  const cursor = options.cursor;
  let lo = 0;
  let hi = ids.length;
  if (cursor != null) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! <= cursor) lo = mid + 1;
      else hi = mid;
    }
  }
  const items: SubjectAccess[] = [];
  let more = false;
  for (let i = cursor != null ? lo : 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (options.type && list.typeOf(id) !== options.type) continue;
    const access = list.access(id);
    if (!access) continue;
    if (items.length === limit) {
      more = true;
      break;
    }
    items.push(access);
  }
  return { items, nextCursor: more ? items[items.length - 1]!.subjectId : null };
}
