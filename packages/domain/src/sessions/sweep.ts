/** Deletes sessions that ended long enough ago. */
import { clock } from '../invitations/index.js';
import type { Services } from '../services.js';

/** How long ended (expired or revoked) sessions stay listed before a login deletes them: 30 days. */
export const ENDED_SESSION_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Deletes, in every org, the sessions that ended (expired or revoked) more than
 * ENDED_SESSION_KEEP_MS ago, for users who do not log in again (a login sweeps its own user's).
 * Run by the periodic housekeeping pass (`runAuditRetention`); returns how many went.
 */
export async function sweepEndedSessions(s: Services, now: Date = clock(s)): Promise<number> {
  const endedBefore = new Date(now.getTime() - ENDED_SESSION_KEEP_MS);
  const { numDeletedRows } = await s.db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<', endedBefore), eb('revoked_at', '<', endedBefore)]))
    .executeTakeFirst();
  return Number(numDeletedRows);
}
