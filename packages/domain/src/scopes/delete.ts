/** T2: delete a scope and what lies under it. */
import type { OrgCall } from '../call.js';
import { conflict, invalid, notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { revokeAssignment } from '../rules/index.js';
import { scopeView } from './view.js';

/**
 * T2: deletes a scope and the scopes below it (`scopes.delete` there). Refused with CONFLICT
 * while any assignment sits in that subtree, unless `cascade` (which revokes them, audited).
 */
export async function deleteScope(
  call: OrgCall,
  input: { scopeId: string; cascade?: boolean | undefined },
): Promise<WriteResult<{ deletedScopes: number; revokedAssignments: number }>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    if (input.scopeId === orgId) throw invalid('the organization root scope cannot be deleted');
    if (!w.engine.hasScope(input.scopeId)) throw notFound(`scope ${input.scopeId}`);
    w.authorize('scopes.delete', input.scopeId);
    const subtree = w.engine.scopesBelow(input.scopeId);
    const held = await w.trx
      .selectFrom('assignments')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('scope_id', 'in', subtree)
      .execute();
    if (held.length > 0 && !input.cascade) {
      throw conflict(
        `scope ${input.scopeId} still holds ${held.length} role assignment(s); remove them or pass cascade: true`,
        {
          assignments: held.length,
        },
      );
    }
    for (const a of held) await revokeAssignment(w, a);
    const rows = await w.trx
      .selectFrom('scopes')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', 'in', subtree)
      .execute();
    // Children first: the parent foreign key refuses orphaning.
    for (const id of [...subtree].reverse()) {
      await w.trx.deleteFrom('scopes').where('org_id', '=', orgId).where('id', '=', id).execute();
    }
    // Groups limited to a deleted scope lose that limit (an empty limit list means: nowhere).
    const groups = await w.trx
      .selectFrom('groups')
      .select(['id', 'limited_to'])
      .where('org_id', '=', orgId)
      .execute();
    for (const g of groups) {
      if (g.limited_to?.some((l) => subtree.includes(l))) {
        await w.trx
          .updateTable('groups')
          .set({ limited_to: g.limited_to.filter((l) => !subtree.includes(l)) })
          .where('org_id', '=', orgId)
          .where('id', '=', g.id)
          .execute();
      }
    }
    for (const r of rows) {
      w.audit({
        action: 'Deleted',
        entityType: 'scope',
        entityId: r.id,
        scopeId: r.parent_id,
        before: scopeView(r),
      });
    }
    w.emit('scope.deleted', { scopeId: input.scopeId, deletedScopes: rows.length });
    return { deletedScopes: rows.length, revokedAssignments: held.length };
  });
}
