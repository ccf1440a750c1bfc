/** R2: change a custom role. */
import type { OrgCall } from '../call.js';
import { roleDef } from '../engine/index.js';
import { invalid, notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { type RoleInput, roleColumns, validateRole } from './validate.js';
import { type RoleView, roleView } from './view.js';

/** R3: changes a custom role (built-in roles are fixed by the preset). */
export async function updateRole(
  call: OrgCall,
  input: RoleInput & { key: string },
): Promise<WriteResult<RoleView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    w.authorize('roles.manage', orgId);
    const before = w.engine.role(input.key);
    if (!before) throw notFound(`role ${input.key}`);
    if (before.builtIn)
      throw invalid(`built-in role ${input.key} cannot be changed; create a custom role`);
    validateRole(w, input);
    const row = await w.trx
      .updateTable('roles')
      .set(roleColumns(input))
      .where('org_id', '=', orgId)
      .where('key', '=', input.key)
      .returningAll()
      .executeTakeFirstOrThrow();
    const v = roleView(w, roleDef(row));
    w.audit({
      action: 'Updated',
      entityType: 'role',
      entityId: input.key,
      scopeId: orgId,
      before: roleView(w, before),
      after: v,
    });
    w.emit('role.updated', { ...v });
    return v;
  });
}
