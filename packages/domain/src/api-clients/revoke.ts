/** K2: revoke an API client. */
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { API_CLIENT_KEYS, revokeIssued } from '../rules/index.js';
import { type ApiClientView, apiClientView, rolesOf } from './view.js';

/** K1: revokes a client: its key stops working and every check for it is denied. */
export async function revokeApiClient(
  call: OrgCall,
  { clientId }: { readonly clientId: string },
): Promise<WriteResult<ApiClientView>> {
  return orgWrite(call, async (w) => {
    w.authorize('apiClients.manage', w.orgId);
    const row = await revokeIssued(w, API_CLIENT_KEYS, clientId, () => w.authorizeTarget(clientId));
    return apiClientView(row, await rolesOf(w, clientId));
  });
}
