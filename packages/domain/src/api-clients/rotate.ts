/** K2: a new key for an API client (the old one stops working). */
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { API_CLIENT_KEYS, rotateIssued } from '../rules/index.js';
import { apiClientView, type IssuedKey, rolesOf } from './view.js';

/** K1: issues a new secret; the old one stops working at once. */
export async function rotateApiClient(
  call: OrgCall,
  { clientId }: { readonly clientId: string },
): Promise<WriteResult<IssuedKey>> {
  return orgWrite(call, async (w) => {
    w.authorize('apiClients.manage', w.orgId);
    // Whoever holds the new key acts as the client: only someone above it may mint one.
    const { row, secret: key } = await rotateIssued(w, API_CLIENT_KEYS, clientId, () =>
      w.authorizeTarget(clientId),
    );
    return { client: apiClientView(row, await rolesOf(w, clientId)), key };
  });
}
