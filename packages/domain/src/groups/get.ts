/** G1: one group with its roles and limits. */
import type { OrgCall } from '../call.js';
import { notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { type AssignmentView, assignmentView } from '../rules/index.js';
import type { Services } from '../services.js';
import type { GroupView } from './view.js';

/** A group with the roles it gives (G2: role × scope × environment). */
export interface GroupDetail extends GroupView {
  readonly roles: readonly AssignmentView[];
  readonly createdAt: string;
}

/** A group with its roles and limits. */
export async function groupDetail(
  s: Services,
  orgId: string,
  groupId: string,
): Promise<GroupDetail> {
  const g = await s.db
    .selectFrom('groups')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (!g) throw notFound(`group ${groupId}`);
  const [n, roles] = await Promise.all([
    s.db
      .selectFrom('group_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where('group_id', '=', groupId)
      .executeTakeFirstOrThrow(),
    s.db
      .selectFrom('assignments')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('subject_id', '=', groupId)
      .orderBy('id')
      .execute(),
  ]);
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    avatarUrl: g.avatar_url,
    limitedTo: g.limited_to,
    memberCount: Number(n.n),
    roles: roles.map(assignmentView),
    createdAt: new Date(g.created_at).toISOString(),
  };
}

/** G1/G2: one group with its roles per scope and environment (`groups.read`). */
export async function getGroup(
  call: OrgCall,
  { groupId }: { readonly groupId: string },
): Promise<GroupDetail> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'groups.read', orgId);
  return groupDetail(s, orgId, groupId);
}
