/**
 * M6, seed 003 "Reset MFA — re-enroll the user for multi-factor authentication": an org's admin
 * removes a member's authenticator and recovery codes and signs the member out of this org; at
 * their next sign-in the password alone lets them in (restricted to enrolling again where the org
 * requires MFA). It needs `members.update` at the org root and that the actor outranks the member
 * (R8, `authorizeTarget`): a Manager cannot reset an Owner. A factor is the account's, not one
 * org's, so an org's admin resets only people who belong to their org alone (as editing an
 * account, ../members/update.ts): for someone other orgs know too, only the instance admin may,
 * or another org could strip the factor that guards them there. Audited `MfaReset`.
 */
import type { OrgCall } from '../call.js';
import { forbidden } from '../errors.js';
import { clock } from '../invitations/index.js';
import { requireMember } from '../members/index.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import { endSessionsOf } from '../sessions/index.js';
import { removeFactors } from './factors.js';

/** What an admin's MFA reset did. */
export interface MemberMfaReset {
  readonly userId: string;
  /** Factors removed (0 when the member had none: the reset still ends their sessions). */
  readonly removedFactors: number;
  /** The member's sessions in this org it ended. */
  readonly endedSessions: number;
}

/**
 * Removes a member's factors and recovery codes and ends their sessions in this org. FORBIDDEN
 * without `members.update` at the root, against a member who outranks the actor, or for a member
 * of other orgs too (but for the instance admin); NOT_FOUND for a user who is not a member.
 *
 * @example
 * const { result } = await resetMemberMfa(call, { userId: 'usr_…' });
 */
export async function resetMemberMfa(
  call: OrgCall,
  { userId }: { readonly userId: string },
): Promise<WriteResult<MemberMfaReset>> {
  const { caller } = call;
  return orgEventWrite(call, async (w) => {
    w.authorize('members.update', w.orgId);
    await requireMember(w, userId);
    w.authorizeTarget(userId);
    if (caller.principal.kind !== 'instance_admin' && caller.principal.kind !== 'system') {
      const elsewhere = await w.trx
        .selectFrom('members')
        .select('org_id')
        .where('user_id', '=', userId)
        .where('org_id', '!=', w.orgId)
        .limit(1)
        .executeTakeFirst();
      if (elsewhere) {
        throw forbidden(
          `${userId} also belongs to other organizations; their multi-factor authentication guards those too, so only they or the instance admin can reset it`,
        );
      }
    }
    await w.trx
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .forNoKeyUpdate()
      .execute();
    const now = clock(call.services);
    const removedFactors = await removeFactors(w.trx, userId, now);
    const endedSessions = await endSessionsOf(
      w,
      userId,
      'multi-factor authentication reset by an administrator',
    );
    w.audit({
      action: 'MfaReset',
      entityType: 'user',
      entityId: userId,
      scopeId: w.orgId,
      after: { removedFactors, sessionsEnded: endedSessions },
    });
    w.emit('member.mfa_reset', { userId, removedFactors, endedSessions });
    return { userId, removedFactors, endedSessions };
  });
}
