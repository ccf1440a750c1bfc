/** I3: an org gives a domain up. */
import type { OrgCall } from '../call.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import { authorizeDomainAdmin, type DomainView, domainView, loadDomain } from './rows.js';

/**
 * I3: deletes the org's domain (`domains.manage` at the root); a verified one stops routing its
 * people and its policies stop applying at once, and another org may then claim and verify it.
 * NOT_FOUND for an unknown id or another org's.
 */
export async function deleteDomain(
  call: OrgCall,
  input: { readonly domainId: string },
): Promise<WriteResult<DomainView>> {
  return orgEventWrite(call, async (w) => {
    authorizeDomainAdmin(w);
    const row = await loadDomain(w.trx, w.orgId, input.domainId);
    await w.trx
      .deleteFrom('org_domains')
      .where('org_id', '=', w.orgId)
      .where('id', '=', row.id)
      .execute();
    w.audit({
      action: 'Deleted',
      entityType: 'domain',
      entityId: row.id,
      scopeId: w.orgId,
      before: { domain: row.domain, status: row.status },
    });
    w.emit('domain.deleted', { domainId: row.id, domain: row.domain, status: row.status });
    return domainView(row);
  });
}
