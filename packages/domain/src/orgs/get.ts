/** T1: one organization. */
import type { OrgCall } from '../call.js';
import { notFound } from '../errors.js';
import { assertOrgAccess } from '../org-write.js';
import { type OrgView, orgView } from './view.js';

/** T1: one organization (an API client sees only its own). */
export async function getOrg(call: OrgCall): Promise<OrgView> {
  const { caller, orgId, services: s } = call;
  assertOrgAccess(caller, orgId);
  const row = await s.db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
  if (!row) throw notFound(`organization ${orgId}`);
  return orgView(row);
}
