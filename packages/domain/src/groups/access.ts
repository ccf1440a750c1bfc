/** Loading a group and the checks every group write makes. */
import type { GroupRow } from '@gatehouse/db';
import { notFound } from '../errors.js';
import type { OrgWrite } from '../org-write.js';

/** The group, or NOT_FOUND. */
export async function loadGroup(w: OrgWrite, groupId: string): Promise<GroupRow> {
  const g = await w.trx
    .selectFrom('groups')
    .selectAll()
    .where('org_id', '=', w.orgId)
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (!g) throw notFound(`group ${groupId}`);
  return g;
}

/** FORBIDDEN unless the caller may manage groups wherever this one is limited to. */
export function authorizeGroup(w: OrgWrite, g: { limited_to: string[] | null }): void {
  for (const scope of g.limited_to ?? [w.orgId]) w.authorize('groups.manage', scope);
}

/**
 * Changing who is in a group, or where it may hold roles, changes assignments: the caller must be
 * able to give (and take) every role the group holds, where it holds it (R6).
 */
export async function authorizeGroupRoles(w: OrgWrite, groupId: string): Promise<void> {
  const held = await w.trx
    .selectFrom('assignments')
    .select(['role_key', 'scope_id', 'environment'])
    .where('org_id', '=', w.orgId)
    .where('subject_id', '=', groupId)
    .execute();
  for (const a of held) {
    w.authorizeAssign({ role: a.role_key, scopeId: a.scope_id, environment: a.environment });
  }
}

/** A group's number of members. */
export async function memberCount(w: OrgWrite, groupId: string): Promise<number> {
  const r = await w.trx
    .selectFrom('group_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', w.orgId)
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
