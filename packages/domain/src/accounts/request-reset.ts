/**
 * Issue 14, "forgot password" (public): a person asks for a link to choose a new password. The
 * answer is the same whatever happened (no account with that address, an account without a
 * password, one whose domain requires SSO, a throttled request, a link sent), so it tells nobody
 * who has an account. Only when the account may get one and the throttle allows is a link
 * emailed (./links.ts).
 */
import { clock } from '../invitations/index.js';
import { instanceSecretKey, normalizeEmail } from '../rules/index.js';
import type { Services } from '../services.js';
import { issueResetLink, resetTtlMs } from './links.js';
import { resetRefusal } from './policy.js';
import { resetThrottled } from './throttle.js';

/** Input of `requestPasswordReset`. */
export interface RequestPasswordResetInput {
  readonly email: string;
  /** The client address the request came from (the per-address throttle counts by it). */
  readonly ip?: string | undefined;
}

/** The one answer to every request. */
export interface PasswordResetRequested {
  readonly message: string;
  /** How long a link sent now works. */
  readonly linkTtlMinutes: number;
}

/**
 * Emails a reset link when the address has an account that may get one, within the throttle;
 * answers the same in every case. INVALID only for a malformed address.
 *
 * @example
 * await requestPasswordReset(s, { email: 'ana@acme.test', ip });
 * // { message: 'If an account …', linkTtlMinutes: 30 }: the link is in the email only
 */
export async function requestPasswordReset(
  s: Services,
  input: RequestPasswordResetInput,
): Promise<PasswordResetRequested> {
  const { lower } = normalizeEmail(input.email);
  const linkTtlMinutes = Math.round(resetTtlMs(s) / 60_000);
  const answer: PasswordResetRequested = {
    message: `If an account with this email address can reset its password, a link to choose a new one is on its way. It works once, within ${linkTtlMinutes} minutes.`,
    linkTtlMinutes,
  };
  const user = await s.db
    .selectFrom('users')
    .select(['id', 'email', 'email_lower', 'password_hash'])
    .where('email_lower', '=', lower)
    .executeTakeFirst();
  if (!user || (await resetRefusal(s, s.db, user))) return answer;
  const key = await instanceSecretKey(s.db, s.options?.secretKey);
  await s.db.transaction().execute(async (trx) => {
    // The account's row lock orders requests for it: the throttle sees the one before.
    await trx.selectFrom('users').select('id').where('id', '=', user.id).forNoKeyUpdate().execute();
    const now = clock(s);
    if (await resetThrottled(s, trx, { userId: user.id, ip: input.ip }, now)) return;
    await issueResetLink(s, trx, { user, key, ip: input.ip }, now);
  });
  return answer;
}
