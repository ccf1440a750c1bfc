/** The delivery worker's claims on queued emails, and their outcome with retries. */
import { type DB, type EmailRow, sql } from '@gatehouse/db';
import { type ClaimedEmail, claimedEmail, type DeliveryOptions } from './outgoing.js';
import { forgetSecret } from './secrets.js';

/**
 * Claims up to `limit` due emails for this worker: marks each with a lease and counts the attempt.
 * Rows another worker is claiming right now are skipped (`SKIP LOCKED`), rows it holds a lease on
 * are not due.
 */
export async function claimEmails(
  db: DB,
  opts: { limit?: number | undefined; leaseMs?: number | undefined } = {},
): Promise<ClaimedEmail[]> {
  const limit = opts.limit ?? 10;
  const leaseMs = opts.leaseMs ?? 60_000;
  const { rows } = await sql<EmailRow>`
    update emails
       set locked_until = now() + cast(${leaseMs} as double precision) * interval '1 millisecond',
           attempts = attempts + 1
     where id in (
       select id from emails
        where status = 'pending'
          and next_attempt_at <= now()
          and (locked_until is null or locked_until <= now())
        order by next_attempt_at, id
        limit ${limit}
        for update skip locked)
    returning *`.execute(db);
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1)).map(claimedEmail);
}

/**
 * Records a delivery and erases the email's secret: neither a sent nor a logged copy keeps a
 * usable link in the table (the recipient's mailbox, or the development log, has it).
 * `last_error` stays as history of the attempts before.
 */
export async function markEmailDelivered(
  db: DB,
  email: ClaimedEmail,
  how: 'sent' | 'logged',
): Promise<void> {
  await db
    .updateTable('emails')
    .set({ status: how, sent_at: new Date(), locked_until: null, ...forgetSecret() })
    .where('id', '=', email.id)
    .execute();
}

/** The delay before retry number `attempts` + 1: base × 2^(attempts − 1), capped. */
export function retryDelayMs(attempts: number, opts: DeliveryOptions = {}): number {
  const base = opts.retryBaseMs ?? 5_000;
  const max = opts.retryMaxMs ?? 3_600_000;
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

/**
 * Records a failed attempt: retried after a backoff, or `failed` after the last attempt (or at
 * once when `final`), which erases the email's secret.
 */
export async function markEmailFailed(
  db: DB,
  email: ClaimedEmail,
  error: unknown,
  opts: DeliveryOptions & { final?: boolean | undefined } = {},
): Promise<'retry' | 'failed'> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  const giveUp = opts.final === true || email.attempts >= (opts.maxAttempts ?? 10);
  const delay = retryDelayMs(email.attempts, opts);
  await db
    .updateTable('emails')
    .set({
      status: giveUp ? 'failed' : 'pending',
      locked_until: null,
      last_error: message,
      next_attempt_at: sql<Date>`now() + cast(${delay} as double precision) * interval '1 millisecond'`,
      ...(giveUp ? forgetSecret() : {}),
    })
    .where('id', '=', email.id)
    .execute();
  return giveUp ? 'failed' : 'retry';
}
