/** Groups and teams (G1, G2): org-wide or limited to scopes; members are users or API clients. */
import { type GroupRow, newId } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { invalid, notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import { revokeAssignment, subjectTypeOf } from './grants.js';

/** A group as the API shows it. */
export interface GroupView {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly avatarUrl: string | null;
  /** Scopes it may hold roles in; null: org-wide (seed 003 business vs tenant groups). */
  readonly limitedTo: readonly string[] | null;
  readonly memberCount: number;
}

/** Input of `createGroup` / `updateGroup`. */
export interface GroupInput {
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly avatarUrl?: string | null | undefined;
  readonly limitedTo?: readonly string[] | null | undefined;
}

function view(r: GroupRow, memberCount: number): GroupView {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    avatarUrl: r.avatar_url,
    limitedTo: r.limited_to,
    memberCount,
  };
}

function checkLimits(w: OrgWrite, limitedTo: readonly string[] | null | undefined): void {
  for (const id of limitedTo ?? []) if (!w.engine.hasScope(id)) throw notFound(`scope ${id}`);
  if (limitedTo && limitedTo.length === 0)
    throw invalid('limitedTo must name at least one scope, or be null for org-wide');
}

/** G1: creates a group (`groups.manage` at the root, or at every scope it is limited to). */
export async function createGroup(
  s: Services,
  caller: Caller,
  orgId: string,
  input: GroupInput,
): Promise<WriteResult<GroupView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    for (const scope of input.limitedTo ?? [orgId]) w.authorize('groups.manage', scope);
    checkLimits(w, input.limitedTo);
    if (!input.name.trim()) throw invalid('name must not be empty');
    const row = await w.trx
      .insertInto('groups')
      .values({
        org_id: orgId,
        id: newId('group'),
        name: input.name.trim(),
        description: input.description ?? null,
        avatar_url: input.avatarUrl ?? null,
        limited_to: input.limitedTo ? [...input.limitedTo] : null,
        external_id: null,
        updated_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const v = view(row, 0);
    w.audit({ action: 'Created', entityType: 'group', entityId: row.id, scopeId: orgId, after: v });
    w.emit('group.created', { ...v });
    return v;
  });
}

async function loadGroup(w: OrgWrite, groupId: string): Promise<GroupRow> {
  const g = await w.trx
    .selectFrom('groups')
    .selectAll()
    .where('org_id', '=', w.orgId)
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (!g) throw notFound(`group ${groupId}`);
  return g;
}

function authorizeGroup(w: OrgWrite, g: { limited_to: string[] | null }): void {
  for (const scope of g.limited_to ?? [w.orgId]) w.authorize('groups.manage', scope);
}

/**
 * Changing who is in a group, or where it may hold roles, changes assignments: the caller must be
 * able to give (and take) every role the group holds, where it holds it (R6).
 */
async function authorizeGroupRoles(w: OrgWrite, groupId: string): Promise<void> {
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

async function count(w: OrgWrite, groupId: string): Promise<number> {
  const r = await w.trx
    .selectFrom('group_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', w.orgId)
    .where('group_id', '=', groupId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** G1: renames, re-describes or re-limits a group. */
export async function updateGroup(
  s: Services,
  caller: Caller,
  orgId: string,
  input: Partial<GroupInput> & { groupId: string },
): Promise<WriteResult<GroupView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    const before = await loadGroup(w, input.groupId);
    authorizeGroup(w, before);
    if (input.limitedTo !== undefined) {
      authorizeGroup(w, { limited_to: input.limitedTo ? [...input.limitedTo] : null });
      checkLimits(w, input.limitedTo);
      await authorizeGroupRoles(w, input.groupId);
    }
    if (input.name !== undefined && !input.name.trim()) throw invalid('name must not be empty');
    const after = await w.trx
      .updateTable('groups')
      .set({
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.avatarUrl !== undefined ? { avatar_url: input.avatarUrl } : {}),
        ...(input.limitedTo !== undefined
          ? { limited_to: input.limitedTo ? [...input.limitedTo] : null }
          : {}),
        updated_at: new Date(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', input.groupId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const n = await count(w, input.groupId);
    w.audit({
      action: 'Updated',
      entityType: 'group',
      entityId: input.groupId,
      scopeId: orgId,
      before: view(before, n),
      after: view(after, n),
    });
    w.emit('group.updated', { ...view(after, n) });
    return view(after, n);
  });
}

/** G1: deletes a group, revoking its assignments (each under R6). */
export async function deleteGroup(
  s: Services,
  caller: Caller,
  orgId: string,
  groupId: string,
): Promise<WriteResult<{ groupId: string }>> {
  return orgWrite(s, caller, orgId, (w) => deleteGroupIn(w, groupId));
}

/** `deleteGroup` inside a write that is already open (SCIM checks its If-Match first). */
export async function deleteGroupIn(w: OrgWrite, groupId: string): Promise<{ groupId: string }> {
  const orgId = w.orgId;
  {
    const g = await loadGroup(w, groupId);
    authorizeGroup(w, g);
    const held = await w.trx
      .selectFrom('assignments')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('subject_id', '=', groupId)
      .execute();
    for (const a of held) await revokeAssignment(w, a);
    await w.trx
      .deleteFrom('groups')
      .where('org_id', '=', orgId)
      .where('id', '=', groupId)
      .execute();
    w.audit({
      action: 'Deleted',
      entityType: 'group',
      entityId: groupId,
      scopeId: orgId,
      before: view(g, 0),
    });
    w.emit('group.deleted', { groupId });
    return { groupId };
  }
}

/** G1: adds users or API clients to a group. */
export async function addGroupMembers(
  s: Services,
  caller: Caller,
  orgId: string,
  input: { groupId: string; memberIds: readonly string[] },
): Promise<WriteResult<GroupView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    const g = await loadGroup(w, input.groupId);
    authorizeGroup(w, g);
    await authorizeGroupRoles(w, g.id);
    for (const id of input.memberIds) {
      const type = await subjectTypeOf(w, id);
      if (type === 'group') throw invalid('groups hold users and API clients, not other groups');
      const ins = await w.trx
        .insertInto('group_members')
        .values({ org_id: orgId, group_id: g.id, member_id: id })
        .onConflict((oc) => oc.doNothing())
        .returning('member_id')
        .executeTakeFirst();
      if (ins) {
        w.audit({
          action: 'GroupMemberAdded',
          entityType: 'group',
          entityId: g.id,
          scopeId: orgId,
          after: { memberId: id },
        });
        w.emit('group.member_added', { groupId: g.id, memberId: id });
      }
    }
    return view(g, await count(w, g.id));
  });
}

/** G1: removes members from a group. */
export async function removeGroupMembers(
  s: Services,
  caller: Caller,
  orgId: string,
  input: { groupId: string; memberIds: readonly string[] },
): Promise<WriteResult<GroupView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    const g = await loadGroup(w, input.groupId);
    authorizeGroup(w, g);
    await authorizeGroupRoles(w, g.id);
    for (const id of input.memberIds) {
      const del = await w.trx
        .deleteFrom('group_members')
        .where('org_id', '=', orgId)
        .where('group_id', '=', g.id)
        .where('member_id', '=', id)
        .executeTakeFirst();
      if (Number(del.numDeletedRows) > 0) {
        w.audit({
          action: 'GroupMemberRemoved',
          entityType: 'group',
          entityId: g.id,
          scopeId: orgId,
          before: { memberId: id },
        });
        w.emit('group.member_removed', { groupId: g.id, memberId: id });
      }
    }
    return view(g, await count(w, g.id));
  });
}

/** G1: the org's groups (`groups.read`). */
export async function listGroups(s: Services, caller: Caller, orgId: string): Promise<GroupView[]> {
  await authorizeRead(s, caller, orgId, 'groups.read', orgId);
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
  return rows.map((r) => view(r, byGroup.get(r.id) ?? 0));
}
