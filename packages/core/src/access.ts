/**
 * Where a subject's access at a scope comes from: each assignment that reaches it, directly or
 * through a group, placed at the scope itself or inherited from above (T3, C3).
 */
import type { EngineIndex } from './internal/engine-index.js';
import type { Environment } from './snapshot.js';

/** One assignment that reaches a subject at a scope. */
export interface AccessSource {
  readonly assignmentId: string;
  readonly roleKey: string;
  /** Where the assignment is placed: the scope asked about, or an ancestor. */
  readonly scopeId: string;
  readonly environment: Environment | null;
  /** The group the subject holds it through, or null for its own assignment. */
  readonly viaGroup: string | null;
  /** True when placed at an ancestor ("Inherited"); false at the scope itself ("Member"). */
  readonly inherited: boolean;
}

/**
 * Every assignment that reaches `subjectId` at scope index `scope`, nearest scope first, own
 * assignments before group ones. Group assignments count only while the group is active.
 */
export function accessSources(
  index: EngineIndex,
  subjectId: string,
  scope: number,
): AccessSource[] {
  const out: AccessSource[] = [];
  const holders: Array<[string, string | null]> = [[subjectId, null]];
  for (const g of index.groupsOf.get(subjectId) ?? []) {
    if (index.subjects.get(g)?.active) holders.push([g, g]);
  }
  for (const s of index.tree.ancestorsOf(scope)) {
    for (const [holder, viaGroup] of holders) {
      for (const a of index.assignmentsOf.get(holder) ?? []) {
        if (index.tree.indexOf(a.scopeId) !== s) continue;
        out.push({
          assignmentId: a.id,
          roleKey: a.roleKey,
          scopeId: a.scopeId,
          environment: a.environment,
          viaGroup,
          inherited: s !== scope,
        });
      }
    }
  }
  return out;
}
