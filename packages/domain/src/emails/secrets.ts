/**
 * The one-time secret of a queued email (issue 10 §4): the bodies hold the placeholder
 * `[secret:<email id>]` while the secret waits in `emails.secret_box`, encrypted under the
 * instance secret key (secret-box.ts), until the worker opens it just before sending. Delivery
 * (sent or logged), a final failure, cancellation and expiry erase the box, and the placeholder
 * then reads `[redacted]`.
 */
import { type Database, type DB, type RawBuilder, sql, type Transaction } from '@gatehouse/db';
import { openSecret, type SecretKey } from '../rules/index.js';
import type { ClaimedEmail } from './outgoing.js';

type Executor = DB | Transaction<Database>;

/** What a body holds in place of the email's secret until it is sent. */
export const secretPlaceholder = (emailId: string) => `[secret:${emailId}]`;

/** `body` with every occurrence of `secret` replaced by email `emailId`'s placeholder. */
export function hideSecret(body: string, secret: string, emailId: string): string {
  return body.split(secret).join(secretPlaceholder(emailId));
}

/**
 * A body with its secret blanked: the placeholder reads `[redacted]`, and so does any link token
 * an email queued before secrets were sealed (migration 0012) still carries.
 */
const scrubbed = (column: 'subject' | 'text' | 'html'): RawBuilder<string> =>
  sql<string>`regexp_replace(replace(${sql.ref(column)}, '[secret:' || id || ']', '[redacted]'),
    '([?&]token=)[A-Za-z0-9_-]+', '\\1[redacted]', 'g')`;

/** What ends an email's hold on its secret: the box erased, the bodies scrubbed. */
export const forgetSecret = () =>
  ({
    secret_box: null,
    subject: scrubbed('subject'),
    text: scrubbed('text'),
    html: scrubbed('html'),
  }) as const;

/**
 * The email as it is to be sent: its secret decrypted into the bodies. SecretBoxError when the
 * box does not open (sealed under another key).
 */
export function openEmail(email: ClaimedEmail, key: SecretKey): ClaimedEmail {
  if (!email.secretBox) return email;
  const secret = openSecret(key, email.secretBox, email.id);
  const show = (body: string) => body.split(secretPlaceholder(email.id)).join(secret);
  return {
    ...email,
    subject: show(email.subject),
    text: show(email.text),
    html: email.html && show(email.html),
    secretBox: null,
  };
}

/**
 * Erases the secrets of unsent emails whose secret expired (the link no longer works): they are
 * `failed` for good. Emails a worker holds a lease on are left to it.
 */
export async function expireEmailSecrets(db: Executor): Promise<number> {
  const res = await db
    .updateTable('emails')
    .set({
      status: 'failed',
      last_error: 'the link expired before the email could be delivered',
      locked_until: null,
      ...forgetSecret(),
    })
    .where('secret_box', 'is not', null)
    .where('secret_expires_at', '<=', sql<Date>`now()`)
    .where((eb) =>
      eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', sql<Date>`now()`)]),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
