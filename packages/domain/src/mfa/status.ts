/** Where the signed-in user's multi-factor authentication stands (`accounts.mfa`). */
import type { Call } from '../call.js';
import { freshPendingFactor } from './enroll.js';
import { confirmedFactor } from './factors.js';
import { ownAccount } from './own-account.js';
import { enrollmentRequired, requiresMfa } from './policy.js';
import { recoveryCodesLeft } from './recovery-codes.js';

/** The user's MFA, and what the session's org asks of it. */
export interface MfaStatus {
  /** A confirmed TOTP authenticator exists. */
  readonly enrolled: boolean;
  readonly enrolledAt: string | null;
  /** When a code of it was last accepted. */
  readonly lastUsedAt: string | null;
  /** An enrollment waits for its first code. */
  readonly pendingEnrollment: boolean;
  /** Recovery codes not used yet (0 when not enrolled). */
  readonly recoveryCodesLeft: number;
  /** The session's org requires MFA of password sign-ins. */
  readonly orgRequiresMfa: boolean;
  /** This session may do nothing but enroll until it does. */
  readonly enrollmentRequired: boolean;
  /** How this session was signed in: `pwd`, `pwd+totp`, `pwd+recovery` or `sso`. */
  readonly sessionMethod: string;
}

/**
 * The signed-in user's MFA status (a user session only).
 *
 * @example
 * const st = await mfaStatus(sessionCall); // st.enrolled, st.recoveryCodesLeft, ...
 */
export async function mfaStatus(call: Call): Promise<MfaStatus> {
  const s = call.services;
  const me = await ownAccount(call, 'multi-factor status');
  const [factor, pending, left, ctx] = await Promise.all([
    confirmedFactor(s.db, me.id),
    freshPendingFactor(call, me.id),
    recoveryCodesLeft(s.db, me.id),
    s.db
      .selectFrom('sessions')
      .innerJoin('orgs', 'orgs.id', 'sessions.org_id')
      .select(['sessions.auth_method', 'orgs.settings'])
      .where('sessions.org_id', '=', me.principal.orgId)
      .where('sessions.id', '=', me.principal.sessionId)
      .executeTakeFirstOrThrow(),
  ]);
  let orgRequiresMfa = false;
  try {
    orgRequiresMfa = requiresMfa(ctx.settings);
  } catch {
    // A malformed setting requires nothing (orgs.update refuses one).
  }
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  return {
    enrolled: factor !== undefined,
    enrolledAt: iso(factor?.confirmed_at),
    lastUsedAt: iso(factor?.last_used_at),
    pendingEnrollment: pending !== undefined,
    recoveryCodesLeft: factor ? left : 0,
    orgRequiresMfa,
    enrollmentRequired: enrollmentRequired({
      authMethod: ctx.auth_method,
      mfaEnrolled: factor !== undefined,
      orgSettings: ctx.settings,
    }),
    sessionMethod: ctx.auth_method,
  };
}
