/** G1: rename a group or change its scope limits. */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { authorizeGroup, authorizeGroupRoles, loadGroup, memberCount } from './access.js';
import { checkLimits } from './create.js';
import { type GroupInput, type GroupView, groupView } from './view.js';

/** G1: renames, re-describes or re-limits a group. */
export async function updateGroup(
  call: OrgCall,
  input: Partial<GroupInput> & { groupId: string },
): Promise<WriteResult<GroupView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    const before = await loadGroup(w, input.groupId);
    authorizeGroup(w, before);
    if (input.limitedTo !== undefined) {
      authorizeGroup(w, { limited_to: input.limitedTo ? [...input.limitedTo] : null });
      checkLimits(w, input.limitedTo);
      await authorizeGroupRoles(w, input.groupId);
    }
    if (input.name !== undefined && !input.name.trim()) throw invalid('name must not be empty');
    const after = await w.trx
      .updateTable('groups')
      .set({
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.avatarUrl !== undefined ? { avatar_url: input.avatarUrl } : {}),
        ...(input.limitedTo !== undefined
          ? { limited_to: input.limitedTo ? [...input.limitedTo] : null }
          : {}),
        updated_at: new Date(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', input.groupId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const n = await memberCount(w, input.groupId);
    w.audit({
      action: 'Updated',
      entityType: 'group',
      entityId: input.groupId,
      scopeId: orgId,
      before: groupView(before, n),
      after: groupView(after, n),
    });
    w.emit('group.updated', { ...groupView(after, n) });
    return groupView(after, n);
  });
}
