/** A queued email as a test or operator reads it (links redacted unless asked). */
import type { DB } from '@gatehouse/db';
import { instanceSecretKey } from '../rules/index.js';
import { type ClaimedEmail, claimedEmail } from './outgoing.js';
import { openEmail } from './secrets.js';

/**
 * An email still queued as it will be sent, its secret decrypted; null once it has none left
 * to hold (sent, failed, cancelled) or when there is no such email. For tests and operators'
 * tools: the link it shows works.
 */
export async function readQueuedEmail(
  db: DB,
  emailId: string,
  opts: { secretKey?: string | undefined } = {},
): Promise<ClaimedEmail | null> {
  const r = await db
    .selectFrom('emails')
    .selectAll()
    .where('id', '=', emailId)
    .where('secret_box', 'is not', null)
    .executeTakeFirst();
  if (!r) return null;
  return openEmail(claimedEmail(r), await instanceSecretKey(db, opts.secretKey));
}
