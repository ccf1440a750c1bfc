/**
 * M6, seed 003 "Reset Password — trigger a password reset": an org's admin sends a member a
 * reset link (the same link and email as "forgot password", ./links.ts, recording who asked) and
 * signs the member out of this org. It needs `members.update` at the org root and, as every act
 * on another subject, that the actor outranks the member (R8, `authorizeTarget`): a Manager
 * cannot reset an Owner. The member's sessions in other orgs are left alone (an org's admin
 * reaches their own org only); the link, once used, ends those too, as the member's own choice.
 */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { clock } from '../invitations/index.js';
import { requireMember } from '../members/index.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import { instanceSecretKey } from '../rules/index.js';
import { endSessionsOf } from '../sessions/index.js';
import { describeActor } from './actor.js';
import { issueResetLink } from './links.js';
import { resetRefusal } from './policy.js';

/** What an admin's reset did (the link is in the member's email only). */
export interface MemberPasswordReset {
  readonly userId: string;
  readonly email: string;
  readonly linkExpiresAt: string;
  /** The member's sessions in this org it ended. */
  readonly endedSessions: number;
}

/**
 * Emails a member a password reset link and ends their sessions in this org. FORBIDDEN without
 * `members.update` at the root or against a member who outranks the actor, NOT_FOUND for a user
 * who is not a member, INVALID for a deactivated member; audited `PasswordResetRequested`.
 *
 * @example
 * const { result } = await resetMemberPassword(call, { userId: 'usr_…' });
 * result.linkExpiresAt; // the link itself went to the member's email
 */
export async function resetMemberPassword(
  call: OrgCall,
  { userId }: { readonly userId: string },
): Promise<WriteResult<MemberPasswordReset>> {
  const { services: s } = call;
  const key = await instanceSecretKey(s.db, s.options?.secretKey);
  return orgEventWrite(call, async (w) => {
    w.authorize('members.update', w.orgId);
    const status = await requireMember(w, userId);
    w.authorizeTarget(userId);
    if (status === 'deactivated') {
      throw invalid(
        `member ${userId} is deactivated and cannot sign in; reactivate them before resetting their password`,
      );
    }
    const user = await w.trx
      .selectFrom('users')
      .select(['id', 'email', 'email_lower', 'password_hash'])
      .where('id', '=', userId)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    const refusal = await resetRefusal(s, w.trx, user);
    if (refusal) throw refusal;
    const now = clock(s);
    const orgName = w.engine.snapshot.scopes.find((x) => x.id === w.orgId)?.name ?? w.orgId;
    const requestedBy = await describeActor(w);
    const link = await issueResetLink(
      s,
      w.trx,
      { user, key, admin: { requestedBy, orgId: w.orgId, orgName } },
      now,
    );
    const endedSessions = await endSessionsOf(w, userId, 'password reset by an administrator');
    const linkExpiresAt = link.expiresAt.toISOString();
    w.audit({
      action: 'PasswordResetRequested',
      entityType: 'user',
      entityId: userId,
      scopeId: w.orgId,
      after: { linkId: link.id, linkExpiresAt, sessionsEnded: endedSessions },
    });
    w.emit('member.password_reset_requested', { userId, linkExpiresAt, endedSessions });
    return { userId, email: user.email, linkExpiresAt, endedSessions };
  });
}
