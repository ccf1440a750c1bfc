/**
 * The routes served before scimmy-routers: lists (`GET /Users`, `GET /Groups`), searches
 * (`POST /.search`, `/Users/.search`, `/Groups/.search`) and PATCH. Filtering and paging happen
 * in SQL here, so SCIMMY never re-filters or re-pages (its ListResponse treats `itemsPerPage`
 * as the requested count and slices already-paged results).
 */
import {
  changeDirectoryGroup,
  type DirectoryConflict,
  DomainError,
  getDirectoryGroup,
  getDirectoryUser,
  replaceDirectoryUser,
} from '@gatehouse/domain';
import { type Request, type Response, Router } from 'express';
import {
  contextOf,
  precondition,
  queryProjection,
  type ScimContext,
  setRevision,
} from './context.js';
import { scimError, scimTypeOfError, sendError, writeJson } from './errors.js';
import { listGroups, readGroup } from './groups.js';
import { type ListParams, listParams, listResponse, searchParams } from './list.js';
import { groupChanges } from './patch/group-patch.js';
import { readPatch } from './patch/operations.js';
import { applyUserPatch } from './patch/user-patch.js';
import { coerceUser, normalizeUserBody, patchableUser, toDirectoryInput } from './user-doc.js';
import { listUsers, renderOne } from './users.js';

type Handler = (req: Request, res: Response, ctx: ScimContext) => Promise<void>;

/** Wraps a handler: errors become SCIM error bodies; unexpected ones are reported. */
function handle(fn: Handler) {
  return async (req: Request, res: Response) => {
    let ctx: ScimContext | undefined;
    try {
      ctx = contextOf(res);
      await fn(req, res, ctx);
    } catch (e) {
      const id = sendError(res, e);
      if (id) ctx?.onInternalError(e, id);
    }
  };
}

/** Sends a SCIM JSON body, with the resource's ETag and (on 201) its Location. */
export function sendResource(res: Response, status: number, body: Record<string, unknown>): void {
  const meta = body.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) res.setHeader('ETag', meta.version);
  if (status === 201 && meta?.location) res.setHeader('Location', meta.location);
  writeJson(res, status, body);
}

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

function isVersionConflict(e: unknown): boolean {
  return (
    e instanceof DomainError &&
    (e.details as DirectoryConflict | undefined)?.reason === 'version_mismatch'
  );
}

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, (x as Record<string, unknown>)[k]]),
        )
      : x,
  );

const patchUser: Handler = async (req, res, ctx) => {
  const id = String(req.params.id);
  const ops = readPatch(req.body);
  for (let attempt = 0; ; attempt++) {
    const cur = await getDirectoryUser(ctx, { userId: id });
    if (!cur) throw scimError(404, null, `user ${id} not found`);
    precondition(ctx, cur.version);
    const patched = applyUserPatch(patchableUser(cur), ops);
    const input = toDirectoryInput(coerceUser(normalizeUserBody(patched)), cur.active);
    const unchanged =
      input.userName === cur.userName &&
      input.externalId === cur.externalId &&
      input.active === cur.active &&
      stable(input.doc) === stable(cur.doc);
    if (unchanged) {
      // Entra re-sends values it already provisioned: no write, no new revision.
      sendResource(res, 200, await renderOne(ctx, cur, queryProjection(ctx)));
      return;
    }
    try {
      const { result, revision } = await replaceDirectoryUser(ctx.services, ctx.caller, ctx.orgId, {
        userId: id,
        input,
        ifVersion: cur.version,
      });
      setRevision(ctx, revision);
      sendResource(res, 200, await renderOne(ctx, result, queryProjection(ctx)));
      return;
    } catch (e) {
      // Changed between our read and the write: re-apply on the new version (unless If-Match).
      if (!isVersionConflict(e) || ctx.ifMatch !== undefined || attempt >= 2) throw e;
    }
  }
};

const patchGroup: Handler = async (req, res, ctx) => {
  const id = String(req.params.id);
  const changes = groupChanges(readPatch(req.body));
  let ifVersion: string | undefined;
  if (ctx.ifMatch !== undefined) {
    const cur = await getDirectoryGroup(ctx, { groupId: id });
    if (!cur) throw scimError(404, null, `group ${id} not found`);
    ifVersion = precondition(ctx, cur.version);
  }
  const { result, revision } = await changeDirectoryGroup(ctx.services, ctx.caller, ctx.orgId, {
    groupId: id,
    changes,
    ifVersion,
  });
  setRevision(ctx, revision);
  const projection = queryProjection(ctx);
  res.setHeader('ETag', `W/"${result.version}"`);
  if (!projection.attributes && !projection.excludedAttributes) {
    // RFC 7644 §3.5.2: 204 is allowed, and spares listing 10k members back.
    res.status(204).end();
    return;
  }
  sendResource(res, 200, (await readGroup(ctx, id, projection))!);
};

/** The router of these routes (mounted inside the SCIM router, after authentication). */
export function scimRoutes(): Router {
  const r = Router();
  r.get(
    '/Users',
    handle(async (_req, res, ctx) => {
      const params = listParams(ctx.query);
      const { total, resources } = await listUsers(ctx, params);
      sendResource(res, 200, listResponse(resources, total, params.startIndex));
    }),
  );
  r.get(
    '/Groups',
    handle(async (_req, res, ctx) => {
      const params = listParams(ctx.query);
      const { total, resources } = await listGroups(ctx, params);
      sendResource(res, 200, listResponse(resources, total, params.startIndex));
    }),
  );
  for (const type of ['Users', 'Groups'] as const) {
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
  r.patch('/Users/:id', handle(patchUser));
  r.patch('/Groups/:id', handle(patchGroup));
  return r;
}
