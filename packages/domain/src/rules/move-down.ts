/**
 * Seed 002 (`Preset.scopedRoleMovesDown`): "If you need to limit a user's access to one specific
 * subtenant … assign them a subtenant-level role. … They will not see any other subtenants or
 * organization-level settings." A role given at a scope ends the subject's own role in the same
 * exclusive slot at the scopes above, in the same write (`grantRole` does it); roles in other
 * subscopes stay.
 */
import type { Assignment } from '@gatehouse/core';
import { invalid } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import type { RoleAt } from './grants.js';

/**
 * Seed 002: in one request, two roles of one slot, one at a scope above the other's, is INVALID
 * where the preset moves scoped holders down (the lower one would end the upper one).
 */
export function assertNoSlotAbove(w: OrgWrite, roles: readonly RoleAt[]): void {
  if (!w.preset.scopedRoleMovesDown) return;
  const at = (r: RoleAt) => r.scopeId ?? w.orgId;
  const overlap = (a: RoleAt, b: RoleAt) =>
    a.environment == null || b.environment == null || a.environment === b.environment;
  for (const upper of roles) {
    const slot = w.engine.role(upper.role)?.slot;
    if (!slot) continue;
    const below = w.engine.scopesBelow(at(upper));
    for (const lower of roles) {
      if (at(lower) === at(upper) || !below.includes(at(lower)) || !overlap(upper, lower)) continue;
      if (w.engine.role(lower.role)?.slot !== slot) continue;
      throw invalid(
        `${upper.role} at ${at(upper)} and ${lower.role} at ${at(lower)} share the exclusive slot "${slot}": under the ${w.preset.key} preset a role at ${at(lower)} replaces the one above it; choose one`,
      );
    }
  }
}

/**
 * Seed 002: the subject's assignments that giving it `r` ends, when the preset moves scoped
 * holders down (its role in the same slot at scopes above); empty otherwise.
 */
export function movedDownBy(w: OrgWrite, subjectId: string, r: RoleAt): Assignment[] {
  if (!w.preset.scopedRoleMovesDown) return [];
  return w.engine.slotHoldersAbove({
    subject: subjectId,
    role: r.role,
    scope: r.scopeId ?? w.orgId,
    environment: r.environment ?? null,
  });
}

/**
 * Seed 002, for roles granted later by the system (an invitation, when accepted): throws
 * FORBIDDEN unless the caller may end now what those roles would move the subject down from
 * (R6 revoke, and the target rule: it outranks the subject).
 */
export function authorizeMoveDown(w: OrgWrite, subjectId: string, roles: readonly RoleAt[]): void {
  const moved = roles.flatMap((r) => movedDownBy(w, subjectId, r));
  for (const a of moved) {
    w.authorizeAssign({ role: a.roleKey, scopeId: a.scopeId, environment: a.environment });
  }
  if (moved.length > 0) w.authorizeTarget(subjectId);
}
