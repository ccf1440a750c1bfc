/** What adding and removing group members share: the checks, and an audit entry and event per member changed. */
import type { GroupRow } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { authorizeGroup, authorizeGroupRoles, loadGroup, memberCount } from './access.js';
import { type GroupView, groupView } from './view.js';

/** Which members of which group a membership change names. */
export interface GroupMembersInput {
  readonly groupId: string;
  readonly memberIds: readonly string[];
}

/**
 * Changes a group's membership member by member in one write: `apply` changes one member and says
 * whether anything changed; each change is audited (`GroupMemberAdded` / `GroupMemberRemoved`)
 * and evented (`group.member_added` / `group.member_removed`).
 */
export function changeGroupMembers(
  call: OrgCall,
  input: GroupMembersInput,
  change: 'added' | 'removed',
  apply: (w: OrgWrite, group: GroupRow, memberId: string) => Promise<boolean>,
): Promise<WriteResult<GroupView>> {
  return orgWrite(call, async (w) => {
    const g = await loadGroup(w, input.groupId);
    authorizeGroup(w, g);
    await authorizeGroupRoles(w, g.id);
    for (const memberId of input.memberIds) {
      if (!(await apply(w, g, memberId))) continue;
      const member = { memberId };
      w.audit({
        action: change === 'added' ? 'GroupMemberAdded' : 'GroupMemberRemoved',
        entityType: 'group',
        entityId: g.id,
        scopeId: w.orgId,
        ...(change === 'added' ? { after: member } : { before: member }),
      });
      w.emit(`group.member_${change}`, { groupId: g.id, memberId });
    }
    return groupView(g, await memberCount(w, g.id));
  });
}
