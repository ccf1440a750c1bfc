/**
 * Reading SCIM Users: one by id, or a filtered, sorted page with its total — both in SQL over
 * the org's directory members (`members m` with a `userName`), never over all rows in memory.
 */
import type { DB } from '@gatehouse/db';
import { type DirectoryUser, loadDirectoryUser, versionOf } from '@gatehouse/domain';
import { type RawBuilder, sql } from 'kysely';
import { sortExpression, userContext } from './filter/resources.js';
import { compileFilter } from './filter/sql.js';
import { type ListParams, SELECTIVE } from './list.js';
import { excludes, type Projection, project } from './projection.js';
import { schemas } from './schema.js';
import { renderUser, type UserGroupRef } from './user-doc.js';

interface UserRow {
  user_id: string;
  scim_user_name: string;
  external_id: string | null;
  scim_doc: Record<string, unknown> | null;
  status: string;
  created_at: Date;
  updated_at: Date;
  micros: string;
}

function toUser(r: UserRow): DirectoryUser {
  return {
    userId: r.user_id,
    userName: r.scim_user_name,
    externalId: r.external_id,
    active: r.status === 'active',
    doc: r.scim_doc ?? {},
    createdAt: new Date(r.created_at),
    lastModified: new Date(r.updated_at),
    version: versionOf(r.micros),
  };
}

/** The SCIM groups of some users (`groups` attribute), in one query. */
export async function groupsOf(
  db: DB,
  orgId: string,
  userIds: readonly string[],
): Promise<Map<string, UserGroupRef[]>> {
  const out = new Map<string, UserGroupRef[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('group_members as gm')
    .innerJoin('groups as g', (j) =>
      j.onRef('g.org_id', '=', 'gm.org_id').onRef('g.id', '=', 'gm.group_id'),
    )
    .select(['gm.member_id', 'g.id', 'g.name'])
    .where('gm.org_id', '=', orgId)
    .where('gm.member_id', 'in', [...userIds])
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

/** One user, rendered and projected; undefined when not a directory user of the org. */
export async function readUser(
  db: DB,
  orgId: string,
  userId: string,
  base: string,
  p: Projection = {},
): Promise<Record<string, unknown> | undefined> {
  const u = await loadDirectoryUser(db, orgId, userId);
  if (!u) return undefined;
  return renderOne(db, orgId, u, base, p);
}

/** Renders a loaded user (with its groups unless excluded) and applies the projection. */
export async function renderOne(
  db: DB,
  orgId: string,
  u: DirectoryUser,
  base: string,
  p: Projection = {},
): Promise<Record<string, unknown>> {
  const schema = schemas().User;
  const groups = excludes(schema, p, 'groups') ? undefined : await groupsOf(db, orgId, [u.userId]);
  return project(schema, renderUser(u, groups?.get(u.userId) ?? [], base), p);
}

/** The condition selecting the org's directory users that match `params.filter`. */
export function userWhere(orgId: string, params: Pick<ListParams, 'filter'>): RawBuilder<unknown> {
  const base = sql`m.org_id = ${orgId} and m.scim_user_name is not null`;
  return params.filter ? sql`${base} and ${compileFilter(params.filter, userContext())}` : base;
}

/** A page of users and the total that match (S2). */
export async function listUsers(
  db: DB,
  orgId: string,
  base: string,
  params: ListParams,
): Promise<{ total: number; resources: Record<string, unknown>[] }> {
  const where = userWhere(orgId, params);
  const { rows: counted } = await sql<{ n: string }>`
    select count(*)::text as n from members m where ${where}`.execute(db);
  const total = Number(counted[0]?.n ?? 0);
  if (params.count === 0 || total < params.startIndex) return { total, resources: [] };
  const dir = sql.raw(params.descending ? 'desc' : 'asc');
  const order = params.sortBy
    ? sql`${sortExpression(userContext(), params.sortBy)} ${dir} nulls last, m.user_id asc`
    : total <= SELECTIVE
      ? sql`m.user_id || '' asc`
      : sql`m.user_id asc`;
  const { rows } = await sql<UserRow>`
    select m.user_id, m.scim_user_name, m.external_id, m.scim_doc, m.status, m.created_at,
           m.updated_at, (extract(epoch from m.updated_at) * 1000000)::bigint::text as micros
      from members m
     where ${where}
     order by ${order}
     limit ${params.count} offset ${params.startIndex - 1}`.execute(db);
  const users = rows.map(toUser);
  const schema = schemas().User;
  const groups = excludes(schema, params, 'groups')
    ? new Map<string, UserGroupRef[]>()
    : await groupsOf(
        db,
        orgId,
        users.map((u) => u.userId),
      );
  const resources = users.map((u) =>
    project(schema, renderUser(u, groups.get(u.userId) ?? [], base), params),
  );
  return { total, resources };
}
