/**
 * SCIM Groups as documents: the domain's directory groups (read through `@gatehouse/domain`,
 * filtered and paged in SQL there) rendered with their members, which are read once per page
 * and not at all when `members` is excluded (large groups: `excludedAttributes=members`).
 */
import {
  type DirectoryGroup,
  type DirectoryMemberRef,
  directoryGroupMembers,
  getDirectoryGroup,
  listDirectoryGroups,
} from '@gatehouse/domain';
import type { ScimContext } from './context.js';
import type { ListParams } from './list.js';
import { excludes, type Projection, project } from './projection.js';
import { GROUP_URN, schemas } from './schema.js';

/** The SCIM representation of a group (before any projection). */
export function renderGroup(
  g: DirectoryGroup,
  members: readonly DirectoryMemberRef[] | undefined,
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

/** One group, rendered and projected; undefined when not a directory group of the org. */
export async function readGroup(
  ctx: ScimContext,
  groupId: string,
  p: Projection = {},
): Promise<Record<string, unknown> | undefined> {
  const g = await getDirectoryGroup(ctx, { groupId });
  if (!g) return undefined;
  const schema = schemas().Group;
  const members = excludes(schema, p, 'members')
    ? undefined
    : (await directoryGroupMembers(ctx, { groupIds: [groupId] })).get(groupId);
  return project(schema, renderGroup(g, members, ctx.base), p);
}

/** A page of groups and the total that match (S2), rendered and projected. */
export async function listGroups(
  ctx: ScimContext,
  params: ListParams,
): Promise<{ total: number; resources: Record<string, unknown>[] }> {
  const schema = schemas().Group;
  const { total, items } = await listDirectoryGroups(ctx, { ...params, schema });
  const members =
    items.length === 0 || excludes(schema, params, 'members')
      ? undefined
      : await directoryGroupMembers(ctx, { groupIds: items.map((g) => g.groupId) });
  const resources = items.map((g) =>
    project(schema, renderGroup(g, members?.get(g.groupId), ctx.base), params),
  );
  return { total, resources };
}
