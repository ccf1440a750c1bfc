/**
 * One SCIM Group (RFC 7644 §3.3, §3.4.1, §3.5.1, §3.6): GET by id, POST, PUT and DELETE, each
 * a domain call for the org the token belongs to. PATCH (set-based) is `./patch.ts`.
 */
import {
  changeDirectoryGroup,
  createDirectoryGroup,
  deleteDirectoryGroup,
  getDirectoryGroup,
} from '@gatehouse/domain';
import type { Router } from 'express';
import { precondition, queryProjection, setRevision } from '../context.js';
import { scimError } from '../errors.js';
import { readGroup } from '../groups.js';
import { memberIds } from '../patch/group-patch.js';
import { handle } from './handle.js';
import { inboundBody, pathId, sendOne } from './resource.js';

const notFound = (id: string) => scimError(404, null, `group ${id} not found`);

/** What a POST or PUT body says about a group. */
function groupInput(body: Record<string, unknown>) {
  const displayName = typeof body.displayName === 'string' ? body.displayName : '';
  const externalId =
    typeof body.externalId === 'string' && body.externalId !== '' ? body.externalId : null;
  if (externalId && externalId.length > 256) {
    throw scimError(400, 'invalidValue', 'externalId is longer than 256 characters');
  }
  return { displayName, externalId, userIds: memberIds(body.members) };
}

/** Adds the single-Group routes to `r`. */
export function groupRoutes(r: Router): void {
  r.get(
    '/Groups/:id',
    handle(async (req, res, ctx) => {
      const id = pathId(req);
      const { excludedAttributes } = queryProjection(ctx);
      const group = await readGroup(ctx, id, { excludedAttributes });
      if (!group) throw notFound(id);
      sendOne(req, res, ctx, 'Group', group);
    }),
  );
  r.post(
    '/Groups',
    handle(async (req, res, ctx) => {
      const input = groupInput(inboundBody('Group', req.body));
      const { result, revision } = await createDirectoryGroup(ctx, input);
      setRevision(ctx, revision);
      sendOne(req, res, ctx, 'Group', (await readGroup(ctx, result.groupId))!, 201);
    }),
  );
  r.put(
    '/Groups/:id',
    handle(async (req, res, ctx) => {
      const id = pathId(req);
      const { displayName, externalId, userIds } = groupInput(inboundBody('Group', req.body, id));
      const cur = await getDirectoryGroup(ctx, { groupId: id });
      if (!cur) throw notFound(id);
      const ifVersion = precondition(ctx, cur.version);
      const { revision } = await changeDirectoryGroup(ctx, {
        groupId: id,
        ifVersion,
        changes: [
          { kind: 'rename', displayName },
          { kind: 'externalId', externalId },
          { kind: 'replaceMembers', userIds },
        ],
      });
      setRevision(ctx, revision);
      sendOne(req, res, ctx, 'Group', (await readGroup(ctx, id))!);
    }),
  );
  r.delete(
    '/Groups/:id',
    handle(async (req, res, ctx) => {
      const id = pathId(req);
      const cur = await getDirectoryGroup(ctx, { groupId: id });
      if (!cur) throw notFound(id);
      const ifVersion = precondition(ctx, cur.version);
      const { revision } = await deleteDirectoryGroup(ctx, {
        groupId: id,
        ifVersion,
      });
      setRevision(ctx, revision);
      res.status(204).end();
    }),
  );
}
