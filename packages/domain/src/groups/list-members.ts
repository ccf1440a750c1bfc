/** G2: a group's members, paged. */
import type { OrgCall } from '../call.js';
import { invalid, notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';

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

/** G1: a group's members, by member id (`groups.read`). */
export async function listGroupMembers(
  call: OrgCall,
  input: { groupId: string; cursor?: string | undefined; limit?: number | undefined },
): Promise<{ items: GroupMemberView[]; nextCursor: string | null }> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'groups.read', orgId);
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
