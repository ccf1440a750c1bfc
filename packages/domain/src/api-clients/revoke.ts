/** K2: revoke an API client. */
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { loadCredential, revokeCredential } from '../rules/index.js';
import { type ApiClientView, apiClientView, rolesOf } from './view.js';

/** K1: revokes a client: its key stops working and every check for it is denied. */
export async function revokeApiClient(
  call: OrgCall,
  { clientId }: { readonly clientId: string },
): Promise<WriteResult<ApiClientView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    w.authorize('apiClients.manage', orgId);
    const before = await loadCredential(w, 'api_clients', clientId);
    if (before.revoked_at) return apiClientView(before, await rolesOf(w, clientId));
    w.authorizeTarget(clientId);
    const row = await revokeCredential(w, 'api_clients', before);
    w.audit({ action: 'Revoked', entityType: 'api_client', entityId: clientId, scopeId: orgId });
    w.emit('api_client.revoked', { clientId });
    return apiClientView(row, await rolesOf(w, clientId));
  });
}
