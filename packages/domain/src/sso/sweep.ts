/** Deletes SSO attempts, one-time codes and consumed SAML assertion ids long past their expiry. */
import type { Services } from '../services.js';

/** How long expired attempts and codes stay (a trace of recent sign-ins): one day. */
export const SSO_EXPIRED_KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes, in every org, SSO attempts and codes that expired more than a day ago. Run by the
 * periodic housekeeping pass (`runAuditRetention`); returns how many rows went.
 */
export async function sweepSsoAttempts(
  s: Services,
  now: Date = s.options?.now?.() ?? new Date(),
): Promise<number> {
  const before = new Date(now.getTime() - SSO_EXPIRED_KEEP_MS);
  const a = await s.db
    .deleteFrom('sso_attempts')
    .where('expires_at', '<', before)
    .executeTakeFirst();
  const c = await s.db.deleteFrom('sso_codes').where('expires_at', '<', before).executeTakeFirst();
  // Consumed SAML assertion ids: kept past the assertion's own expiry, after which it is refused
  // as expired anyway.
  const x = await s.db
    .deleteFrom('sso_saml_assertions')
    .where('expires_at', '<', before)
    .executeTakeFirst();
  return Number(a.numDeletedRows) + Number(c.numDeletedRows) + Number(x.numDeletedRows);
}
