/** Who may read an organization's SCIM directory through the `domain/scim` reads. */
import type { OrgCall } from '../call.js';
import { forbidden } from '../errors.js';
import { assertOrgAccess } from '../org-write.js';

/**
 * Tenant isolation first (a principal bound to another org gets NOT_FOUND), then: the org's
 * own SCIM directory (a `scim` principal), the instance admin or the system. API clients and
 * user sessions read members and groups through their own, permission-checked use cases.
 */
export function assertDirectoryRead(call: OrgCall): void {
  assertOrgAccess(call.caller, call.orgId);
  const kind = call.caller.principal.kind;
  if (kind === 'client' || kind === 'user') {
    throw forbidden("the SCIM directory is read with the organization's SCIM token");
  }
}
