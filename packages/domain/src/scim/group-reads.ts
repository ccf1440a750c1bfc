/**
 * Reading an org's SCIM Groups (S2): one by id, a filtered, sorted page with its total, and the
 * user members of some groups — in SQL over the org's directory groups (`groups g` with
 * `scim_managed`). Members are a separate read, so a caller that does not show them (large
 * groups: `excludedAttributes=members`) never reads them. Each read checks the caller first.
 */
import { sql } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { assertDirectoryRead } from './access.js';
import { type DirectoryGroup, loadDirectoryGroup } from './directory-groups.js';
import { groupContext } from './filter-columns.js';
import { readPage, type ScimListQuery, type ScimPage } from './query.js';
import { type DirectoryGroupRow, toDirectoryGroup } from './rows.js';
import { versionColumn } from './version.js';

/** A user as a group's `members` attribute lists it. */
export interface DirectoryMemberRef {
  readonly id: string;
  readonly display: string;
}

/**
 * A page of the org's directory groups matching `query`, and how many match (S2).
 *
 * @example await listDirectoryGroups(call, { schema, startIndex: 1, count: 100 });
 */
export async function listDirectoryGroups(
  call: OrgCall,
  query: ScimListQuery,
): Promise<ScimPage<DirectoryGroup>> {
  assertDirectoryRead(call);
  const page = await readPage<DirectoryGroupRow>(
    call.services.db,
    {
      table: 'groups g',
      id: 'g.id',
      where: sql`g.org_id = ${call.orgId} and g.scim_managed`,
      columns: sql`g.id, g.name, g.external_id, g.created_at, g.updated_at,
        ${versionColumn('g')} as micros`,
      context: groupContext(query.schema),
      uniqueKeys: ['id', 'externalId'],
    },
    query,
  );
  return { total: page.total, items: page.items.map(toDirectoryGroup) };
}

/** One directory group of the org, or undefined (absent, or not directory-managed). */
export async function getDirectoryGroup(
  call: OrgCall,
  input: { readonly groupId: string },
): Promise<DirectoryGroup | undefined> {
  assertDirectoryRead(call);
  return loadDirectoryGroup(call.services.db, call.orgId, input.groupId);
}

/** The user members of some groups (every id asked for has a list), in one query. */
export async function directoryGroupMembers(
  call: OrgCall,
  input: { readonly groupIds: readonly string[] },
): Promise<Map<string, DirectoryMemberRef[]>> {
  assertDirectoryRead(call);
  const out = new Map<string, DirectoryMemberRef[]>(input.groupIds.map((id) => [id, []]));
  if (input.groupIds.length === 0) return out;
  const { rows } = await sql<{ group_id: string; member_id: string; display: string }>`
    select gm.group_id, gm.member_id,
           coalesce(m.scim_doc ->> 'displayName', m.scim_user_name, u.name, u.email) as display
      from group_members gm
      join members m on m.org_id = gm.org_id and m.user_id = gm.member_id
      join users u on u.id = gm.member_id
     where gm.org_id = ${call.orgId} and gm.group_id = any(${[...input.groupIds]}::text[])
       and gm.member_id like 'usr\\_%'
     order by gm.group_id, gm.member_id`.execute(call.services.db);
  for (const r of rows) out.get(r.group_id)?.push({ id: r.member_id, display: r.display });
  return out;
}
