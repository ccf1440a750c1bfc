/** G2: add users to a group. */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import type { WriteResult } from '../org-write.js';
import { subjectTypeOf } from '../rules/index.js';
import { changeGroupMembers, type GroupMembersInput } from './membership.js';
import type { GroupView } from './view.js';

/** G1: adds users or API clients to a group (members already in it are left as they are). */
export function addGroupMembers(
  call: OrgCall,
  input: GroupMembersInput,
): Promise<WriteResult<GroupView>> {
  return changeGroupMembers(call, input, 'added', async (w, g, memberId) => {
    if ((await subjectTypeOf(w, memberId)) === 'group') {
      throw invalid('groups hold users and API clients, not other groups');
    }
    const added = await w.trx
      .insertInto('group_members')
      .values({ org_id: w.orgId, group_id: g.id, member_id: memberId })
      .onConflict((oc) => oc.doNothing())
      .returning('member_id')
      .executeTakeFirst();
    return added !== undefined;
  });
}
