/** S4: the org a SCIM bearer token belongs to. */
import { DomainError } from '../errors.js';
import { recordCredentialUse, secretMatches } from '../rules/index.js';
import type { Services } from '../services.js';

/**
 * Resolves a presented SCIM bearer token to its org, or throws UNAUTHENTICATED (revoked,
 * rotated away, unknown or malformed). Compared in constant time; records last use at most
 * once a minute.
 */
export async function authenticateScimToken(
  s: Services,
  token: string,
): Promise<{ orgId: string; tokenId: string; name: string }> {
  const dot = token.indexOf('.');
  const id = dot > 0 && dot <= 64 ? token.slice(0, dot) : '';
  const row = /^sct_[0-9a-z]{1,60}$/.test(id)
    ? await s.db.selectFrom('scim_tokens').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row || token.length > 200 || !secretMatches(token, row.secret_hash)) {
    throw new DomainError('UNAUTHENTICATED', 'invalid SCIM token');
  }
  if (row.revoked_at) throw new DomainError('UNAUTHENTICATED', `SCIM token ${id} is revoked`);
  await recordCredentialUse(s.db, 'scim_tokens', row, Date.now());
  return { orgId: row.org_id, tokenId: row.id, name: row.name };
}
