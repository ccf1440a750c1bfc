/**
 * Where a subject's access at a scope comes from: each assignment that reaches it, directly or
 * through a group, placed at the scope itself or inherited from above (T3, C3), and in override
 * slots which of them win (./inheritance.ts).
 */
import { takesPart } from './inheritance.js';
import type { EngineIndex } from './internal/engine-index.js';
import { envCovers } from './internal/grants.js';
import type { Environment } from './snapshot.js';

/** Another assignment an `AccessSource` names: one it overrides, or one that overrides it. */
export interface AssignmentRef {
  readonly assignmentId: string;
  readonly roleKey: string;
  readonly scopeId: string;
  readonly environment: Environment | null;
  readonly viaGroup: string | null;
}

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
  /**
   * Override slots only (`Preset.inheritance`), present when not empty: the assignments of the
   * same slot placed nearer the scope that replace this one here, in the environments both
   * cover. It applies in no check they take part in (see `appliesIn`).
   */
  readonly overriddenBy?: readonly AssignmentRef[];
  /**
   * Override slots only, present when not empty: the farther assignments of the same slot this
   * one (with the others at its scope) replaces here, in the environments both cover.
   */
  readonly overrides?: readonly AssignmentRef[];
}

/**
 * True when a source applies to a check in `environment` (`undefined`: none, what holds in
 * both): its environment covers the check's, and no nearer assignment of its override slot
 * takes part in that check.
 *
 * @example
 * engine.accessAt('usr_1', 'sub_eu').filter((s) => appliesIn(s, 'live'));
 */
export function appliesIn(source: AccessSource, environment: Environment | undefined): boolean {
  if (!envCovers(source.environment, environment)) return false;
  return !source.overriddenBy?.some((o) => takesPart(o.environment, environment));
}

/**
 * Every assignment that reaches `subjectId` at scope index `scope`, nearest scope first, own
 * assignments before group ones, in any environment; in override slots, each names the
 * assignments it overrides or is overridden by. Group assignments count only while the group is
 * active.
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
  return index.overrideSlotOf.size === 0 ? out : withOverrides(index, out);
}

/** The sources with `overriddenBy` / `overrides` filled in for those in override slots. */
function withOverrides(index: EngineIndex, sources: AccessSource[]): AccessSource[] {
  const slotOf = (s: AccessSource) => index.overrideSlotOf.get(s.roleKey);
  const overlap = (a: AccessSource, b: AccessSource) =>
    a.environment === null || b.environment === null || a.environment === b.environment;
  const ref = (s: AccessSource): AssignmentRef => ({
    assignmentId: s.assignmentId,
    roleKey: s.roleKey,
    scopeId: s.scopeId,
    environment: s.environment,
    viaGroup: s.viaGroup,
  });
  return sources.map((s) => {
    const slot = slotOf(s);
    if (slot === undefined) return s;
    const related = sources.filter(
      (o) => o.scopeId !== s.scopeId && slotOf(o) === slot && overlap(o, s),
    );
    // Sources are nearest first, so those before `s` (at other scopes) are nearer.
    const nearer = related.filter((o) => sources.indexOf(o) < sources.indexOf(s)).map(ref);
    const farther = related.filter((o) => sources.indexOf(o) > sources.indexOf(s)).map(ref);
    return {
      ...s,
      ...(nearer.length > 0 ? { overriddenBy: nearer } : {}),
      ...(farther.length > 0 ? { overrides: farther } : {}),
    };
  });
}
