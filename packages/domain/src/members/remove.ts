/** M5: remove a member from a scope or from the org. */
import type { OrgCall } from '../call.js';
import { notFound } from '../errors.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { revokeAssignment } from '../rules/index.js';
import { endSessionsOf } from '../sessions/index.js';
import { requireMember } from './view.js';

/** Input of `removeMember`: from one scope (and below), or from the whole org. */
export interface RemoveMemberInput {
  readonly userId: string;
  /** Omitted or the org id: remove from the organization entirely. */
  readonly scopeId?: string | undefined;
}

/**
 * M5: removes the member's own assignments at a scope and below, or removes them from the org
 * (assignments, group memberships, membership, and their sessions in the org end). Refused when
 * it would leave no Owner (M7).
 */
export async function removeMember(
  call: OrgCall,
  input: RemoveMemberInput,
): Promise<WriteResult<{ removed: number }>> {
  return orgWrite(call, (w) => removeMemberIn(w, input));
}

/** `removeMember` inside a write that is already open (SCIM checks its If-Match first). */
export async function removeMemberIn(
  w: OrgWrite,
  input: RemoveMemberInput,
): Promise<{ removed: number }> {
  const orgId = w.orgId;
  {
    const scopeId = input.scopeId ?? orgId;
    if (!w.engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
    w.authorize('members.remove', scopeId);
    await requireMember(w, input.userId);
    if (scopeId === orgId) w.authorizeTarget(input.userId);
    const below = new Set(w.engine.scopesBelow(scopeId));
    const rows = (
      await w.trx
        .selectFrom('assignments')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('subject_id', '=', input.userId)
        .execute()
    ).filter((a) => below.has(a.scope_id));
    for (const a of rows) await revokeAssignment(w, a);
    if (scopeId === orgId) {
      await w.trx
        .deleteFrom('group_members')
        .where('org_id', '=', orgId)
        .where('member_id', '=', input.userId)
        .execute();
      await w.trx
        .deleteFrom('members')
        .where('org_id', '=', orgId)
        .where('user_id', '=', input.userId)
        .execute();
      w.audit({
        action: 'MemberRemoved',
        entityType: 'member',
        entityId: input.userId,
        scopeId: orgId,
      });
      w.emit('member.removed', { userId: input.userId });
      await endSessionsOf(w, input.userId, 'member removed');
    }
    return { removed: rows.length };
  }
}
