/** Queue an email inside a write's transaction, or cancel queued ones. */
import { newId, sql } from '@gatehouse/db';
import { type SecretKey, sealSecret } from '../rules/index.js';
import { EMAIL_CHANNEL, type Executor, type OutgoingEmail } from './outgoing.js';
import { forgetSecret, hideSecret } from './secrets.js';

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
