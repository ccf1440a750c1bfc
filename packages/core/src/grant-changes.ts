/**
 * What a change of state did to one subject's access, and whether an actor stands above a
 * subject: the two questions behind "no escalation, by any write" (R6 and M7, generalized from
 * single assignments to any change between two engines of one org).
 */
import type { Engine } from './engine.js';
import { engineIndex } from './engine.js';
import type { EngineIndex, SubjectRecord } from './internal/engine-index.js';
import { effectiveMask, hasBit } from './internal/grants.js';
import type { Environment } from './snapshot.js';

/** Environment selectors a grant can be placed for: both (null), live, sandbox. */
const SELECTORS: ReadonlyArray<Environment | null> = [null, 'live', 'sandbox'];

/** Where one subject's effective permissions grew between two engines. */
export interface GrantGain {
  readonly subject: string;
  readonly scopeId: string;
  /** The checks affected: null for checks without an environment (both), else one environment. */
  readonly environment: Environment | null;
  /**
   * The scope of `before` the gain is measured against: `scopeId` itself, or for a scope new in
   * `after` its nearest ancestor that `before` knows.
   */
  readonly baseScopeId: string;
  /** Held after, not before. */
  readonly gained: readonly string[];
}

/** An assignment that reached a subject before and no longer does (revoked, left, limited). */
export interface LostGrant {
  readonly subject: string;
  readonly assignmentId: string;
  /** The group it came through, or null for the subject's own assignment. */
  readonly viaGroup: string | null;
  readonly roleKey: string;
  /** Where it was placed (a scope of `before`). */
  readonly scopeId: string;
  readonly environment: Environment | null;
}

/**
 * Every scope where `subject`'s effective permissions grew between `before` and `after` (two
 * engines of one org), per environment selector. Scopes are those where the subject has grants
 * placed after the change (with an override slot, before it as well): a gain anywhere shows
 * there. A scope new in `after` is compared with
 * what the subject held at its nearest existing ancestor. A deactivated or removed subject
 * holds nothing.
 */
export function grantGains(before: Engine, after: Engine, subject: string): GrantGain[] {
  const b = engineIndex(before);
  const a = engineIndex(after);
  const recA = activeRecord(a, subject);
  if (!recA) return [];
  const recB = activeRecord(b, subject);
  const out: GrantGain[] = [];
  for (const sa of gainScopes(b, a, recB, recA)) {
    const sb = nearestIn(b, a, sa);
    if (sb === undefined) continue;
    for (const environment of SELECTORS) {
      const held = namesOf(b, recB, sb, environment);
      const gained = [...namesOf(a, recA, sa, environment)].filter((p) => !held.has(p));
      if (gained.length > 0) {
        out.push({
          subject,
          scopeId: a.tree.nodes[sa]!.id,
          environment,
          baseScopeId: b.tree.nodes[sb]!.id,
          gained,
        });
      }
    }
  }
  return out;
}

/**
 * The assignments that reached `subject` in `before` (its own, and its active groups') and do
 * not reach it in `after`: each is a change made to the subject where it was placed, whether
 * or not another assignment still grants the same permissions there.
 */
export function lostGrants(before: Engine, after: Engine, subject: string): LostGrant[] {
  const was = grantPaths(engineIndex(before), subject);
  if (was.size === 0) return [];
  const now = grantPaths(engineIndex(after), subject);
  return [...was].filter(([key]) => !now.has(key)).map(([, lost]) => lost);
}

function grantPaths(index: EngineIndex, subject: string): Map<string, LostGrant> {
  const out = new Map<string, LostGrant>();
  if (!activeRecord(index, subject)) return out;
  const add = (holder: string, viaGroup: string | null) => {
    for (const a of index.assignmentsOf.get(holder) ?? []) {
      out.set(`${a.id}\u0000${viaGroup ?? ''}`, {
        subject,
        assignmentId: a.id,
        viaGroup,
        roleKey: a.roleKey,
        scopeId: a.scopeId,
        environment: a.environment,
      });
    }
  };
  add(subject, null);
  for (const g of index.groupsOf.get(subject) ?? []) {
    if (index.subjects.get(g)?.active) add(g, g);
  }
  return out;
}

/** The permissions `subject` holds at `scopeId` for the environment selector (catalog order). */
export function heldPermissions(
  engine: Engine,
  subject: string,
  scopeId: string,
  environment: Environment | null,
): string[] {
  const index = engineIndex(engine);
  return [
    ...namesOf(index, activeRecord(index, subject), index.tree.indexOf(scopeId), environment),
  ];
}

/**
 * The permissions among `permissions` that `actor` does not hold at `scopeId` for the
 * environment selector (null: for checks without one, which count only grants for both).
 * Everything is missing for an unknown scope or an inactive actor.
 */
export function missingPermissions(
  engine: Engine,
  actor: string,
  scopeId: string,
  environment: Environment | null,
  permissions: Iterable<string>,
): string[] {
  const index = engineIndex(engine);
  const scope = index.tree.indexOf(scopeId);
  const held = namesOf(index, activeRecord(index, actor), scope, environment);
  return [...permissions].filter((p) => !held.has(p));
}

/** Where an actor fails to stand above a subject: a scope, an environment, what it lacks. */
export interface RankGap {
  readonly scopeId: string;
  readonly environment: Environment | null;
  readonly missing: readonly string[];
}

/**
 * The first place `subject` holds something `actor` does not (at the org root and at every
 * scope where the subject has grants placed, in every environment), or null when the actor
 * holds everything the subject holds everywhere: the actor outranks or equals the subject.
 */
export function rankGap(engine: Engine, actor: string, subject: string): RankGap | null {
  const index = engineIndex(engine);
  const target = activeRecord(index, subject);
  if (!target) return null;
  const self = activeRecord(index, actor);
  const scopes = new Set<number>([index.tree.root, ...target.grants.keys()]);
  // An override slot can narrow the actor below its own grant scopes: look there too.
  if (self?.resolved) for (const s of self.grants.keys()) scopes.add(s);
  for (const scope of scopes) {
    for (const environment of SELECTORS) {
      const held = namesOf(index, self, scope, environment);
      const missing = [...namesOf(index, target, scope, environment)].filter((p) => !held.has(p));
      if (missing.length > 0) {
        return { scopeId: index.tree.nodes[scope]!.id, environment, missing };
      }
    }
  }
  return null;
}

/**
 * `subjects`, plus the members of every group among them (a group's access is its members'
 * access).
 */
export function withGroupMembers(engine: Engine, subjects: Iterable<string>): Set<string> {
  const index = engineIndex(engine);
  const out = new Set<string>();
  for (const id of subjects) {
    out.add(id);
    if (index.subjects.get(id)?.type !== 'group') continue;
    for (const m of index.members(id)) out.add(m);
  }
  return out;
}

/**
 * The scopes of `a` where a gain would show: the subject's grant scopes after. With an override
 * slot (before or after) a revoked nearer assignment can widen what the subject holds where it
 * no longer has one, so its grant scopes before (those `a` still has) count too.
 */
function gainScopes(
  b: EngineIndex,
  a: EngineIndex,
  recB: SubjectRecord | undefined,
  recA: SubjectRecord,
): Iterable<number> {
  if (!recA.resolved && !recB?.resolved) return recA.grants.keys();
  const out = new Set(recA.grants.keys());
  for (const sb of recB?.grants.keys() ?? []) {
    const sa = a.tree.indexOf(b.tree.nodes[sb]!.id);
    if (sa !== undefined) out.add(sa);
  }
  return out;
}

function activeRecord(index: EngineIndex, subject: string): SubjectRecord | undefined {
  const rec = index.subjects.get(subject);
  return rec?.active ? rec : undefined;
}

/** The scope of `a` (index `sa`) in `b`: itself, or its nearest ancestor that `b` knows. */
function nearestIn(b: EngineIndex, a: EngineIndex, sa: number): number | undefined {
  for (let s = sa; s !== -1; s = a.tree.parent[s]!) {
    const found = b.tree.indexOf(a.tree.nodes[s]!.id);
    if (found !== undefined) return found;
  }
  return undefined;
}

function namesOf(
  index: EngineIndex,
  rec: SubjectRecord | undefined,
  scope: number | undefined,
  environment: Environment | null,
): Set<string> {
  const out = new Set<string>();
  if (!rec || scope === undefined) return out;
  const mask = effectiveMask(index, rec, scope, environment ?? undefined);
  for (let bit = 0; bit < index.permNames.length; bit++) {
    if (hasBit(mask, bit)) out.add(index.permNames[bit]!);
  }
  return out;
}
