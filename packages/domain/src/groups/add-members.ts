/** G2: add users to a group. */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { subjectTypeOf } from '../rules/index.js';
import { authorizeGroup, authorizeGroupRoles, loadGroup, memberCount } from './access.js';
import { type GroupView, groupView } from './view.js';

/** G1: adds users or API clients to a group. */
export async function addGroupMembers(
  call: OrgCall,
  input: { groupId: string; memberIds: readonly string[] },
): Promise<WriteResult<GroupView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    const g = await loadGroup(w, input.groupId);
    authorizeGroup(w, g);
    await authorizeGroupRoles(w, g.id);
    for (const id of input.memberIds) {
      const type = await subjectTypeOf(w, id);
      if (type === 'group') throw invalid('groups hold users and API clients, not other groups');
      const ins = await w.trx
        .insertInto('group_members')
        .values({ org_id: orgId, group_id: g.id, member_id: id })
        .onConflict((oc) => oc.doNothing())
        .returning('member_id')
        .executeTakeFirst();
      if (ins) {
        w.audit({
          action: 'GroupMemberAdded',
          entityType: 'group',
          entityId: g.id,
          scopeId: orgId,
          after: { memberId: id },
        });
        w.emit('group.member_added', { groupId: g.id, memberId: id });
      }
    }
    return groupView(g, await memberCount(w, g.id));
  });
}
