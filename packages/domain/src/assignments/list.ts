/** The role assignments at a scope. */
import type { OrgCall } from '../call.js';
import { authorizeRead } from '../org-read.js';
import { type AssignmentView, assignmentView } from '../rules/index.js';

/** Assignments of the org, optionally of one subject or at one scope (`roles.read`). */
export async function listAssignments(
  call: OrgCall,
  filter: {
    subjectId?: string | undefined;
    scopeId?: string | undefined;
    cursor?: string | undefined;
    limit?: number | undefined;
  } = {},
): Promise<{ items: AssignmentView[]; nextCursor: string | null }> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'roles.read', filter.scopeId ?? orgId);
  const limit = filter.limit ?? 100;
  let q = s.db
    .selectFrom('assignments')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .limit(limit + 1);
  if (filter.subjectId) q = q.where('subject_id', '=', filter.subjectId);
  if (filter.scopeId) q = q.where('scope_id', '=', filter.scopeId);
  if (filter.cursor) q = q.where('id', '>', filter.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(assignmentView);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
