/**
 * The SCIM directory's groups (S1, S3, G3): ordinary Gatehouse groups marked `scim_managed`, so
 * giving such a group roles maps the identity provider's group to roles at any scope. Member
 * changes are set-based SQL, so a group of 10k members is patched without loading them; each
 * write is one `orgWrite` (audited, outbox event, revision bump).
 */

import { type Database, type DB, newId, sql, type Transaction } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors.js';
import { deleteGroupIn } from '../groups/index.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { addMembersBatch } from './add-members-together.js';
import type { DirectoryConflict } from './directory-users.js';
import { listed } from './listed-ids.js';
import { DIRECTORY_GROUP_COLUMNS, toDirectoryGroup } from './rows.js';
import { versionColumn } from './version.js';

type Q = DB | Transaction<Database>;

/** A SQL condition over the group's member rows (alias `gm`), compiled by the caller. */
export type MemberCondition = ReturnType<typeof sql<boolean>>;

/** A directory group as stored (members are read separately, page by page). */
export interface DirectoryGroup {
  readonly groupId: string;
  readonly displayName: string;
  readonly externalId: string | null;
  readonly createdAt: Date;
  readonly lastModified: Date;
  /** The SCIM `meta.version` (weak ETag); moves with every change, members included. */
  readonly version: string;
}

/** One change to a group, in the order a PATCH lists them. */
export type GroupChange =
  | { readonly kind: 'rename'; readonly displayName: string }
  | { readonly kind: 'externalId'; readonly externalId: string | null }
  | { readonly kind: 'addMembers'; readonly userIds: readonly string[] }
  | { readonly kind: 'removeMembers'; readonly userIds: readonly string[] }
  | { readonly kind: 'removeMembersWhere'; readonly where: MemberCondition }
  | { readonly kind: 'replaceMembers'; readonly userIds: readonly string[] };

/** The group as a directory group, or undefined when absent or not directory-managed. */
export async function loadDirectoryGroup(
  db: Q,
  orgId: string,
  groupId: string,
): Promise<DirectoryGroup | undefined> {
  const row = await db
    .selectFrom('groups')
    .select([...DIRECTORY_GROUP_COLUMNS, versionColumn().as('micros')])
    .where('org_id', '=', orgId)
    .where('id', '=', groupId)
    .where('scim_managed', '=', true)
    .executeTakeFirst();
  return row ? toDirectoryGroup(row) : undefined;
}

function assertVersion(cur: DirectoryGroup, ifVersion: string | undefined): void {
  if (ifVersion !== undefined && cur.version !== ifVersion) {
    throw conflict(`group ${cur.groupId} has changed (version ${cur.version})`, {
      reason: 'version_mismatch',
      current: cur.version,
    } satisfies DirectoryConflict);
  }
}

async function mapUnique<T>(run: () => Promise<T>, externalId: string | null): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    throw conflict(`externalId "${externalId ?? ''}" is already in use in this organization`, {
      reason: 'uniqueness',
      field: 'externalId',
    } satisfies DirectoryConflict);
  }
}

async function assertExternalIdFree(w: OrgWrite, externalId: string | null, groupId?: string) {
  if (externalId === null) return;
  let q = w.trx
    .selectFrom('groups')
    .select('id')
    .where('org_id', '=', w.orgId)
    .where('external_id', '=', externalId);
  if (groupId) q = q.where('id', '!=', groupId);
  if (await q.executeTakeFirst()) {
    throw conflict(`externalId "${externalId}" is already in use in this organization`, {
      reason: 'uniqueness',
      field: 'externalId',
    } satisfies DirectoryConflict);
  }
}

function checkName(displayName: string): string {
  const name = displayName.trim();
  if (!name) throw invalid('displayName must not be empty');
  if (name.length > 500) throw invalid('displayName must be at most 500 characters');
  return name;
}

/** The error for ids that are not users of this org (another org's user is refused the same way). */
function notUsers(missing: readonly string[]) {
  const shown = missing.slice(0, 5).join(', ');
  return invalid(
    `not users of this organization: ${shown}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`,
  );
}

/**
 * Adds org members to a group, set-based (members already in it are left alone); audited as one
 * `GroupMembersAdded` with the ids added. Ids that are not users of this org refuse the whole
 * write. One statement (issue 15): it finds the org's users among the ids and inserts those; when
 * some are missing, the error rolls the write back, insert included. Shared with SSO group
 * mappings (../sso/sign-in.ts).
 */
export async function addGroupMembersIn(w: OrgWrite, groupId: string, userIds: readonly string[]) {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return;
  const { rows } = await sql<{ found: string[]; added: string[] }>`
    with found as (
      select m.user_id from members m
       where m.org_id = ${w.orgId} and m.user_id = any(${ids}::text[])
    ), ins as (
      insert into group_members (org_id, group_id, member_id)
      select ${w.orgId}, ${groupId}, f.user_id from found f
      on conflict do nothing
      returning member_id
    )
    select coalesce((select array_agg(user_id) from found), '{}') as found,
           coalesce((select array_agg(member_id) from ins), '{}') as added`.execute(w.trx);
  const found = new Set(rows[0]!.found);
  if (found.size < ids.length) throw notUsers(ids.filter((id) => !found.has(id)));
  // In the order asked, as the audit and the event list them.
  const inserted = new Set(rows[0]!.added);
  const added = ids.filter((id) => inserted.has(id));
  if (added.length === 0) return;
  w.audit({
    action: 'GroupMembersAdded',
    entityType: 'group',
    entityId: groupId,
    scopeId: w.orgId,
    after: listed(added),
  });
  w.emit('group.members_added', { groupId, ...listed(added) });
}

async function removeMembers(w: OrgWrite, groupId: string, where: MemberCondition) {
  const { rows } = await sql<{ member_id: string }>`
    delete from group_members gm
     where gm.org_id = ${w.orgId} and gm.group_id = ${groupId}
       and gm.member_id like 'usr\\_%' and (${where})
    returning gm.member_id`.execute(w.trx);
  const removed = rows.map((r) => r.member_id);
  if (removed.length === 0) return;
  w.audit({
    action: 'GroupMembersRemoved',
    entityType: 'group',
    entityId: groupId,
    scopeId: w.orgId,
    before: listed(removed),
  });
  w.emit('group.members_removed', { groupId, ...listed(removed) });
}

const idIn = (ids: readonly string[]): MemberCondition =>
  ids.length === 0 ? sql<boolean>`false` : sql<boolean>`gm.member_id = any(${[...ids]}::text[])`;

/**
 * Removes users from a group, set-based; audited as one `GroupMembersRemoved` with the ids
 * removed. Shared with SSO group mappings (../sso/sign-in.ts).
 */
export function removeGroupMembersIn(w: OrgWrite, groupId: string, userIds: readonly string[]) {
  return removeMembers(w, groupId, idIn(userIds));
}

async function applyChange(w: OrgWrite, groupId: string, c: GroupChange): Promise<void> {
  switch (c.kind) {
    case 'rename':
    case 'externalId': {
      const before = await w.trx
        .selectFrom('groups')
        .select(['name', 'external_id'])
        .where('org_id', '=', w.orgId)
        .where('id', '=', groupId)
        .executeTakeFirstOrThrow();
      const set =
        c.kind === 'rename' ? { name: checkName(c.displayName) } : { external_id: c.externalId };
      if (c.kind === 'externalId') await assertExternalIdFree(w, c.externalId, groupId);
      await w.trx
        .updateTable('groups')
        .set(set)
        .where('org_id', '=', w.orgId)
        .where('id', '=', groupId)
        .execute();
      w.audit({
        action: 'Updated',
        entityType: 'group',
        entityId: groupId,
        scopeId: w.orgId,
        before: { displayName: before.name, externalId: before.external_id },
        after: set,
      });
      w.emit('group.updated', { groupId, ...set });
      return;
    }
    case 'addMembers':
      return addGroupMembersIn(w, groupId, c.userIds);
    case 'removeMembers':
      return removeMembers(w, groupId, idIn(c.userIds));
    case 'removeMembersWhere':
      return removeMembers(w, groupId, c.where);
    case 'replaceMembers': {
      // Ids that are not users refuse the write when they are added, the removal rolled back.
      const ids = [...new Set(c.userIds)];
      await removeMembers(w, groupId, sql<boolean>`not (${idIn(ids)})`);
      return addGroupMembersIn(w, groupId, ids);
    }
  }
}

/** Moves the group's version and returns it as it now is (one statement). */
async function touch(w: OrgWrite, groupId: string): Promise<DirectoryGroup> {
  const row = await w.trx
    .updateTable('groups')
    .set({ updated_at: sql<Date>`clock_timestamp()` })
    .where('org_id', '=', w.orgId)
    .where('id', '=', groupId)
    .returning([...DIRECTORY_GROUP_COLUMNS, versionColumn().as('micros')])
    .executeTakeFirstOrThrow();
  return toDirectoryGroup(row);
}

/** S1: creates a directory group with its members (`groups.manage` at the root). */
export async function createDirectoryGroup(
  call: OrgCall,
  input: { displayName: string; externalId: string | null; userIds: readonly string[] },
): Promise<WriteResult<DirectoryGroup>> {
  const { orgId } = call;
  return mapUnique(
    () =>
      orgWrite(call, async (w) => {
        w.authorize('groups.manage', orgId);
        const name = checkName(input.displayName);
        await assertExternalIdFree(w, input.externalId);
        const id = newId('group');
        await w.trx
          .insertInto('groups')
          .values({
            org_id: orgId,
            id,
            name,
            description: null,
            avatar_url: null,
            limited_to: null,
            external_id: input.externalId,
            scim_managed: true,
            updated_at: new Date(),
          })
          .execute();
        const after = { displayName: name, externalId: input.externalId };
        w.audit({ action: 'Created', entityType: 'group', entityId: id, scopeId: orgId, after });
        w.emit('group.created', { groupId: id, ...after, source: 'scim' });
        await addGroupMembersIn(w, id, input.userIds);
        return touch(w, id);
      }),
    input.externalId,
  );
}

/**
 * S3: applies changes to a directory group in order, in one transaction (`ifVersion`: only if
 * it is still at that version). Member changes never load the member list.
 */
export async function changeDirectoryGroup(
  call: OrgCall,
  q: { groupId: string; changes: readonly GroupChange[]; ifVersion?: string | undefined },
): Promise<WriteResult<DirectoryGroup>> {
  const { orgId } = call;
  const ext = q.changes.find((c) => c.kind === 'externalId');
  const only = q.changes.length === 1 ? q.changes[0] : undefined;
  // Issue 15: PATCHes that only add members run set-based when queued together.
  const batch =
    only?.kind === 'addMembers'
      ? addMembersBatch({ groupId: q.groupId, userIds: only.userIds, ifVersion: q.ifVersion })
      : undefined;
  return mapUnique(
    () =>
      orgWrite(
        call,
        async (w) => {
          w.authorize('groups.manage', orgId);
          const cur = await loadDirectoryGroup(w.trx, orgId, q.groupId);
          if (!cur) throw notFound(`group ${q.groupId}`);
          assertVersion(cur, q.ifVersion);
          for (const c of q.changes) await applyChange(w, q.groupId, c);
          return touch(w, q.groupId);
        },
        { batch },
      ),
    ext?.kind === 'externalId' ? ext.externalId : null,
  );
}

/** S1: deletes a directory group (its role assignments are revoked, history stays audited). */
export async function deleteDirectoryGroup(
  call: OrgCall,
  q: { groupId: string; ifVersion?: string | undefined },
): Promise<WriteResult<{ groupId: string }>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    // Checked under the org lock, so a change in between cannot slip past If-Match.
    const cur = await loadDirectoryGroup(w.trx, orgId, q.groupId);
    if (!cur) throw notFound(`group ${q.groupId}`);
    assertVersion(cur, q.ifVersion);
    return deleteGroupIn(w, q.groupId);
  });
}
