/** S4: create a SCIM token for the org's identity provider; shown once. */

import { newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { insertCredential } from '../rules/index.js';
import { authorizeDirectoryAdmin, type IssuedScimToken, scimTokenView } from './token-view.js';

/**
 * S4: issues a SCIM token for the org (`scim.manage` at the root).
 *
 * @example
 * const { result } = await createScimToken(services, caller, orgId, { name: 'Entra ID' });
 * // hand result.token to the identity provider, with the URL `${base}/scim/v2`
 */
export async function createScimToken(
  call: OrgCall,
  input: { name?: string | undefined } = {},
): Promise<WriteResult<IssuedScimToken>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    authorizeDirectoryAdmin(w);
    const name = (input.name ?? 'SCIM directory').trim();
    if (!name) throw invalid('name must not be empty');
    const id = newId('scimToken');
    const { row, secret: token } = await insertCredential(w, 'scim_tokens', id, name);
    w.audit({
      action: 'Created',
      entityType: 'scim_token',
      entityId: id,
      scopeId: orgId,
      after: { name },
    });
    w.emit('scim_token.created', { tokenId: id, name });
    return { scimToken: scimTokenView(row), token };
  });
}
