/** G1: an org's groups. */
import type { OrgCall } from '../call.js';
import { authorizeRead } from '../org-read.js';
import { type GroupView, groupView } from './view.js';

/** G1: the org's groups (`groups.read`). */
export async function listGroups(call: OrgCall): Promise<GroupView[]> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'groups.read', orgId);
  const rows = await s.db
    .selectFrom('groups')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  const counts = await s.db
    .selectFrom('group_members')
    .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .groupBy('group_id')
    .execute();
  const byGroup = new Map(counts.map((c) => [c.group_id, Number(c.n)]));
  return rows.map((r) => groupView(r, byGroup.get(r.id) ?? 0));
}
