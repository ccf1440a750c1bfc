/**
 * Issue 14: a signed-in user changes their own password (a `ses_` user session only: an API key
 * has no password). The current password is required, and a wrong one counts against the
 * address's login throttle (../rules/login-throttle.ts) as a failed login does. The new one
 * meets the policy. In one transaction the password is replaced, reset links not used yet stop
 * working, and the user's other sessions end in every org; the session that asked stays signed
 * in. Audited `PasswordChanged` in each org.
 */
import type { Call } from '../call.js';
import type { Caller } from '../context.js';
import { conflict, DomainError, forbidden, invalid, notFound } from '../errors.js';
import { clock } from '../invitations/index.js';
import type { WriteResult } from '../org-write.js';
import {
  checkPasswordPolicy,
  hashPassword,
  PASSWORD_MAX,
  recordLoginFailure,
  refuseWhenThrottled,
  verifyPassword,
} from '../rules/index.js';
import { endSessionsOf } from '../sessions/index.js';
import { inEachOrg, orgsOfUser } from './every-org.js';
import { supersedeResetLinks } from './links.js';

/** Input of `changePassword`. */
export interface ChangePasswordInput {
  readonly currentPassword: string;
  readonly newPassword: string;
  /** The client address, recorded with a failed attempt. */
  readonly ip?: string | undefined;
}

/** What a change did. */
export interface PasswordChanged {
  readonly userId: string;
  /** The user's other sessions it ended, in every org. */
  readonly endedSessions: number;
}

/**
 * Changes the signed-in user's password; their other sessions end.
 *
 * @example
 * await changePassword(sessionCall, { currentPassword, newPassword: 'a new long passphrase' });
 */
export async function changePassword(
  call: Call,
  input: ChangePasswordInput,
): Promise<WriteResult<PasswordChanged>> {
  const { services: s, caller } = call;
  const p = caller.principal;
  if (p.kind !== 'user') {
    throw forbidden(
      "changing a password needs the user's own session (a ses_ token from sessions.login): an API key or the admin key has no password; an administrator sends a member a reset link with members.resetPassword",
    );
  }
  const user = await s.db
    .selectFrom('users')
    .select(['id', 'email', 'email_lower', 'password_hash'])
    .where('id', '=', p.userId)
    .executeTakeFirst();
  if (!user) throw notFound(`user ${p.userId}`);
  if (!user.password_hash) {
    throw invalid(
      'this account has no password to change; ask for a reset link (accounts.requestPasswordReset) to set one',
    );
  }
  await refuseWhenThrottled(s, user.email_lower, clock(s));
  const current = user.password_hash;
  const matches =
    input.currentPassword.length <= PASSWORD_MAX &&
    (await verifyPassword(input.currentPassword, current));
  if (!matches) {
    await recordLoginFailure(
      s,
      { emailLower: user.email_lower, orgId: p.orgId, ip: input.ip },
      clock(s),
    );
    throw new DomainError('UNAUTHENTICATED', 'the current password is wrong');
  }
  if (input.newPassword === input.currentPassword) {
    throw invalid('the new password is the same as the current one; choose a different one');
  }
  checkPasswordPolicy(input.newPassword, { email: user.email });
  const passwordHash = await hashPassword(input.newPassword);
  // In other orgs the change is recorded by the system on the user's behalf: a session reaches
  // its own org only.
  const system: Caller = {
    principal: { kind: 'system' },
    source: caller.source,
    requestId: caller.requestId,
  };
  let revision = 0;
  const result = await s.db.transaction().execute(async (trx) => {
    const ids = await orgsOfUser(trx, user.id);
    if (!ids.includes(p.orgId)) ids.push(p.orgId);
    const callerFor = (orgId: string) => (orgId === p.orgId ? caller : system);
    return inEachOrg(s, trx, { ids, callerFor }, async (writes) => {
      const now = clock(s);
      // Under the account's lock: a change or reset that won the race since the check above wins.
      const changed = await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: now })
        .where('id', '=', user.id)
        .where('password_hash', '=', current)
        .returning('id')
        .execute();
      if (changed.length === 0) {
        throw conflict('the password was changed meanwhile; sign in again with the new one');
      }
      await trx.deleteFrom('login_failures').where('email_lower', '=', user.email_lower).execute();
      // A reset link asked for before no longer works: the user has just proved the password.
      await supersedeResetLinks(trx, user.id, now);
      let endedSessions = 0;
      for (const w of writes) {
        if (w.orgId === p.orgId) revision = w.revision;
        const ended = await endSessionsOf(w, user.id, 'password changed', {
          except: p.sessionId,
        });
        endedSessions += ended;
        w.audit({
          action: 'PasswordChanged',
          entityType: 'user',
          entityId: user.id,
          scopeId: w.orgId,
          after: { by: user.id, sessionsEnded: ended },
        });
        w.emit('user.password_changed', { userId: user.id, sessionsEnded: ended });
      }
      return { userId: user.id, endedSessions };
    });
  });
  return { result, revision };
}
