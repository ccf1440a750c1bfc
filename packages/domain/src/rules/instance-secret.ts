/**
 * A secret of the instance: the configured value (an environment variable, at least 32
 * characters), or else one generated once and stored in `instance_secrets` under `storedId`,
 * so every process on the database agrees on it.
 */
import { randomBytes } from 'node:crypto';
import type { Database, DB, Transaction } from '@gatehouse/db';
import { invalid } from '../errors.js';

const MIN_KEY_LENGTH = 32;

/** The configured secret, checked, or the stored one (generated on first use). */
export async function instanceSecret(
  db: DB | Transaction<Database>,
  q: { configured: string | undefined; envName: string; storedId: string },
): Promise<string> {
  if (q.configured) {
    if (q.configured.length < MIN_KEY_LENGTH) {
      throw invalid(`${q.envName} must be at least ${MIN_KEY_LENGTH} characters`);
    }
    return q.configured;
  }
  await db
    .insertInto('instance_secrets')
    .values({ id: q.storedId, secret: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await db
    .selectFrom('instance_secrets')
    .select('secret')
    .where('id', '=', q.storedId)
    .executeTakeFirstOrThrow();
  return row.secret;
}
