/**
 * Throttling the public "forgot password" request, the login throttle's idea applied to emails
 * sent (../rules/login-throttle.ts): links sent by public requests are counted per account (its
 * email address) and per client address over a window (the `password_resets` rows themselves, so the count is
 * shared by every process on the database). Past either limit a request still gets the same
 * answer, but sends nothing: the limit protects a mailbox from being flooded and tells no one
 * anything. Admins' resets are not counted.
 */
import type { Database, Transaction } from '@gatehouse/db';
import type { Services } from '../services.js';

/** Links one email address may be sent by public requests within the window: 3. */
export const DEFAULT_RESET_MAX_PER_EMAIL = 3;
/** Links public requests from one client address may send within the window: 20. */
export const DEFAULT_RESET_MAX_PER_IP = 20;
/** The window: 1 hour. */
export const DEFAULT_RESET_WINDOW_MS = 60 * 60_000;

/** The deployment's limits; 0 turns one off. */
export function resetThrottle(s: Services): {
  maxPerEmail: number;
  maxPerIp: number;
  windowMs: number;
} {
  return {
    maxPerEmail: s.options?.passwordResetMaxPerEmail ?? DEFAULT_RESET_MAX_PER_EMAIL,
    maxPerIp: s.options?.passwordResetMaxPerIp ?? DEFAULT_RESET_MAX_PER_IP,
    windowMs: s.options?.passwordResetWindowMs ?? DEFAULT_RESET_WINDOW_MS,
  };
}

/**
 * True when a public request for `userId` from `ip` must send nothing: the account or the
 * address already had its links within the window. Asked under the user's row lock, so two
 * requests for one account at once count each other.
 */
export async function resetThrottled(
  s: Services,
  trx: Transaction<Database>,
  q: { readonly userId: string; readonly ip?: string | undefined },
  now: Date,
): Promise<boolean> {
  const { maxPerEmail, maxPerIp, windowMs } = resetThrottle(s);
  const since = new Date(now.getTime() - windowMs);
  const count = async (column: 'user_id' | 'ip', value: string) => {
    const row = await trx
      .selectFrom('password_resets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', value)
      .where('requested_by', 'is', null)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  if (maxPerEmail > 0 && (await count('user_id', q.userId)) >= maxPerEmail) return true;
  const ip = q.ip?.slice(0, 100);
  if (maxPerIp > 0 && ip && (await count('ip', ip)) >= maxPerIp) return true;
  return false;
}
