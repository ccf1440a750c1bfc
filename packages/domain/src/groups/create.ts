/** G1: create a group, optionally limited to scopes. */

import { newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { invalid, notFound } from '../errors.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { type GroupInput, type GroupView, groupView } from './view.js';

/** A group's scope limits must name scopes of the org. */
export function checkLimits(w: OrgWrite, limitedTo: readonly string[] | null | undefined): void {
  for (const id of limitedTo ?? []) if (!w.engine.hasScope(id)) throw notFound(`scope ${id}`);
  if (limitedTo && limitedTo.length === 0)
    throw invalid('limitedTo must name at least one scope, or be null for org-wide');
}

/** G1: creates a group (`groups.manage` at the root, or at every scope it is limited to). */
export async function createGroup(
  call: OrgCall,
  input: GroupInput,
): Promise<WriteResult<GroupView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    for (const scope of input.limitedTo ?? [orgId]) w.authorize('groups.manage', scope);
    checkLimits(w, input.limitedTo);
    if (!input.name.trim()) throw invalid('name must not be empty');
    const row = await w.trx
      .insertInto('groups')
      .values({
        org_id: orgId,
        id: newId('group'),
        name: input.name.trim(),
        description: input.description ?? null,
        avatar_url: input.avatarUrl ?? null,
        limited_to: input.limitedTo ? [...input.limitedTo] : null,
        external_id: null,
        updated_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const v = groupView(row, 0);
    w.audit({ action: 'Created', entityType: 'group', entityId: row.id, scopeId: orgId, after: v });
    w.emit('group.created', { ...v });
    return v;
  });
}
