/** S4: a new secret for a SCIM token. */
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { rotateIssued, SCIM_TOKENS } from '../rules/index.js';
import { authorizeDirectoryAdmin, type IssuedScimToken, scimTokenView } from './token-view.js';

/** S4: replaces a token's secret; the old one stops working at once. */
export async function rotateScimToken(
  call: OrgCall,
  { tokenId }: { readonly tokenId: string },
): Promise<WriteResult<IssuedScimToken>> {
  return orgWrite(call, async (w) => {
    authorizeDirectoryAdmin(w);
    const { row, secret: token } = await rotateIssued(w, SCIM_TOKENS, tokenId);
    return { scimToken: scimTokenView(row), token };
  });
}
