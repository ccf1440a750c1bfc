/**
 * Decisions are values, not exceptions: `{ allowed, code, reason }`. Throwing happens at the
 * edge (the API maps a denied decision to FORBIDDEN).
 */

/** Why a decision came out the way it did, for programs; `reason` says it for people. */
export type DecisionCode =
  | 'granted'
  | 'no_grant'
  | 'unknown_subject'
  | 'inactive_subject'
  | 'unknown_permission'
  | 'unknown_scope'
  | 'unknown_role'
  | 'role_not_allowed_here'
  | 'outside_group_limits'
  | 'cannot_assign'
  | 'escalation';

/** The answer to a question put to the engine. */
export interface Decision {
  readonly allowed: boolean;
  readonly code: DecisionCode;
  readonly reason: string;
}

/** The shared allowed decision: one object, so a granted check allocates nothing. */
export const GRANTED: Decision = Object.freeze({
  allowed: true,
  code: 'granted',
  reason: 'granted',
});

/** A denied decision with its code and a sentence for people. */
export function deny(code: DecisionCode, reason: string): Decision {
  return { allowed: false, code, reason };
}
