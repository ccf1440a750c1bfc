/** G1: delete a group (its members lose what it gave them). */
import type { OrgCall } from '../call.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { revokeAssignment } from '../rules/index.js';
import { authorizeGroup, loadGroup } from './access.js';
import { groupView } from './view.js';

/** G1: deletes a group, revoking its assignments (each under R6). */
export async function deleteGroup(
  call: OrgCall,
  { groupId }: { readonly groupId: string },
): Promise<WriteResult<{ groupId: string }>> {
  return orgWrite(call, (w) => deleteGroupIn(w, groupId));
}

/** `deleteGroup` inside a write that is already open (SCIM checks its If-Match first). */
export async function deleteGroupIn(w: OrgWrite, groupId: string): Promise<{ groupId: string }> {
  const orgId = w.orgId;
  {
    const g = await loadGroup(w, groupId);
    authorizeGroup(w, g);
    const held = await w.trx
      .selectFrom('assignments')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('subject_id', '=', groupId)
      .execute();
    for (const a of held) await revokeAssignment(w, a);
    await w.trx
      .deleteFrom('groups')
      .where('org_id', '=', orgId)
      .where('id', '=', groupId)
      .execute();
    w.audit({
      action: 'Deleted',
      entityType: 'group',
      entityId: groupId,
      scopeId: orgId,
      before: groupView(g, 0),
    });
    w.emit('group.deleted', { groupId });
    return { groupId };
  }
}
