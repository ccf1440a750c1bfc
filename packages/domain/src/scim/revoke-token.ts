/** S4: revoke a SCIM token. */
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { loadCredential, revokeCredential } from '../rules/index.js';
import { authorizeDirectoryAdmin, type ScimTokenView, scimTokenView } from './token-view.js';

/** S4: revokes a token; requests with it are refused from then on. Idempotent. */
export async function revokeScimToken(
  call: OrgCall,
  { tokenId }: { readonly tokenId: string },
): Promise<WriteResult<ScimTokenView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    authorizeDirectoryAdmin(w);
    const before = await loadCredential(w, 'scim_tokens', tokenId);
    if (before.revoked_at) return scimTokenView(before);
    const row = await revokeCredential(w, 'scim_tokens', before);
    w.audit({ action: 'Revoked', entityType: 'scim_token', entityId: tokenId, scopeId: orgId });
    w.emit('scim_token.revoked', { tokenId });
    return scimTokenView(row);
  });
}
