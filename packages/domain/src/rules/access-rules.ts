/**
 * The two access rules every write obeys, checked on what the write leaves behind rather than on
 * what each use case remembered to ask (issue 10: no escalation, by any write):
 *
 * - Grant: after the write, no subject holds a permission at a scope that the actor does not
 *   hold there (in the environment concerned).
 * - Target: an actor takes access away from a subject only where it holds everything the subject
 *   held there (it outranks or equals the subject). Use cases that act on a subject without
 *   changing its access (rotate a key, change an email, end sessions) ask `assertOutranks`.
 *
 * Both compare the pre-write engine with the engine the write is about to commit, so a path no
 * use case anticipated (a group membership, a group's scope limits, a widened custom role, a
 * reactivation) is held to the same rules as a plain role assignment. The instance admin, the
 * system and an org's SCIM directory have no acting subjects and stand above every org.
 */
import {
  type Engine,
  type Environment,
  grantGains,
  heldPermissions,
  lostGrants,
  missingPermissions,
  rankGap,
  withGroupMembers,
} from '@gatehouse/core';
import { forbidden, invariant } from '../errors.js';

/** Throws FORBIDDEN when the change from `before` to `after` breaks either rule for an actor. */
export function assertAccessRules(q: {
  readonly before: Engine;
  readonly after: Engine;
  /** Subjects whose rows, assignments or memberships changed; null: look at everyone. */
  readonly affected: ReadonlySet<string> | null;
  /** The acting subjects (a client, the user it acts for, a session's user). */
  readonly actors: readonly string[];
}): void {
  if (q.actors.length === 0) return;
  for (const subject of candidates(q.before, q.after, q.affected)) {
    for (const gain of grantGains(q.before, q.after, subject)) {
      for (const actor of q.actors) {
        const missing = missingPermissions(
          q.before,
          actor,
          gain.baseScopeId,
          gain.environment,
          gain.gained,
        );
        if (missing.length > 0) {
          throw forbidden(
            `${actor} cannot let ${subject} hold ${missing.join(', ')} ${place(gain.scopeId, gain.environment)}: ${actor} does not hold ${missing.length > 1 ? 'them' : 'it'} there`,
            { code: 'escalation', subject, scopeId: gain.scopeId, missing },
          );
        }
      }
    }
    for (const lost of lostGrants(q.before, q.after, subject)) {
      const held = heldPermissions(q.before, subject, lost.scopeId, lost.environment);
      for (const actor of q.actors) {
        if (actor === subject) continue;
        const missing = missingPermissions(q.before, actor, lost.scopeId, lost.environment, held);
        if (missing.length > 0) {
          throw forbidden(
            `${actor} cannot take ${lost.roleKey}${lost.viaGroup ? ` (through ${lost.viaGroup})` : ''} from ${subject} ${place(lost.scopeId, lost.environment)}: ${subject} holds ${missing.join(', ')} there, which ${actor} does not`,
            { code: 'outranked', subject, scopeId: lost.scopeId, missing },
          );
        }
      }
    }
  }
}

/**
 * Throws FORBIDDEN unless every actor holds, at every scope, everything `subject` holds there
 * (`engine`: the state the actors act on).
 */
export function assertOutranks(engine: Engine, actors: readonly string[], subject: string): void {
  for (const actor of actors) {
    if (actor === subject) continue;
    const gap = rankGap(engine, actor, subject);
    if (gap) {
      throw forbidden(
        `${actor} cannot act on ${subject}: ${subject} holds ${gap.missing.join(', ')} ${place(gap.scopeId, gap.environment)}, which ${actor} does not`,
        { code: 'outranked', subject, scopeId: gap.scopeId, missing: gap.missing },
      );
    }
  }
}

/**
 * M7: every preset invariant ("at least one Owner") counted on what the engines answer (an
 * inactive user, a deactivated group or a group limited away from the root holds nothing up).
 * A write may leave an invariant short only if it was at least as short before.
 */
export function assertInvariants(before: Engine, after: Engine): void {
  for (const inv of after.snapshot.invariants) {
    // Counted from the engines' indexes: the root's assignments and those groups' members.
    const now = after.requiredRoleHolders(inv.roleKey).length;
    if (now >= inv.min) continue;
    const was = before.requiredRoleHolders(inv.roleKey).length;
    if (now < was) {
      throw invariant(
        `the organization must keep at least ${inv.min} active ${inv.roleKey}; this change would leave ${now}`,
      );
    }
  }
}

/** Whom a write may have changed: the affected subjects, their groups' members, role holders. */
function candidates(
  before: Engine,
  after: Engine,
  affected: ReadonlySet<string> | null,
): Set<string> {
  if (!affected) {
    return new Set([...before.snapshot.subjects, ...after.snapshot.subjects].map((s) => s.id));
  }
  const out = withGroupMembers(before, affected);
  for (const id of withGroupMembers(after, affected)) out.add(id);
  const roles = changedRoles(before, after);
  if (roles.size > 0) {
    const holders = after.snapshot.assignments
      .filter((a) => roles.has(a.roleKey))
      .map((a) => a.subjectId);
    for (const id of withGroupMembers(after, holders)) out.add(id);
  }
  return out;
}

/** Keys of roles whose permissions differ between the two engines. */
function changedRoles(before: Engine, after: Engine): Set<string> {
  const out = new Set<string>();
  if (before.snapshot.roles === after.snapshot.roles) return out;
  const was = new Map(before.snapshot.roles.map((r) => [r.key, r.permissions.join('\u0000')]));
  for (const r of after.snapshot.roles) {
    if (was.get(r.key) !== r.permissions.join('\u0000')) out.add(r.key);
  }
  return out;
}

function place(scopeId: string, environment: Environment | null): string {
  return environment ? `at ${scopeId} (${environment})` : `at ${scopeId}`;
}
