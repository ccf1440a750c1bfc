/**
 * Issuing a password reset link, shared by the public request and an admin's reset: the user's
 * earlier unused links are superseded (their unsent emails cancelled), the new token is stored
 * as a SHA-256 hash only, and its email is queued in the same transaction with the token sealed
 * under the instance key until sent (as invitation links are, migration 0012).
 */
import { type Database, newId, type Transaction } from '@gatehouse/db';
import { cancelEmails, queueEmail } from '../emails/index.js';
import { publicUrlOf } from '../invitations/index.js';
import { hashSecret, newSecret, type SecretKey } from '../rules/index.js';
import type { Services } from '../services.js';
import { passwordResetEmail, passwordResetLink } from './email.js';

/** How long a reset link works unless `ServiceOptions.passwordResetTtlMs` says otherwise: 30 minutes. */
export const DEFAULT_PASSWORD_RESET_TTL_MS = 30 * 60_000;

/** The deployment's reset link lifetime. */
export const resetTtlMs = (s: Services) =>
  s.options?.passwordResetTtlMs ?? DEFAULT_PASSWORD_RESET_TTL_MS;

/** What `issueResetLink` needs to know about the request. */
export interface ResetLinkRequest {
  readonly user: { readonly id: string; readonly email: string };
  /** The instance secret key (`instanceSecretKey`, read before the transaction). */
  readonly key: SecretKey;
  /** An admin's reset: who asked, and the org (its id and name). */
  readonly admin?:
    | { readonly requestedBy: string; readonly orgId: string; readonly orgName: string }
    | undefined;
  /** A public request's client address. */
  readonly ip?: string | undefined;
}

/**
 * Ends the user's links not used yet (a newer link, a changed password replaces them) and
 * cancels their unsent emails. Returns how many.
 */
export async function supersedeResetLinks(
  trx: Transaction<Database>,
  userId: string,
  now: Date,
): Promise<number> {
  const superseded = await trx
    .updateTable('password_resets')
    .set({ superseded_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('superseded_at', 'is', null)
    .returning('id')
    .execute();
  for (const old of superseded) await cancelEmails(trx, old.id);
  return superseded.length;
}

/**
 * Supersedes the user's open links, stores a new one and queues its email; returns the new
 * link's id and expiry (the token is in the email only).
 */
export async function issueResetLink(
  s: Services,
  trx: Transaction<Database>,
  r: ResetLinkRequest,
  now: Date,
): Promise<{ id: string; expiresAt: Date }> {
  await supersedeResetLinks(trx, r.user.id, now);
  const id = newId('passwordReset');
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + resetTtlMs(s));
  await trx
    .insertInto('password_resets')
    .values({
      id,
      user_id: r.user.id,
      token_hash: hashSecret(token),
      created_at: now,
      expires_at: expiresAt,
      requested_by: r.admin?.requestedBy ?? null,
      org_id: r.admin?.orgId ?? null,
      ip: r.ip?.slice(0, 100) || null,
    })
    .execute();
  const mail = passwordResetEmail({
    email: r.user.email,
    link: passwordResetLink(publicUrlOf(s), token),
    expiresAt,
    byAdminOf: r.admin?.orgName,
  });
  await queueEmail(
    trx,
    {
      // The person's own request belongs to no org; an admin's to the admin's org.
      orgId: r.admin?.orgId ?? null,
      to: r.user.email,
      ...mail,
      kind: 'password_reset',
      refId: id,
      secret: { value: token, expiresAt },
    },
    r.key,
  );
  return { id, expiresAt };
}
