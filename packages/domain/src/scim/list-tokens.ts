/** S4: an org's SCIM tokens. */
import type { Caller } from '../context.js';
import { authorizeRead } from '../org-read.js';
import type { Services } from '../services.js';
import { type ScimTokenView, scimTokenView } from './token-view.js';

/** S4: the org's SCIM tokens (`scim.manage`). */
export async function listScimTokens(
  s: Services,
  caller: Caller,
  orgId: string,
): Promise<ScimTokenView[]> {
  await authorizeRead(s, caller, orgId, 'scim.manage', orgId);
  const rows = await s.db
    .selectFrom('scim_tokens')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  return rows.map(scimTokenView);
}
