/**
 * Reading an org's SCIM Users (S2): one by id, a filtered, sorted page with its total, and the
 * directory groups of some users — all in SQL over the org's directory members (`members m`
 * with a `userName`), never over all rows in memory. Each read checks the caller first.
 */
import { sql } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { assertDirectoryRead } from './access.js';
import { type DirectoryUser, loadDirectoryUser } from './directory-users.js';
import { userContext } from './filter-columns.js';
import { readPage, type ScimListQuery, type ScimPage } from './query.js';
import { type DirectoryUserRow, toDirectoryUser } from './rows.js';
import { versionColumn } from './version.js';

/** A directory group as a user's `groups` attribute lists it. */
export interface DirectoryGroupRef {
  readonly id: string;
  readonly name: string;
}

/**
 * A page of the org's directory users matching `query`, and how many match (S2). With
 * `withGroups`, also each page user's directory groups (as `directoryUserGroups` reads them),
 * in the page's statement. A lookup by `id`, `userName` or `externalId` is one statement.
 *
 * @example await listDirectoryUsers(call, { schema, filter, startIndex: 1, count: 100 });
 */
export async function listDirectoryUsers(
  call: OrgCall,
  query: ScimListQuery,
  options: { readonly withGroups?: boolean } = {},
): Promise<ScimPage<DirectoryUser> & { groups?: Map<string, DirectoryGroupRef[]> }> {
  assertDirectoryRead(call);
  const page = await readPage<DirectoryUserRow & { __groups?: DirectoryGroupRef[] }>(
    call.services.db,
    {
      table: 'members m',
      id: 'm.user_id',
      where: sql`m.org_id = ${call.orgId} and m.scim_user_name is not null`,
      columns: sql`m.user_id, m.scim_user_name, m.external_id, m.scim_doc, m.status,
        m.created_at, m.updated_at, ${versionColumn('m')} as micros`,
      context: userContext(query.schema),
      uniqueKeys: ['id', 'userName', 'externalId'],
    },
    query,
    options.withGroups
      ? sql`(select coalesce(json_agg(json_build_object('id', g.id, 'name', g.name) order by g.id),
                '[]'::json)
           from group_members gm
           join groups g on g.org_id = gm.org_id and g.id = gm.group_id
          where gm.org_id = ${call.orgId} and gm.member_id = m.user_id and g.scim_managed
        ) as "__groups"`
      : undefined,
  );
  const items = page.items.map(toDirectoryUser);
  if (!options.withGroups) return { total: page.total, items };
  const groups = new Map<string, DirectoryGroupRef[]>();
  for (const r of page.items) if (r.__groups?.length) groups.set(r.user_id, r.__groups);
  return { total: page.total, items, groups };
}

/** One directory user of the org, or undefined (absent, or a member the directory does not manage). */
export async function getDirectoryUser(
  call: OrgCall,
  input: { readonly userId: string },
): Promise<DirectoryUser | undefined> {
  assertDirectoryRead(call);
  return loadDirectoryUser(call.services.db, call.orgId, input.userId);
}

/** The directory groups of some users (their `groups` attribute), in one query. */
export async function directoryUserGroups(
  call: OrgCall,
  input: { readonly userIds: readonly string[] },
): Promise<Map<string, DirectoryGroupRef[]>> {
  assertDirectoryRead(call);
  const out = new Map<string, DirectoryGroupRef[]>();
  if (input.userIds.length === 0) return out;
  const rows = await call.services.db
    .selectFrom('group_members as gm')
    .innerJoin('groups as g', (j) =>
      j.onRef('g.org_id', '=', 'gm.org_id').onRef('g.id', '=', 'gm.group_id'),
    )
    .select(['gm.member_id', 'g.id', 'g.name'])
    .where('gm.org_id', '=', call.orgId)
    .where('gm.member_id', 'in', [...input.userIds])
    .where('g.scim_managed', '=', true)
    .orderBy('g.id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.member_id) ?? [];
    list.push({ id: r.id, name: r.name });
    out.set(r.member_id, list);
  }
  return out;
}
