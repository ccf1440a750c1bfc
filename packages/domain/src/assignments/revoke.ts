/** R6: take a role from a subject at a scope. */
import type { OrgCall } from '../call.js';
import { notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { type AssignmentView, assignmentView, revokeAssignment } from '../rules/index.js';

/** Takes an assignment away by id. */
export async function revokeRole(
  call: OrgCall,
  { assignmentId }: { readonly assignmentId: string },
): Promise<WriteResult<AssignmentView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    const row = await w.trx
      .selectFrom('assignments')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', assignmentId)
      .executeTakeFirst();
    if (!row) throw notFound(`assignment ${assignmentId}`);
    await revokeAssignment(w, row);
    return assignmentView(row);
  });
}
