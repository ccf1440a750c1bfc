/** G2: remove users from a group. */
import type { OrgCall } from '../call.js';
import type { WriteResult } from '../org-write.js';
import { changeGroupMembers, type GroupMembersInput } from './membership.js';
import type { GroupView } from './view.js';

/** G1: removes members from a group (ids not in it are ignored). */
export function removeGroupMembers(
  call: OrgCall,
  input: GroupMembersInput,
): Promise<WriteResult<GroupView>> {
  return changeGroupMembers(call, input, 'removed', async (w, g, memberId) => {
    const removed = await w.trx
      .deleteFrom('group_members')
      .where('org_id', '=', w.orgId)
      .where('group_id', '=', g.id)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
    return Number(removed.numDeletedRows) > 0;
  });
}
