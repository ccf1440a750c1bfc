/** A queued email as a test or operator reads it (links redacted unless asked). */
import type { DB } from '@gatehouse/db';
import { instanceSecretKey } from '../rules/index.js';
import type { ClaimedEmail } from './outgoing.js';
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
  const email: ClaimedEmail = {
    id: r.id,
    orgId: r.org_id,
    to: r.to_address,
    subject: r.subject,
    text: r.text,
    html: r.html,
    kind: r.kind,
    refId: r.ref_id,
    attempts: r.attempts,
    secretBox: r.secret_box,
  };
  return openEmail(email, await instanceSecretKey(db, opts.secretKey));
}
