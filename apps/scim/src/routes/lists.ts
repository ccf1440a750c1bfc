/**
 * Lists and searches (RFC 7644 §3.4.2, §3.4.3): `GET /Users`, `GET /Groups`, and the SearchRequest
 * at `/.search` (every type), `/Users/.search` and `/Groups/.search`. Filtering, sorting and
 * paging happen in the domain's SQL; this renders the ListResponse.
 */
import type { Router } from 'express';
import type { ScimContext } from '../context.js';
import { scimError, scimTypeOfError } from '../errors.js';
import { listGroups } from '../groups.js';
import { type ListParams, listParams, listResponse, searchParams } from '../list.js';
import { listUsers } from '../users.js';
import { handle, sendResource } from './handle.js';

async function search(ctx: ScimContext, type: 'Users' | 'Groups', params: ListParams) {
  const list = type === 'Users' ? listUsers : listGroups;
  return list(ctx, params);
}

/** RFC 7644 §3.4.3: a root search runs on every type; Users come first, then Groups. */
async function searchAll(ctx: ScimContext, params: ListParams) {
  if (params.sortBy) {
    throw scimError(400, 'invalidValue', 'sortBy applies to /Users/.search or /Groups/.search');
  }
  type Page = { total: number; resources: Record<string, unknown>[] };
  // A filter naming an attribute only one type has selects nothing of the other type.
  const settle = async (type: 'Users' | 'Groups', p: ListParams): Promise<Page | Error> => {
    try {
      return await search(ctx, type, p);
    } catch (e) {
      if (scimTypeOfError(e) === 'invalidFilter') return e as Error;
      throw e;
    }
  };
  const users = await settle('Users', params);
  const usersPage = users instanceof Error ? { total: 0, resources: [] } : users;
  const groups = await settle('Groups', {
    ...params,
    startIndex: Math.max(0, params.startIndex - 1 - usersPage.total) + 1,
    count: Math.max(0, params.count - usersPage.resources.length),
  });
  if (users instanceof Error && groups instanceof Error) throw users;
  const groupsPage = groups instanceof Error ? { total: 0, resources: [] } : groups;
  const usersTotal = usersPage.total;
  const groupsTotal = groupsPage.total;
  const resources = [...usersPage.resources, ...groupsPage.resources];
  return { total: usersTotal + groupsTotal, resources };
}

/** Adds the list and search routes to `r`. */
export function listRoutes(r: Router): void {
  for (const type of ['Users', 'Groups'] as const) {
    r.get(
      `/${type}`,
      handle(async (_req, res, ctx) => {
        const params = listParams(ctx.query);
        const { total, resources } = await search(ctx, type, params);
        sendResource(res, 200, listResponse(resources, total, params.startIndex));
      }),
    );
    r.post(
      `/${type}/.search`,
      handle(async (req, res, ctx) => {
        const params = searchParams(req.body);
        const { total, resources } = await search(ctx, type, params);
        sendResource(res, 200, listResponse(resources, total, params.startIndex));
      }),
    );
  }
  r.post(
    '/.search',
    handle(async (req, res, ctx) => {
      const params = searchParams(req.body);
      const { total, resources } = await searchAll(ctx, params);
      sendResource(res, 200, listResponse(resources, total, params.startIndex));
    }),
  );
}
