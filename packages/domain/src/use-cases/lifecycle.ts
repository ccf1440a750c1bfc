/**
 * User lifecycle in an org (M6): deactivate (every check for them is denied from that revision
 * on; the last Owner cannot be deactivated) and reactivate (their assignments hold again).
 */
import type { Caller } from '../context.js';
import { notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import { type MemberView, memberView } from './members.js';

/** Sets a member's status (`members.update` at the root). Idempotent. */
export async function setMemberStatus(
  s: Services,
  caller: Caller,
  orgId: string,
  input: { userId: string; status: 'active' | 'deactivated' },
): Promise<WriteResult<MemberView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    w.authorize('members.update', orgId);
    const before = await w.trx
      .selectFrom('members')
      .select('status')
      .where('org_id', '=', orgId)
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (!before) throw notFound(`member ${input.userId}`);
    if (before.status !== input.status) {
      await w.trx
        .updateTable('members')
        .set({ status: input.status, updated_at: new Date() })
        .where('org_id', '=', orgId)
        .where('user_id', '=', input.userId)
        .execute();
      const action = input.status === 'deactivated' ? 'Deactivated' : 'Reactivated';
      w.audit({
        action,
        entityType: 'member',
        entityId: input.userId,
        scopeId: orgId,
        before: { status: before.status },
        after: { status: input.status },
      });
      w.emit(input.status === 'deactivated' ? 'member.deactivated' : 'member.reactivated', {
        userId: input.userId,
      });
    }
    return memberView(w, input.userId);
  });
}
