/** K1: an org's API clients. */
import type { OrgCall } from '../call.js';
import { authorizeRead } from '../org-read.js';
import { assignmentView } from '../rules/index.js';
import { type ApiClientView, apiClientView } from './view.js';

/** K1: the org's API clients with their roles and last use (`apiClients.read`). */
export async function listApiClients(call: OrgCall): Promise<ApiClientView[]> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'apiClients.read', orgId);
  const rows = await s.db
    .selectFrom('api_clients')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  const roles = await s.db
    .selectFrom('assignments')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('subject_type', '=', 'client')
    .execute();
  return rows.map((r) =>
    apiClientView(r, roles.filter((a) => a.subject_id === r.id).map(assignmentView)),
  );
}
