/** I3: an org's claimed domains. */
import type { OrgCall } from '../call.js';
import { authorizeRead } from '../org-read.js';
import { type DomainView, domainView } from './rows.js';

/** I3: the org's domains, by name (`domains.read` at the root). */
export async function listDomains(call: OrgCall): Promise<DomainView[]> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'domains.read', orgId);
  const rows = await s.db
    .selectFrom('org_domains')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('domain')
    .execute();
  return rows.map(domainView);
}
