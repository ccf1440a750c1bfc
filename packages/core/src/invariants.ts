/**
 * Organization invariants (M7): roles that must keep a minimum number of active holders, e.g.
 * at least one Owner at the organization root.
 */
import type { OrgSnapshot } from './snapshot.js';

/** A broken invariant, with a sentence for people. */
export interface InvariantViolation {
  readonly code: 'required_role_holders';
  readonly roleKey: string;
  readonly min: number;
  readonly holders: number;
  readonly message: string;
}

/**
 * Active users holding a role directly at the root scope, or through an active group placed
 * there. Pure over the snapshot, so a use case can test a change before writing it.
 */
export function requiredRoleHolders(snapshot: OrgSnapshot, roleKey: string): string[] {
  const root = snapshot.scopes.find((s) => s.parentId === null);
  if (!root) return [];
  const subjects = new Map(snapshot.subjects.map((s) => [s.id, s]));
  const role = snapshot.roles.find((r) => r.key === roleKey);
  // An assignment the engine skips grants nothing, so it holds nothing up: a role that cannot
  // be held at the root kind, or a group limited to scopes that exclude the root.
  if (!role || (role.scopeKinds && !role.scopeKinds.includes(root.kind))) return [];
  const holders = new Set<string>();
  for (const a of snapshot.assignments) {
    if (a.roleKey !== roleKey || a.scopeId !== root.id || a.environment !== null) continue;
    const s = subjects.get(a.subjectId);
    if (!s?.active) continue;
    if (s.type === 'group' && s.limitedTo && !s.limitedTo.includes(root.id)) continue;
    if (s.type === 'user') holders.add(s.id);
    if (s.type === 'group') {
      for (const m of snapshot.memberships) {
        if (m.groupId !== s.id) continue;
        const member = subjects.get(m.memberId);
        if (member?.active && member.type === 'user') holders.add(member.id);
      }
    }
  }
  return [...holders].sort();
}

/** Every invariant the snapshot breaks; empty when all hold. */
export function findInvariantViolations(snapshot: OrgSnapshot): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  for (const inv of snapshot.invariants) {
    const holders = requiredRoleHolders(snapshot, inv.roleKey).length;
    if (holders < inv.min) {
      out.push({
        code: 'required_role_holders',
        roleKey: inv.roleKey,
        min: inv.min,
        holders,
        message: `the organization must keep at least ${inv.min} active holder(s) of ${inv.roleKey}; this change would leave ${holders}`,
      });
    }
  }
  return out;
}
