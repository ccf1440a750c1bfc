/** R2: delete a custom role nobody holds. */
import type { OrgCall } from '../call.js';
import { conflict, invalid, notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { roleView } from './view.js';

/** R3: deletes a custom role; refused with CONFLICT while it is assigned. */
export async function deleteRole(
  call: OrgCall,
  { key }: { readonly key: string },
): Promise<WriteResult<{ key: string }>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    w.authorize('roles.manage', orgId);
    const before = w.engine.role(key);
    if (!before) throw notFound(`role ${key}`);
    if (before.builtIn) throw invalid(`built-in role ${key} cannot be deleted`);
    const used = await w.trx
      .selectFrom('assignments')
      .select('id')
      .where('org_id', '=', orgId)
      .where('role_key', '=', key)
      .limit(1)
      .execute();
    if (used.length) throw conflict(`role ${key} is still assigned; revoke its assignments first`);
    await w.trx.deleteFrom('roles').where('org_id', '=', orgId).where('key', '=', key).execute();
    w.audit({
      action: 'Deleted',
      entityType: 'role',
      entityId: key,
      scopeId: orgId,
      before: roleView(w, before),
    });
    w.emit('role.deleted', { key });
    return { key };
  });
}
