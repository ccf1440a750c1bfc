/** R2: define a custom role. */
import type { OrgCall } from '../call.js';
import { roleDef } from '../engine/index.js';
import { conflict, invalid, isUniqueViolation } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { KEY_RE, type RoleInput, roleColumns, validateRole } from './validate.js';
import { type RoleView, roleView } from './view.js';

/** R3: defines a custom role (`roles.manage` at the root). */
export async function createRole(call: OrgCall, input: RoleInput): Promise<WriteResult<RoleView>> {
  const { orgId } = call;
  const key =
    input.key ??
    `custom_${input.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 50)}`;
  if (!KEY_RE.test(key))
    throw invalid('key must be 2–63 characters: a-z, 0-9, _; starting with a letter');
  try {
    return await orgWrite(call, async (w) => {
      w.authorize('roles.manage', orgId);
      validateRole(w, input);
      if (w.engine.role(key)) throw conflict(`role "${key}" already exists`);
      const row = await w.trx
        .insertInto('roles')
        .values({ org_id: orgId, key, ...roleColumns(input) })
        .returningAll()
        .executeTakeFirstOrThrow();
      const v = roleView(w, roleDef(row));
      w.audit({ action: 'Created', entityType: 'role', entityId: key, scopeId: orgId, after: v });
      w.emit('role.created', { ...v });
      return v;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`role "${key}" already exists`);
    throw e;
  }
}
