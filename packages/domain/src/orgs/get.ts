/** T1: one organization. */
import type { Caller } from '../context.js';
import { notFound } from '../errors.js';
import { assertOrgAccess } from '../org-write.js';
import type { Services } from '../services.js';
import { type OrgView, orgView } from './view.js';

/** T1: one organization (an API client sees only its own). */
export async function getOrg(s: Services, caller: Caller, orgId: string): Promise<OrgView> {
  assertOrgAccess(caller, orgId);
  const row = await s.db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
  if (!row) throw notFound(`organization ${orgId}`);
  return orgView(row);
}
