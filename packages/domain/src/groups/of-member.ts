/** G2: the groups a user belongs to. */
import type { OrgCall } from '../call.js';
import { notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { type GroupDetail, groupDetail } from './get.js';

/** G1: the groups a user or API client belongs to, with their roles (`groups.read`). */
export async function groupsOfMember(
  call: OrgCall,
  { memberId }: { readonly memberId: string },
): Promise<GroupDetail[]> {
  const { orgId, services: s } = call;
  const engine = await authorizeRead(call, 'groups.read', orgId);
  if (!engine.hasSubject(memberId)) throw notFound(`member ${memberId}`);
  const rows = await s.db
    .selectFrom('group_members')
    .select('group_id')
    .where('org_id', '=', orgId)
    .where('member_id', '=', memberId)
    .orderBy('group_id')
    .execute();
  return Promise.all(rows.map((r) => groupDetail(s, orgId, r.group_id)));
}
