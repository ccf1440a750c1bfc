/**
 * Reading SCIM Groups: the org's directory groups (`groups g` with `scim_managed`), filtered and
 * paged in SQL. Members are the group's users, read with one query per page and skipped
 * entirely when `members` is excluded (large groups: `excludedAttributes=members`).
 */
import type { DB } from '@gatehouse/db';
import { type DirectoryGroup, loadDirectoryGroup, versionOf } from '@gatehouse/domain';
import { type RawBuilder, sql } from 'kysely';
import { groupContext, sortExpression } from './filter/resources.js';
import { compileFilter } from './filter/sql.js';
import { type ListParams, SELECTIVE } from './list.js';
import { excludes, type Projection, project } from './projection.js';
import { GROUP_URN, schemas } from './schema.js';

/** A member as listed in a group. */
export interface MemberRef {
  readonly id: string;
  readonly display: string;
}

interface GroupRow {
  id: string;
  name: string;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
  micros: string;
}

/** The SCIM representation of a group (before any projection). */
export function renderGroup(
  g: DirectoryGroup,
  members: readonly MemberRef[] | undefined,
  base: string,
): Record<string, unknown> {
  return {
    schemas: [GROUP_URN],
    id: g.groupId,
    ...(g.externalId !== null ? { externalId: g.externalId } : {}),
    displayName: g.displayName,
    ...(members
      ? {
          members: members.map((m) => ({
            value: m.id,
            display: m.display,
            $ref: `${base}/Users/${m.id}`,
            type: 'User',
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: g.createdAt.toISOString(),
      lastModified: g.lastModified.toISOString(),
      location: `${base}/Groups/${g.groupId}`,
      version: `W/"${g.version}"`,
    },
  };
}

/** The user members of some groups, in one query. */
export async function membersOf(
  db: DB,
  orgId: string,
  groupIds: readonly string[],
): Promise<Map<string, MemberRef[]>> {
  const out = new Map<string, MemberRef[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return out;
  const { rows } = await sql<{ group_id: string; member_id: string; display: string }>`
    select gm.group_id, gm.member_id,
           coalesce(m.scim_doc ->> 'displayName', m.scim_user_name, u.name, u.email) as display
      from group_members gm
      join members m on m.org_id = gm.org_id and m.user_id = gm.member_id
      join users u on u.id = gm.member_id
     where gm.org_id = ${orgId} and gm.group_id = any(${[...groupIds]}::text[])
       and gm.member_id like 'usr\\_%'
     order by gm.group_id, gm.member_id`.execute(db);
  for (const r of rows) out.get(r.group_id)?.push({ id: r.member_id, display: r.display });
  return out;
}

/** One group, rendered and projected; undefined when not a directory group of the org. */
export async function readGroup(
  db: DB,
  orgId: string,
  groupId: string,
  base: string,
  p: Projection = {},
): Promise<Record<string, unknown> | undefined> {
  const g = await loadDirectoryGroup(db, orgId, groupId);
  if (!g) return undefined;
  const schema = schemas().Group;
  const members = excludes(schema, p, 'members')
    ? undefined
    : (await membersOf(db, orgId, [groupId])).get(groupId);
  return project(schema, renderGroup(g, members, base), p);
}

/** The condition selecting the org's directory groups that match `params.filter`. */
export function groupWhere(orgId: string, params: Pick<ListParams, 'filter'>): RawBuilder<unknown> {
  const base = sql`g.org_id = ${orgId} and g.scim_managed`;
  return params.filter ? sql`${base} and ${compileFilter(params.filter, groupContext())}` : base;
}

/** A page of groups and the total that match (S2). */
export async function listGroups(
  db: DB,
  orgId: string,
  base: string,
  params: ListParams,
): Promise<{ total: number; resources: Record<string, unknown>[] }> {
  const where = groupWhere(orgId, params);
  const { rows: counted } = await sql<{ n: string }>`
    select count(*)::text as n from groups g where ${where}`.execute(db);
  const total = Number(counted[0]?.n ?? 0);
  if (params.count === 0 || total < params.startIndex) return { total, resources: [] };
  const dir = sql.raw(params.descending ? 'desc' : 'asc');
  const order = params.sortBy
    ? sql`${sortExpression(groupContext(), params.sortBy)} ${dir} nulls last, g.id asc`
    : total <= SELECTIVE
      ? sql`g.id || '' asc`
      : sql`g.id asc`;
  const { rows } = await sql<GroupRow>`
    select g.id, g.name, g.external_id, g.created_at, g.updated_at,
           (extract(epoch from g.updated_at) * 1000000)::bigint::text as micros
      from groups g
     where ${where}
     order by ${order}
     limit ${params.count} offset ${params.startIndex - 1}`.execute(db);
  const schema = schemas().Group;
  const members = excludes(schema, params, 'members')
    ? undefined
    : await membersOf(
        db,
        orgId,
        rows.map((r) => r.id),
      );
  const resources = rows.map((r) => {
    const g: DirectoryGroup = {
      groupId: r.id,
      displayName: r.name,
      externalId: r.external_id,
      createdAt: new Date(r.created_at),
      lastModified: new Date(r.updated_at),
      version: versionOf(r.micros),
    };
    return project(schema, renderGroup(g, members?.get(r.id), base), params);
  });
  return { total, resources };
}
