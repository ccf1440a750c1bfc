/**
 * The email outbox (DESIGN "webhooks / emails delivered from outbox"). A use case queues an email
 * in its own transaction, so the email exists exactly when the change committed; NOTIFY on
 * `gatehouse_emails` wakes every server's delivery worker on commit. Workers claim due rows with
 * `FOR UPDATE SKIP LOCKED` plus a lease (`locked_until`), so several processes never send one
 * email twice while it is in flight; a worker that dies mid-send leaves the lease to expire and
 * another one retries (at-least-once). Failures are retried with exponential backoff and the
 * error is kept in `last_error`.
 *
 * A one-time secret (an invitation link's token) is never stored in plain (email-secrets.ts).
 */
import { type Database, type DB, type EmailRow, newId, sql, type Transaction } from '@gatehouse/db';
import { expireEmailSecrets, forgetSecret, hideSecret, openEmail } from './email-secrets.js';
import { instanceSecretKey, type SecretKey, sealSecret } from './secret-box.js';

/** The NOTIFY channel that announces new emails (payload: the email id). */
export const EMAIL_CHANNEL = 'gatehouse_emails';

/** An email to send. */
export interface OutgoingEmail {
  readonly orgId: string | null;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
  /** What it is about: `invitation`, ... */
  readonly kind: string;
  /** The entity it is about (an invitation id); lets a later change cancel it. */
  readonly refId?: string | undefined;
  /**
   * A one-time secret appearing in the subject or bodies (a link's token): stored encrypted,
   * never in plain, and erased at `expiresAt` if the email is still unsent then.
   */
  readonly secret?: { readonly value: string; readonly expiresAt: Date } | undefined;
}

/** A claimed email, ready to hand to a transport. */
export interface ClaimedEmail {
  readonly id: string;
  readonly orgId: string | null;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
  readonly kind: string;
  readonly refId: string | null;
  /** Attempts so far, this one included. */
  readonly attempts: number;
  /**
   * The encrypted secret the bodies stand in for, until `openEmail` puts it in (what a
   * transport is handed is opened: null here).
   */
  readonly secretBox: string | null;
}

/** Sends one email: over SMTP, or into the server log when no SMTP server is configured. */
export interface EmailTransport {
  /** `sent` (a mail server accepted it) or `logged` (written to the log for a developer). */
  readonly kind: 'sent' | 'logged';
  send(email: ClaimedEmail): Promise<void>;
}

/** Retry and lease settings of delivery. */
export interface DeliveryOptions {
  /** Emails claimed per round; default 10. */
  readonly batchSize?: number | undefined;
  /** How long a claim holds before another worker may retry the email; default 60 s. */
  readonly leaseMs?: number | undefined;
  /** First retry delay, doubled per attempt; default 5 s. */
  readonly retryBaseMs?: number | undefined;
  /** Longest retry delay; default 1 h. */
  readonly retryMaxMs?: number | undefined;
  /** Attempts before an email is given up as `failed`; default 10. */
  readonly maxAttempts?: number | undefined;
  /** The instance secret key (`GATEHOUSE_SECRET_KEY`); default that variable, else the stored key. */
  readonly secretKey?: string | undefined;
}

type Executor = DB | Transaction<Database>;

/**
 * Queues an email inside a transaction and wakes the delivery workers on commit. An email with
 * a `secret` needs the instance secret key (`instanceSecretKey`, read before the transaction).
 */
export async function queueEmail(
  trx: Executor,
  email: OutgoingEmail,
  key?: SecretKey,
): Promise<string> {
  const id = newId('email');
  let { subject, text } = email;
  let html = email.html ?? null;
  let secretBox: string | null = null;
  if (email.secret) {
    if (!key) throw new Error('queueEmail: an email with a secret needs the instance secret key');
    const hide = (body: string) => hideSecret(body, email.secret!.value, id);
    subject = hide(subject);
    text = hide(text);
    html = html && hide(html);
    secretBox = sealSecret(key, email.secret.value, id);
  }
  await trx
    .insertInto('emails')
    .values({
      id,
      org_id: email.orgId,
      to_address: email.to,
      subject,
      text,
      html,
      kind: email.kind,
      ref_id: email.refId ?? null,
      locked_until: null,
      sent_at: null,
      last_error: null,
      secret_box: secretBox,
      secret_expires_at: email.secret?.expiresAt ?? null,
    })
    .execute();
  await sql`select pg_notify(${EMAIL_CHANNEL}, ${id})`.execute(trx);
  return id;
}

/**
 * Cancels the not yet sent emails about `refId` (a resent or revoked invitation's old link) and
 * erases their secrets.
 */
export async function cancelEmails(trx: Executor, refId: string): Promise<number> {
  const res = await trx
    .updateTable('emails')
    .set({ status: 'cancelled', locked_until: null, ...forgetSecret() })
    .where('ref_id', '=', refId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

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
  return rows
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((r) => ({
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
    }));
}

/** Link tokens in a text blanked (`?token=[redacted]`). */
export function redactLinks(body: string): string {
  return body.replace(/([?&]token=)[A-Za-z0-9_-]+/g, '$1[redacted]');
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
        `the email's link cannot be decrypted: ${(e as Error).message}; resend the invitation`,
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
