/** S4: a new secret for a SCIM token. */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { loadCredential, rotateCredential } from '../rules/index.js';
import { authorizeDirectoryAdmin, type IssuedScimToken, scimTokenView } from './token-view.js';

/** S4: replaces a token's secret; the old one stops working at once. */
export async function rotateScimToken(
  call: OrgCall,
  { tokenId }: { readonly tokenId: string },
): Promise<WriteResult<IssuedScimToken>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    authorizeDirectoryAdmin(w);
    const before = await loadCredential(w, 'scim_tokens', tokenId);
    if (before.revoked_at) throw invalid(`SCIM token ${tokenId} is revoked`);
    const { row, secret: token } = await rotateCredential(w, 'scim_tokens', before);
    w.audit({
      action: 'SecretRotated',
      entityType: 'scim_token',
      entityId: tokenId,
      scopeId: orgId,
    });
    w.emit('scim_token.rotated', { tokenId });
    return { scimToken: scimTokenView(row), token };
  });
}
