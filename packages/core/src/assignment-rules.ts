/**
 * Rules for changing assignments: no escalation (R6) and exclusive slots (R5).
 */
import { type Decision, deny, GRANTED } from './decision.js';
import type { EngineIndex } from './internal/engine-index.js';
import { effectiveMask, hasBit } from './internal/grants.js';
import type { Assignment, Environment } from './snapshot.js';

/** The permission an actor needs at a scope to give or take roles there. */
export const ASSIGN_PERMISSION = 'roles.assign';

/** May `actor` give `role` to `subject` at `scope` (for `environment`; null = both)? */
export interface AssignRequest {
  readonly actor: string;
  readonly role: string;
  readonly scope: string;
  readonly environment?: Environment | null | undefined;
  /** The subject receiving the role, when known: checks a group's scope limits too. */
  readonly subject?: string | undefined;
}

/**
 * R6: granting (or revoking) a role needs `roles.assign` at the scope and every permission the
 * role carries, in every environment the assignment covers. A scope's admin therefore cannot
 * reach outside it, and nobody hands out more than they hold.
 */
export function canAssign(index: EngineIndex, req: AssignRequest): Decision {
  const role = index.roles.get(req.role);
  if (!role) return deny('unknown_role', `unknown role ${req.role}`);
  const scope = index.tree.indexOf(req.scope);
  if (scope === undefined) return deny('unknown_scope', `unknown scope ${req.scope}`);
  const kind = index.tree.nodes[scope]!.kind;
  if (role.scopeKinds && !role.scopeKinds.includes(kind)) {
    return deny(
      'role_not_allowed_here',
      `role ${role.key} can be held at ${role.scopeKinds.join(', ')}, not at a ${kind}`,
    );
  }
  if (req.subject !== undefined) {
    const subject = index.subjects.get(req.subject);
    if (!subject) return deny('unknown_subject', `unknown subject ${req.subject}`);
    if (subject.type === 'group' && !index.groupMayHoldAt(subject.info, scope)) {
      return deny(
        'outside_group_limits',
        `group ${req.subject} is limited to ${subject.info.limitedTo?.join(', ')}; ${req.scope} is outside`,
      );
    }
  }
  const actor = index.subjects.get(req.actor);
  if (!actor) return deny('unknown_subject', `unknown actor ${req.actor}`);
  if (!actor.active) return deny('inactive_subject', `${req.actor} is deactivated`);
  // The actor must hold each permission for every check the new assignment would answer. With
  // no environment it answers checks without one too, which count only both-environments grants:
  // a live grant plus a sandbox grant is not enough (the receiver would get more than the actor).
  // Holding it without an environment implies holding it in live and in sandbox.
  const mask = effectiveMask(index, actor, scope, req.environment ?? undefined);
  const held = (bit: number) => hasBit(mask, bit);
  const assignBit = index.permBit.get(ASSIGN_PERMISSION);
  if (assignBit === undefined || !held(assignBit)) {
    return deny('cannot_assign', `${req.actor} lacks ${ASSIGN_PERMISSION} on ${req.scope}`);
  }
  const roleMask = index.roleMasks.get(role.key)!;
  const missing: string[] = [];
  for (let bit = 0; bit < index.permNames.length; bit++) {
    if (hasBit(roleMask, bit) && !held(bit)) missing.push(index.permNames[bit]!);
  }
  if (missing.length > 0) {
    return deny(
      'escalation',
      `${req.actor} cannot grant ${role.key} on ${req.scope}: it carries ${missing.join(', ')}, which ${req.actor} does not hold there`,
    );
  }
  return GRANTED;
}

/** The assignment a new one would collide with in an exclusive slot (R5). */
export interface SlotQuery {
  readonly subject: string;
  readonly role: string;
  readonly scope: string;
  readonly environment?: Environment | null | undefined;
}

/**
 * Existing assignments of the subject, at exactly that scope, in the same slot as `role`, whose
 * environments overlap. Empty for slot-less roles (add-ons stack).
 */
export function slotConflicts(index: EngineIndex, q: SlotQuery): Assignment[] {
  return inSlot(index, q, (a) => a.scopeId === q.scope && a.roleKey !== q.role);
}

/**
 * Existing assignments of the subject at scopes above `q.scope` (not at it), in the same slot as
 * `role` (that role included), whose environments overlap: what a grant at `q.scope` ends under
 * a preset whose scoped roles move the holder down (`Preset.scopedRoleMovesDown`, seed 002).
 * Empty at the root and for slot-less roles.
 */
export function slotHoldersAbove(index: EngineIndex, q: SlotQuery): Assignment[] {
  const at = index.tree.indexOf(q.scope);
  if (at === undefined) return [];
  const above = new Set(
    index.tree
      .ancestorsOf(at)
      .slice(1)
      .map((s) => index.tree.nodes[s]!.id),
  );
  return inSlot(index, q, (a) => above.has(a.scopeId));
}

/** The subject's assignments in `q.role`'s slot, environments overlapping, that `where` keeps. */
function inSlot(index: EngineIndex, q: SlotQuery, where: (a: Assignment) => boolean): Assignment[] {
  const role = index.roles.get(q.role);
  if (!role || role.slot === null) return [];
  const env = q.environment ?? null;
  return (index.assignmentsOf.get(q.subject) ?? []).filter((a) => {
    if (!where(a)) return false;
    if (index.roles.get(a.roleKey)?.slot !== role.slot) return false;
    return a.environment === null || env === null || a.environment === env;
  });
}
