/** Email through the outbox: what is queued, what the delivery worker claims, the transport it sends with. */
import type { Database, DB, EmailRow, Transaction } from '@gatehouse/db';

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

/** The database or a transaction. */
export type Executor = DB | Transaction<Database>;

/** An `emails` row as the delivery worker handles it. */
export function claimedEmail(r: EmailRow): ClaimedEmail {
  return {
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
}
