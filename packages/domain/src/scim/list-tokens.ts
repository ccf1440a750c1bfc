/** S4: an org's SCIM tokens. */
import type { OrgCall } from '../call.js';
import { authorizeRead } from '../org-read.js';
import { type ScimTokenView, scimTokenView } from './token-view.js';

/** S4: the org's SCIM tokens (`scim.manage`). */
export async function listScimTokens(call: OrgCall): Promise<ScimTokenView[]> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'scim.manage', orgId);
  const rows = await s.db
    .selectFrom('scim_tokens')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  return rows.map(scimTokenView);
}
