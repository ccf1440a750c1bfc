/**
 * Throttling password guessing: failed logins are counted per email address (lower-cased),
 * whatever the org and whether or not the address has an account, so the throttle itself tells
 * nobody who has one. Past `maxFailures` within `windowMs`, logins for the address are refused
 * with TOO_MANY_REQUESTS (and the seconds to wait) before any password is checked, until the
 * oldest of those failures leaves the window. A per-account lockout, as Keycloak's brute-force
 * detection: it also lets someone who knows an address keep its owner out by failing on purpose;
 * a deployment that prefers otherwise sets `GATEHOUSE_LOGIN_MAX_FAILURES=0` and throttles at its
 * edge.
 */
import { DomainError } from '../errors.js';
import type { Services } from '../services.js';

/** Failed logins for one address within the window before its logins are refused: 10. */
export const DEFAULT_LOGIN_MAX_FAILURES = 10;
/** The window failures are counted in, and so the longest wait: 15 minutes. */
export const DEFAULT_LOGIN_WINDOW_MS = 15 * 60_000;

/** The deployment's throttle; `maxFailures` 0 turns it off. */
export function loginThrottle(s: Services): { maxFailures: number; windowMs: number } {
  return {
    maxFailures: s.options?.loginMaxFailures ?? DEFAULT_LOGIN_MAX_FAILURES,
    windowMs: s.options?.loginWindowMs ?? DEFAULT_LOGIN_WINDOW_MS,
  };
}

/** Throws TOO_MANY_REQUESTS when `emailLower` has failed too often within the window. */
export async function refuseWhenThrottled(
  s: Services,
  emailLower: string,
  now: Date,
): Promise<void> {
  const { maxFailures, windowMs } = loginThrottle(s);
  if (maxFailures <= 0) return;
  const recent = await s.db
    .selectFrom('login_failures')
    .select('failed_at')
    .where('email_lower', '=', emailLower)
    .where('failed_at', '>', new Date(now.getTime() - windowMs))
    .orderBy('failed_at', 'desc')
    .limit(maxFailures)
    .execute();
  if (recent.length < maxFailures) return;
  // Logins open again when the oldest of the last `maxFailures` failures leaves the window.
  const opensAt = recent[maxFailures - 1]!.failed_at.getTime() + windowMs;
  const retryAfterSeconds = Math.max(1, Math.ceil((opensAt - now.getTime()) / 1000));
  throw new DomainError(
    'TOO_MANY_REQUESTS',
    `too many failed logins for this email address; try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s)`,
    { details: { retryAfterSeconds } },
  );
}

/** Counts a failed login for `emailLower`, and deletes failures older than the window. */
export async function recordLoginFailure(
  s: Services,
  failure: { emailLower: string; orgId: string; ip?: string | undefined },
  now: Date,
): Promise<void> {
  const { maxFailures, windowMs } = loginThrottle(s);
  if (maxFailures <= 0) return;
  await s.db
    .insertInto('login_failures')
    .values({
      email_lower: failure.emailLower.slice(0, 320),
      failed_at: now,
      org_id: failure.orgId.slice(0, 100),
      ip: failure.ip?.slice(0, 100) || null,
    })
    .execute();
  await s.db
    .deleteFrom('login_failures')
    .where('failed_at', '<', new Date(now.getTime() - windowMs))
    .execute();
}
