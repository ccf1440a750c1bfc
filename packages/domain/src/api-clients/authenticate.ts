/** K3: the API client an API key belongs to (cached briefly). */
import { DomainError } from '../errors.js';
import { CredentialCache, hashSecret, recordCredentialUse, secretMatches } from '../rules/index.js';
import type { Services } from '../services.js';

/** Verified keys (see `CredentialCache`: held until the org moves on, at most a minute). */
const verifiedKeys = new CredentialCache<{ orgId: string; clientId: string; name: string }>();

/**
 * Resolves a bearer API key to its client, or throws UNAUTHENTICATED. Records last use at most
 * once a minute.
 */
export async function authenticateApiKey(
  s: Services,
  key: string,
): Promise<{ orgId: string; clientId: string; name: string }> {
  const hash = hashSecret(key);
  const hit = verifiedKeys.get(s, hash);
  if (hit) return hit;
  const dot = key.indexOf('.');
  const id = dot > 0 ? key.slice(0, dot) : '';
  const row = id.startsWith('cli_')
    ? await s.db
        .selectFrom('api_clients')
        .innerJoin('orgs', 'orgs.id', 'api_clients.org_id')
        .selectAll('api_clients')
        .select('orgs.revision')
        .where('api_clients.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!row || !secretMatches(key, row.secret_hash)) {
    throw new DomainError('UNAUTHENTICATED', 'invalid API key');
  }
  if (row.revoked_at) throw new DomainError('UNAUTHENTICATED', `API client ${id} is revoked`);
  const now = Date.now();
  await recordCredentialUse(s.db, 'api_clients', row, now);
  const client = { orgId: row.org_id, clientId: row.id, name: row.name };
  verifiedKeys.set(s, hash, row.org_id, row.revision, client, now);
  return client;
}
