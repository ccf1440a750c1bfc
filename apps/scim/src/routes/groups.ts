/**
 * One SCIM Group (RFC 7644 §3.3, §3.4.1, §3.5.1, §3.6): GET by id, POST, PUT and DELETE, each
 * a domain call for the org the token belongs to. PATCH (set-based) is `./patch.ts`. The
 * writes are `Operation`s (`./outcome.ts`), shared with `/Bulk`.
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
import { type Operation, resourceOutcome, sendOutcome } from './outcome.js';
import { checkId, inboundBody, pathId, sendOne } from './resource.js';

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

/** POST /Groups: creates a group with its members (201). */
export const createGroup: Operation = async (ctx, { body }) => {
  const input = groupInput(inboundBody('Group', body));
  const { result, revision } = await createDirectoryGroup(ctx, input);
  setRevision(ctx, revision);
  return resourceOutcome(ctx, 'Group', (await readGroup(ctx, result.groupId))!, 201);
};

/** PUT /Groups/{id}: replaces a group's name, externalId and members (200). */
export const replaceGroup: Operation = async (ctx, { id: rawId, body }) => {
  const id = checkId(String(rawId));
  const { displayName, externalId, userIds } = groupInput(inboundBody('Group', body, id));
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
  return resourceOutcome(ctx, 'Group', (await readGroup(ctx, id))!);
};

/** DELETE /Groups/{id}: deletes a group (204). */
export const deleteGroup: Operation = async (ctx, { id: rawId }) => {
  const id = checkId(String(rawId));
  const cur = await getDirectoryGroup(ctx, { groupId: id });
  if (!cur) throw notFound(id);
  const ifVersion = precondition(ctx, cur.version);
  const { revision } = await deleteDirectoryGroup(ctx, { groupId: id, ifVersion });
  setRevision(ctx, revision);
  return { status: 204 };
};

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
    handle(async (req, res, ctx) => sendOutcome(res, await createGroup(ctx, { body: req.body }))),
  );
  r.put(
    '/Groups/:id',
    handle(async (req, res, ctx) =>
      sendOutcome(res, await replaceGroup(ctx, { id: String(req.params.id), body: req.body })),
    ),
  );
  r.delete(
    '/Groups/:id',
    handle(async (req, res, ctx) =>
      sendOutcome(res, await deleteGroup(ctx, { id: String(req.params.id), body: undefined })),
    ),
  );
}
