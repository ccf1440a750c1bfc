/** One delivery round: claim due emails, send, record the outcome. */
import type { DB } from '@gatehouse/db';
import { instanceSecretKey, type SecretKey } from '../rules/index.js';
import { claimEmails, markEmailDelivered, markEmailFailed } from './claim.js';
import type { ClaimedEmail, DeliveryOptions, EmailTransport } from './outgoing.js';
import { expireEmailSecrets, openEmail } from './secrets.js';

/** What one delivery round did. */
export interface DeliveryRound {
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
  /** True when the batch was full: there may be more due right now. */
  readonly more: boolean;
}

/**
 * Erases expired secrets, claims due emails and hands each, its secret decrypted, to the
 * transport, recording the outcome. An email whose secret does not open (sealed under another
 * key) fails for good at once.
 */
export async function deliverDueEmails(
  db: DB,
  transport: EmailTransport,
  opts: DeliveryOptions & {
    onError?:
      | ((email: ClaimedEmail, error: unknown, outcome: 'retry' | 'failed') => void)
      | undefined;
  } = {},
): Promise<DeliveryRound> {
  const batchSize = opts.batchSize ?? 10;
  await expireEmailSecrets(db);
  const claimed = await claimEmails(db, { limit: batchSize, leaseMs: opts.leaseMs });
  let key: SecretKey | undefined;
  let delivered = 0;
  let retrying = 0;
  let failed = 0;
  for (const email of claimed) {
    // A key that cannot be read (a bad GATEHOUSE_SECRET_KEY) fails the round; the leases lapse.
    if (email.secretBox) key ??= await instanceSecretKey(db, opts.secretKey);
    let ready: ClaimedEmail;
    try {
      ready = key ? openEmail(email, key) : email;
    } catch (e) {
      const reason = new Error(
        `the email's link cannot be decrypted: ${(e as Error).message}; ${
          email.kind === 'password_reset' ? 'ask for a new reset link' : 'resend the invitation'
        }`,
      );
      await markEmailFailed(db, email, reason, { final: true });
      failed++;
      opts.onError?.(email, reason, 'failed');
      continue;
    }
    try {
      await transport.send(ready);
    } catch (e) {
      const outcome = await markEmailFailed(db, email, e, opts);
      if (outcome === 'failed') failed++;
      else retrying++;
      opts.onError?.(email, e, outcome);
      continue;
    }
    await markEmailDelivered(db, email, transport.kind);
    delivered++;
  }
  return { delivered, retrying, failed, more: claimed.length === batchSize };
}
