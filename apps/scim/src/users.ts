/**
 * SCIM Users as documents: the domain's directory users (read through `@gatehouse/domain`,
 * filtered and paged in SQL there) rendered with their groups and projected
 * (`attributes` / `excludedAttributes`).
 */
import {
  type DirectoryUser,
  directoryUserGroups,
  getDirectoryUser,
  listDirectoryUsers,
} from '@gatehouse/domain';
import type { ScimContext } from './context.js';
import type { ListParams } from './list.js';
import { excludes, type Projection, project } from './projection.js';
import { schemas } from './schema.js';
import { renderUser } from './user-doc.js';

/** One user, rendered and projected; undefined when not a directory user of the org. */
export async function readUser(
  ctx: ScimContext,
  userId: string,
  p: Projection = {},
): Promise<Record<string, unknown> | undefined> {
  const u = await getDirectoryUser(ctx, { userId });
  if (!u) return undefined;
  return renderOne(ctx, u, p);
}

/** Renders a loaded user (with its groups unless excluded) and applies the projection. */
export async function renderOne(
  ctx: ScimContext,
  u: DirectoryUser,
  p: Projection = {},
): Promise<Record<string, unknown>> {
  const schema = schemas().User;
  // The write may already know the user's groups (a member it added has none): no read then.
  const groups =
    u.groups ??
    (excludes(schema, p, 'groups')
      ? undefined
      : (await directoryUserGroups(ctx, { userIds: [u.userId] })).get(u.userId));
  return project(schema, renderUser(u, groups ?? [], ctx.base), p);
}

/** A page of users and the total that match (S2), rendered and projected: one statement. */
export async function listUsers(
  ctx: ScimContext,
  params: ListParams,
): Promise<{ total: number; resources: Record<string, unknown>[] }> {
  const schema = schemas().User;
  const withGroups = !excludes(schema, params, 'groups');
  const { total, items, groups } = await listDirectoryUsers(
    ctx,
    { ...params, schema },
    { withGroups },
  );
  const resources = items.map((u) =>
    project(schema, renderUser(u, groups?.get(u.userId) ?? [], ctx.base), params),
  );
  return { total, resources };
}
