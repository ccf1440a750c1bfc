/**
 * Issue 14 / M6: choosing a new password with a reset link (public: the token is the
 * credential). An unknown, used, superseded or expired link, a password the policy refuses, or
 * an account that may not set its password this way (./policy.ts) gets a clear error and changes
 * nothing. Otherwise, in one transaction: the password is replaced, the link used up, the
 * address's failed logins forgotten, and every session of the account ended in every org, each
 * org auditing `PasswordReset` and the sessions it ended.
 */
import type { Caller } from '../context.js';
import { cancelEmails } from '../emails/index.js';
import { clock } from '../invitations/index.js';
import { checkPasswordPolicy, hashPassword } from '../rules/index.js';
import type { Services } from '../services.js';
import { endSessionsOf } from '../sessions/index.js';
import { inEachOrg, orgsOfUser } from './every-org.js';
import { resetRefusal } from './policy.js';
import { assertUsable, findResetLink, unknownLink } from './rows.js';

/** Input of `resetPassword`. */
export interface ResetPasswordInput {
  /** The token of the link in the email. */
  readonly token: string;
  readonly password: string;
}

/** What a reset did. */
export interface PasswordResetDone {
  readonly userId: string;
  readonly email: string;
  /** The sessions it ended, in every org. */
  readonly endedSessions: number;
}

/**
 * Sets the account's new password from a reset link and signs it out everywhere.
 *
 * @example
 * await resetPassword(s, { token, password: 'a new long passphrase' });
 * await login(s, { email, password: 'a new long passphrase', orgId });
 */
export async function resetPassword(
  s: Services,
  input: ResetPasswordInput,
  opts: { readonly requestId?: string | undefined } = {},
): Promise<PasswordResetDone> {
  const found = input.token ? await findResetLink(s.db, input.token) : undefined;
  if (!found) throw unknownLink();
  assertUsable(found, clock(s));
  const refusal = await resetRefusal(s, s.db, found);
  if (refusal) throw refusal;
  checkPasswordPolicy(input.password, { email: found.email });
  // Hash before the transaction: scrypt is deliberately slow and must not hold org locks.
  const passwordHash = await hashPassword(input.password);
  const caller: Caller = {
    principal: { kind: 'system' },
    source: 'api',
    requestId: opts.requestId,
  };
  const userId = found.user_id;
  return s.db.transaction().execute(async (trx) => {
    const ids = await orgsOfUser(trx, userId);
    return inEachOrg(s, trx, { ids, callerFor: () => caller }, async (writes) => {
      const now = clock(s);
      await trx
        .selectFrom('users')
        .select('id')
        .where('id', '=', userId)
        .forNoKeyUpdate()
        .execute();
      // Again under the locks: a concurrent reset, or a newer link, wins.
      const row = await trx
        .selectFrom('password_resets')
        .selectAll()
        .where('id', '=', found.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      assertUsable(row, now);
      await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: now })
        .where('id', '=', userId)
        .execute();
      await trx
        .updateTable('password_resets')
        .set({ used_at: now })
        .where('id', '=', row.id)
        .execute();
      await cancelEmails(trx, row.id);
      // The right credential: earlier failed logins for the address no longer count.
      await trx.deleteFrom('login_failures').where('email_lower', '=', found.email_lower).execute();
      let endedSessions = 0;
      for (const w of writes) {
        const ended = await endSessionsOf(w, userId, 'password reset');
        endedSessions += ended;
        w.audit({
          action: 'PasswordReset',
          entityType: 'user',
          entityId: userId,
          scopeId: w.orgId,
          after: {
            via: 'reset link',
            linkId: row.id,
            requestedBy: row.requested_by,
            sessionsEnded: ended,
          },
        });
        w.emit('user.password_reset', { userId, sessionsEnded: ended });
      }
      return { userId, email: found.email, endedSessions };
    });
  });
}
