/**
 * Reading groups (G1, G2): one group with the roles it gives per scope and environment, its
 * members (keyset-paginated), and the groups of one member.
 */
import type { Caller } from '../context.js';
import { invalid, notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import type { Services } from '../services.js';
import { type AssignmentView, assignmentView } from './grants.js';
import type { GroupView } from './groups.js';

/** A group with the roles it gives (G2: role × scope × environment). */
export interface GroupDetail extends GroupView {
  readonly roles: readonly AssignmentView[];
  readonly createdAt: string;
}

/** A member of a group: a user (with email) or an API client (with its name). */
export interface GroupMemberView {
  readonly memberId: string;
  readonly type: 'user' | 'client';
  /** The user's email or the client's name. */
  readonly label: string;
  readonly name: string | null;
  /** Users: active or deactivated; clients: active or revoked. */
  readonly active: boolean;
  readonly addedAt: string;
}

async function groupDetail(s: Services, orgId: string, groupId: string): Promise<GroupDetail> {
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
  s: Services,
  caller: Caller,
  orgId: string,
  groupId: string,
): Promise<GroupDetail> {
  await authorizeRead(s, caller, orgId, 'groups.read', orgId);
  return groupDetail(s, orgId, groupId);
}

/** G1: a group's members, by member id (`groups.read`). */
export async function listGroupMembers(
  s: Services,
  caller: Caller,
  orgId: string,
  input: { groupId: string; cursor?: string | undefined; limit?: number | undefined },
): Promise<{ items: GroupMemberView[]; nextCursor: string | null }> {
  await authorizeRead(s, caller, orgId, 'groups.read', orgId);
  const limit = input.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw invalid('limit must be an integer from 1 to 1000');
  }
  const exists = await s.db
    .selectFrom('groups')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', input.groupId)
    .executeTakeFirst();
  if (!exists) throw notFound(`group ${input.groupId}`);
  let q = s.db
    .selectFrom('group_members as gm')
    .leftJoin('members as m', (j) =>
      j.onRef('m.org_id', '=', 'gm.org_id').onRef('m.user_id', '=', 'gm.member_id'),
    )
    .leftJoin('users as u', 'u.id', 'm.user_id')
    .leftJoin('api_clients as c', (j) =>
      j.onRef('c.org_id', '=', 'gm.org_id').onRef('c.id', '=', 'gm.member_id'),
    )
    .select([
      'gm.member_id',
      'gm.created_at',
      'm.status',
      'u.email',
      'u.name',
      'c.name as client_name',
      'c.revoked_at',
    ])
    .where('gm.org_id', '=', orgId)
    .where('gm.group_id', '=', input.groupId)
    .orderBy('gm.member_id')
    .limit(limit + 1);
  if (input.cursor) q = q.where('gm.member_id', '>', input.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(
    (r): GroupMemberView => ({
      memberId: r.member_id,
      type: r.client_name !== null ? 'client' : 'user',
      label: r.email ?? r.client_name ?? r.member_id,
      name: r.client_name !== null ? r.client_name : (r.name ?? null),
      active: r.client_name !== null ? r.revoked_at === null : r.status === 'active',
      addedAt: new Date(r.created_at).toISOString(),
    }),
  );
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.memberId : null };
}

/** G1: the groups a user or API client belongs to, with their roles (`groups.read`). */
export async function groupsOfMember(
  s: Services,
  caller: Caller,
  orgId: string,
  memberId: string,
): Promise<GroupDetail[]> {
  const engine = await authorizeRead(s, caller, orgId, 'groups.read', orgId);
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
