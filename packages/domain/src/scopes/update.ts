/** T2: rename or move a scope. */
import type { OrgCall } from '../call.js';
import { invalid, notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { type ScopeView, scopeView } from './view.js';

/** T2: renames or re-describes a scope (`scopes.update` there). */
export async function updateScope(
  call: OrgCall,
  input: { scopeId: string; name?: string | undefined; description?: string | null | undefined },
): Promise<WriteResult<ScopeView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    const before = await w.trx
      .selectFrom('scopes')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', input.scopeId)
      .executeTakeFirst();
    if (!before) throw notFound(`scope ${input.scopeId}`);
    w.authorize(input.scopeId === orgId ? 'org.update' : 'scopes.update', input.scopeId);
    if (input.name === undefined && input.description === undefined) {
      throw invalid('nothing to update: send name or description');
    }
    if (input.name !== undefined && !input.name.trim()) throw invalid('name must not be empty');
    const after = await w.trx
      .updateTable('scopes')
      .set({
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', input.scopeId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (input.scopeId === orgId && input.name !== undefined) {
      await w.trx.updateTable('orgs').set({ name: after.name }).where('id', '=', orgId).execute();
    }
    w.audit({
      action: 'Updated',
      entityType: 'scope',
      entityId: after.id,
      scopeId: after.id,
      before: scopeView(before),
      after: scopeView(after),
    });
    w.emit('scope.updated', scopeView(after) as unknown as Record<string, unknown>);
    return scopeView(after);
  });
}
