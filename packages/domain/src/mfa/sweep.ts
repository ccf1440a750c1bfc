/** Deletes what MFA leaves behind: sign-in challenges and enrollments that can no longer be used. */
import { clock } from '../invitations/index.js';
import type { Services } from '../services.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes second-step challenges that expired, and pending (never confirmed) factors created,
 * over a day ago: a user's own sign-in clears theirs, this clears everyone else's. Run by the
 * periodic housekeeping pass (`runAuditRetention`); returns how many rows went.
 */
export async function sweepMfa(s: Services, now: Date = clock(s)): Promise<number> {
  const before = new Date(now.getTime() - DAY_MS);
  const challenges = await s.db
    .deleteFrom('mfa_challenges')
    .where('expires_at', '<', before)
    .executeTakeFirst();
  const pending = await s.db
    .deleteFrom('mfa_factors')
    .where('confirmed_at', 'is', null)
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(challenges.numDeletedRows) + Number(pending.numDeletedRows);
}
