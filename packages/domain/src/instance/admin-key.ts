/** The instance admin key: from `GATEHOUSE_ADMIN_KEY`, or generated once on first start and stored hashed. */
import { newId } from '@gatehouse/db';
import { DomainError } from '../errors.js';
import { hashSecret, newSecret, secretMatches, secretsEqual } from '../rules/index.js';
import type { Services } from '../services.js';

/** Prefix of generated instance admin keys. */
export const ADMIN_KEY_PREFIX = 'gh_admin_';

/**
 * Makes sure an instance admin key exists. With `envKey` set, that key is the admin key (it is
 * never stored). Otherwise, when no key is stored yet, a new one is generated, stored hashed and
 * returned so the caller can print it once; later starts return null.
 */
export async function ensureAdminKey(s: Services, envKey?: string): Promise<string | null> {
  if (envKey) return null;
  const existing = await s.db.selectFrom('instance_keys').select('id').limit(1).executeTakeFirst();
  if (existing) return null;
  const key = `${ADMIN_KEY_PREFIX}${newSecret()}`;
  await s.db
    .insertInto('instance_keys')
    .values({ id: newId('instanceKey'), secret_hash: hashSecret(key) })
    .execute();
  return key;
}

/**
 * True when `key` is the instance admin key (the env key, or a stored one). Both sides are
 * compared as SHA-256 digests in constant time, so neither the time taken nor an early exit
 * tells a caller anything about the key, its length included. (The generated keys' public
 * prefix is checked first only to skip the table read for other bearer keys.)
 */
export async function isAdminKey(s: Services, key: string, envKey?: string): Promise<boolean> {
  if (envKey) return secretsEqual(key, envKey);
  if (!key.startsWith(ADMIN_KEY_PREFIX)) return false;
  const rows = await s.db.selectFrom('instance_keys').select('secret_hash').execute();
  // Every stored key is compared, matched or not.
  let match = false;
  for (const r of rows) match = secretMatches(key, r.secret_hash) || match;
  return match;
}

/** Throws UNAUTHENTICATED with a message a developer can act on. */
export function unauthenticated(message = 'missing or invalid bearer key'): never {
  throw new DomainError('UNAUTHENTICATED', message);
}
