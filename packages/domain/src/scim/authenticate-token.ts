/** S4: the org a SCIM bearer token belongs to (cached briefly). */
import { DomainError } from '../errors.js';
import { CredentialCache, hashSecret, recordCredentialUse, secretMatches } from '../rules/index.js';
import type { Services } from '../services.js';

/** A verified SCIM token: its org, id and name. */
export interface ScimTokenHolder {
  readonly orgId: string;
  readonly tokenId: string;
  readonly name: string;
}

/**
 * Verified tokens (issue 15: a lookup no longer reads the token row). An entry holds until the
 * org moves past the revision it was verified at (a revoke or rotate is an org write: refused
 * at once in this process, by NOTIFY in others), and for at most a minute.
 */
const verifiedTokens = new CredentialCache<ScimTokenHolder>();

/**
 * Resolves a presented SCIM bearer token to its org, or throws UNAUTHENTICATED (revoked,
 * rotated away, unknown or malformed). Compared in constant time; records last use at most
 * once a minute.
 */
export async function authenticateScimToken(s: Services, token: string): Promise<ScimTokenHolder> {
  if (token.length > 200) throw new DomainError('UNAUTHENTICATED', 'invalid SCIM token');
  const hash = hashSecret(token);
  const hit = verifiedTokens.get(s, hash);
  if (hit) return hit;
  const dot = token.indexOf('.');
  const id = dot > 0 && dot <= 64 ? token.slice(0, dot) : '';
  const row = /^sct_[0-9a-z]{1,60}$/.test(id)
    ? await s.db
        .selectFrom('scim_tokens')
        .innerJoin('orgs', 'orgs.id', 'scim_tokens.org_id')
        .selectAll('scim_tokens')
        .select('orgs.revision')
        .where('scim_tokens.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!row || !secretMatches(token, row.secret_hash)) {
    throw new DomainError('UNAUTHENTICATED', 'invalid SCIM token');
  }
  if (row.revoked_at) throw new DomainError('UNAUTHENTICATED', `SCIM token ${id} is revoked`);
  const now = Date.now();
  await recordCredentialUse(s.db, 'scim_tokens', row, now);
  const holder = { orgId: row.org_id, tokenId: row.id, name: row.name };
  verifiedTokens.set(s, hash, row.org_id, row.revision, holder, now);
  return holder;
}
