/** Reads: tenant isolation, then the caller (and the user it acts for) must hold a permission. */

import type { Engine } from '@gatehouse/core';
import type { OrgCall } from './call.js';
import { forbidden, notFound } from './errors.js';
import { actingSubjects, assertOrgAccess } from './org-write.js';

/**
 * The org's engine (at least at `minRevision`), after checking that the caller may read
 * `permission` at `scopeId`. The instance admin passes; an API client, SCIM directory or user
 * session of another org gets NOT_FOUND; a user session is checked as its user.
 */
export async function authorizeRead(
  call: OrgCall,
  permission: string,
  scopeId: string,
  minRevision?: number,
): Promise<Engine> {
  const { caller, orgId, services: s } = call;
  assertOrgAccess(caller, orgId);
  const engine = await s.engines.get(orgId, minRevision);
  if (!engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
  for (const subject of actingSubjects(caller, engine)) {
    const d = engine.check({ subject, permission, scope: scopeId });
    if (!d.allowed) throw forbidden(d.reason);
  }
  return engine;
}
