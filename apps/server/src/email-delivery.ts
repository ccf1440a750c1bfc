/**
 * The email delivery worker: sends what use cases queued in the `emails` table. Over SMTP with
 * nodemailer when `SMTP_URL` is set; otherwise each message, link included, is written to the
 * server log and marked `logged`, so a developer can follow the link locally. That log-only mode
 * is a development convenience and says so when it starts. Either way the stored copy keeps no
 * usable link: the one-time secret waits encrypted until it is sent (`GATEHOUSE_SECRET_KEY`,
 * see the domain's secret-box.ts) and is erased then. It never logs a link in SMTP mode.
 * It polls (for retries) and wakes at once on NOTIFY `gatehouse_emails`, which every
 * queued email sends on commit, from this process or another. Claims are leased and taken with
 * `FOR UPDATE SKIP LOCKED` (see `@gatehouse/domain` emails), so several server processes share
 * the table without sending one email twice.
 */
import type { Gatedb } from '@gatehouse/db';
import {
  type ClaimedEmail,
  type DeliveryOptions,
  deliverDueEmails,
  EMAIL_CHANNEL,
  type EmailTransport,
} from '@gatehouse/domain';
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';

/** Delivery tuning: `pollMs` (default 1 s) plus retry, attempt and lease settings. */
export interface EmailDeliveryTuning extends DeliveryOptions {
  readonly pollMs?: number | undefined;
}

/** What the worker needs. */
export interface EmailDeliveryOptions {
  readonly gatedb: Gatedb;
  readonly logger: Logger;
  /** `smtp://host:port` or `smtps://user:pass@host`; unset: log only. */
  readonly smtpUrl?: string | undefined;
  /** The sender, e.g. `Gatehouse <no-reply@example.com>`. */
  readonly from: string;
  readonly tuning?: EmailDeliveryTuning | undefined;
}

/** A running worker. */
export interface EmailDelivery {
  /** `smtp` or `log`. */
  readonly mode: 'smtp' | 'log';
  /** Runs a delivery round soon (also called on NOTIFY and by the poll timer). */
  wake(): void;
  /** Stops polling and listening, waits for the round in progress, closes the SMTP transport. */
  stop(): Promise<void>;
}

/** The default sender. */
export const DEFAULT_MAIL_FROM = 'Gatehouse <no-reply@gatehouse.localhost>';

/** SMTP via nodemailer. Short timeouts keep a send well inside the worker's lease. */
function smtpTransport(url: string, from: string): EmailTransport & { close(): void } {
  const mailer = createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    kind: 'sent',
    async send(e: ClaimedEmail) {
      await mailer.sendMail({
        from,
        to: e.to,
        subject: e.subject,
        text: e.text,
        ...(e.html ? { html: e.html } : {}),
        // Stable per email: a retry after a lost acknowledgement can be recognised downstream.
        messageId: `<${e.id}@gatehouse>`,
        headers: { 'X-Gatehouse-Email-Id': e.id, 'X-Gatehouse-Kind': e.kind },
      });
    },
    close: () => mailer.close(),
  };
}

/** No SMTP server (development): the message goes to the log, where a developer finds the link. */
function logTransport(logger: Logger): EmailTransport {
  return {
    kind: 'logged',
    async send(e: ClaimedEmail) {
      logger.info(
        { emailId: e.id, to: e.to, subject: e.subject, kind: e.kind, text: e.text },
        `email to ${e.to} (SMTP_URL is not set, so it was not sent): ${e.subject}\n${e.text}`,
      );
    },
  };
}

/**
 * Starts the worker.
 *
 * @example
 * const delivery = await startEmailDelivery({ gatedb, logger, smtpUrl: process.env.SMTP_URL, from });
 * // ... later
 * await delivery.stop();
 */
export async function startEmailDelivery(options: EmailDeliveryOptions): Promise<EmailDelivery> {
  const { gatedb, logger } = options;
  const tuning = options.tuning ?? {};
  const smtp = options.smtpUrl ? smtpTransport(options.smtpUrl, options.from) : null;
  const transport = smtp ?? logTransport(logger);
  if (!smtp) {
    logger.warn(
      'SMTP_URL is not set: emails are not sent but written to this log, one-time links included. For development only: set SMTP_URL to send them.',
    );
  }
  let stopped = false;
  let again = false;
  let running: Promise<void> | null = null;

  const onError = (email: ClaimedEmail, err: unknown, outcome: 'retry' | 'failed') =>
    logger.warn(
      { err, emailId: email.id, to: email.to, attempts: email.attempts, outcome },
      outcome === 'failed'
        ? `email ${email.id} failed for good after ${email.attempts} attempts`
        : `email ${email.id} failed; will retry`,
    );

  async function rounds(): Promise<void> {
    do {
      again = false;
      let more = true;
      while (more && !stopped) {
        more = (await deliverDueEmails(gatedb.db, transport, { ...tuning, onError })).more;
      }
    } while (again && !stopped);
  }

  function wake(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = rounds()
      .catch((err: unknown) => {
        if (!stopped) logger.error({ err }, 'email delivery round failed');
      })
      .finally(() => {
        running = null;
      });
  }

  const timer = setInterval(wake, tuning.pollMs ?? 1000);
  timer.unref();
  const unlisten = await gatedb.listen(EMAIL_CHANNEL, wake);
  wake();
  return {
    mode: smtp ? 'smtp' : 'log',
    wake,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await unlisten();
      await running;
      smtp?.close();
    },
  };
}
