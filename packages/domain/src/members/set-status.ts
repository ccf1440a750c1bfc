/**
 * User lifecycle in an org (M6): deactivate (every check for them is denied from that revision
 * on, and their sessions in the org end in the same write; the last Owner cannot be
 * deactivated) and reactivate (their assignments hold again; they log in anew).
 */
import type { OrgCall } from '../call.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { endSessionsOf } from '../sessions/index.js';
import { type MemberView, memberView, requireMember } from './view.js';

/** Sets a member's status (`members.update` at the root). Idempotent. */
export async function setMemberStatus(
  call: OrgCall,
  input: { userId: string; status: 'active' | 'deactivated' },
): Promise<WriteResult<MemberView>> {
  return orgWrite(call, async (w) => {
    await applyMemberStatus(w, input.userId, input.status);
    return memberView(w, input.userId);
  });
}

/**
 * The status change inside a write, shared with SCIM deprovisioning (S5): `members.update` at
 * the root, audited, an outbox event, and on deactivation the member's sessions in the org end;
 * no-op when the status is already `status`.
 */
export async function applyMemberStatus(
  w: OrgWrite,
  userId: string,
  status: 'active' | 'deactivated',
): Promise<void> {
  w.authorize('members.update', w.orgId);
  const before = await requireMember(w, userId);
  if (before === status) return;
  w.authorizeTarget(userId);
  await w.trx
    .updateTable('members')
    .set({ status, updated_at: new Date() })
    .where('org_id', '=', w.orgId)
    .where('user_id', '=', userId)
    .execute();
  w.audit({
    action: status === 'deactivated' ? 'Deactivated' : 'Reactivated',
    entityType: 'member',
    entityId: userId,
    scopeId: w.orgId,
    before: { status: before },
    after: { status },
  });
  w.emit(status === 'deactivated' ? 'member.deactivated' : 'member.reactivated', { userId });
  if (status === 'deactivated') await endSessionsOf(w, userId, 'member deactivated');
}
