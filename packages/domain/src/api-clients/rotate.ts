/** K2: a new key for an API client (the old one stops working). */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { loadCredential, rotateCredential } from '../rules/index.js';
import { apiClientView, type IssuedKey, rolesOf } from './view.js';

/** K1: issues a new secret; the old one stops working at once. */
export async function rotateApiClient(
  call: OrgCall,
  { clientId }: { readonly clientId: string },
): Promise<WriteResult<IssuedKey>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    w.authorize('apiClients.manage', orgId);
    const before = await loadCredential(w, 'api_clients', clientId);
    if (before.revoked_at) throw invalid(`API client ${clientId} is revoked`);
    // Whoever holds the new key acts as the client: only someone above it may mint one.
    w.authorizeTarget(clientId);
    const { row, secret: key } = await rotateCredential(w, 'api_clients', before);
    w.audit({
      action: 'SecretRotated',
      entityType: 'api_client',
      entityId: clientId,
      scopeId: orgId,
    });
    w.emit('api_client.rotated', { clientId });
    return { client: apiClientView(row, await rolesOf(w, clientId)), key };
  });
}
