/** G2: remove users from a group. */
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { authorizeGroup, authorizeGroupRoles, loadGroup, memberCount } from './access.js';
import { type GroupView, groupView } from './view.js';

/** G1: removes members from a group. */
export async function removeGroupMembers(
  call: OrgCall,
  input: { groupId: string; memberIds: readonly string[] },
): Promise<WriteResult<GroupView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    const g = await loadGroup(w, input.groupId);
    authorizeGroup(w, g);
    await authorizeGroupRoles(w, g.id);
    for (const id of input.memberIds) {
      const del = await w.trx
        .deleteFrom('group_members')
        .where('org_id', '=', orgId)
        .where('group_id', '=', g.id)
        .where('member_id', '=', id)
        .executeTakeFirst();
      if (Number(del.numDeletedRows) > 0) {
        w.audit({
          action: 'GroupMemberRemoved',
          entityType: 'group',
          entityId: g.id,
          scopeId: orgId,
          before: { memberId: id },
        });
        w.emit('group.member_removed', { groupId: g.id, memberId: id });
      }
    }
    return groupView(g, await memberCount(w, g.id));
  });
}
