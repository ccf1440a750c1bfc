/** S4: revoke a SCIM token. */
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { revokeIssued, SCIM_TOKENS } from '../rules/index.js';
import { authorizeDirectoryAdmin, type ScimTokenView, scimTokenView } from './token-view.js';

/** S4: revokes a token; requests with it are refused from then on. Idempotent. */
export async function revokeScimToken(
  call: OrgCall,
  { tokenId }: { readonly tokenId: string },
): Promise<WriteResult<ScimTokenView>> {
  return orgWrite(call, async (w) => {
    authorizeDirectoryAdmin(w);
    return scimTokenView(await revokeIssued(w, SCIM_TOKENS, tokenId));
  });
}
