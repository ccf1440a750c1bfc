/** K1: create an API client with roles; its key is shown once. */

import { newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { assertNoSlotClash, grantRole, insertCredential, type RoleAt } from '../rules/index.js';
import { apiClientView, type IssuedKey, rolesOf } from './view.js';

/** K1: creates an API client with roles (`apiClients.manage` at the root; each role under R6). */
export async function createApiClient(
  call: OrgCall,
  input: { name: string; roles: readonly RoleAt[] },
): Promise<WriteResult<IssuedKey>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    w.authorize('apiClients.manage', orgId);
    if (!input.name.trim()) throw invalid('name must not be empty');
    assertNoSlotClash(w, input.roles);
    const id = newId('apiClient');
    const { row, secret: key } = await insertCredential(w, 'api_clients', id, input.name.trim());
    w.audit({
      action: 'Created',
      entityType: 'api_client',
      entityId: id,
      scopeId: orgId,
      after: { name: row.name },
    });
    w.emit('api_client.created', { clientId: id, name: row.name });
    for (const r of input.roles) await grantRole(w, { id, type: 'client' }, r);
    return { client: apiClientView(row, await rolesOf(w, id)), key };
  });
}
