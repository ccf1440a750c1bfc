/** K3: the API client an API key belongs to (cached briefly). */
import { DomainError } from '../errors.js';
import {
  hashSecret,
  LAST_USED_RESOLUTION_MS,
  recordCredentialUse,
  secretMatches,
} from '../rules/index.js';
import type { Services } from '../services.js';

/**
 * Resolves a bearer API key to its client, or throws UNAUTHENTICATED. Records last use at most
 * once a minute.
 */
export async function authenticateApiKey(
  s: Services,
  key: string,
): Promise<{ orgId: string; clientId: string; name: string }> {
  const hash = hashSecret(key);
  const cache = keyCacheOf(s);
  const hit = cache.get(hash);
  if (hit && isFresh(s, hit)) return hit.client;
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
    cache.delete(hash);
    throw new DomainError('UNAUTHENTICATED', 'invalid API key');
  }
  if (row.revoked_at) throw new DomainError('UNAUTHENTICATED', `API client ${id} is revoked`);
  const now = Date.now();
  await recordCredentialUse(s.db, 'api_clients', row, now);
  const client = { orgId: row.org_id, clientId: row.id, name: row.name };
  s.engines.noteRevision(row.org_id, row.revision);
  if (cache.size >= KEY_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(hash, { client, revision: row.revision, epoch: s.engines.epoch, at: now });
  return client;
}

/**
 * Verified keys, so a request does not cost a database round trip. An entry holds while its org
 * has not moved past the revision it was verified at (rotate and revoke are writes, so they bump
 * it; other processes hear of it by NOTIFY), no notices were missed, and for at most a minute.
 */
interface KeyCacheEntry {
  readonly client: { orgId: string; clientId: string; name: string };
  readonly revision: number;
  readonly epoch: number;
  readonly at: number;
}
const KEY_CACHE_SIZE = 10_000;
const keyCaches = new WeakMap<Services, Map<string, KeyCacheEntry>>();

function keyCacheOf(s: Services): Map<string, KeyCacheEntry> {
  let c = keyCaches.get(s);
  if (!c) {
    c = new Map();
    keyCaches.set(s, c);
  }
  return c;
}

function isFresh(s: Services, e: KeyCacheEntry): boolean {
  return (
    e.epoch === s.engines.epoch &&
    (s.engines.knownRevision(e.client.orgId) ?? e.revision) <= e.revision &&
    Date.now() - e.at < LAST_USED_RESOLUTION_MS
  );
}
