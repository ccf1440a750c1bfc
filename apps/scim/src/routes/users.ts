/**
 * One SCIM User (RFC 7644 §3.3, §3.4.1, §3.5.1, §3.6): GET by id, POST, PUT and DELETE, each
 * a domain call (`@gatehouse/domain`) for the org the token belongs to. PATCH is `./patch.ts`.
 * The writes are `Operation`s (`./outcome.ts`), shared with `/Bulk`.
 */
import {
  deprovisionDirectoryUser,
  getDirectoryUser,
  provisionDirectoryUser,
  replaceDirectoryUser,
} from '@gatehouse/domain';
import type { Router } from 'express';
import { precondition, queryProjection, setRevision } from '../context.js';
import { scimError } from '../errors.js';
import { toDirectoryInput } from '../user-doc.js';
import { readUser, renderOne } from '../users.js';
import { handle } from './handle.js';
import { type Operation, resourceOutcome, sendOutcome } from './outcome.js';
import { checkId, inboundBody, pathId, sendOne } from './resource.js';

const notFound = (id: string) => scimError(404, null, `user ${id} not found`);

/** POST /Users: provisions a user (201). */
export const createUser: Operation = async (ctx, { body }) => {
  const input = toDirectoryInput(inboundBody('User', body));
  const { result, revision } = await provisionDirectoryUser(ctx, input);
  setRevision(ctx, revision);
  return resourceOutcome(ctx, 'User', await renderOne(ctx, result), 201);
};

/** PUT /Users/{id}: replaces a user (200), under `If-Match` when sent. */
export const replaceUser: Operation = async (ctx, { id: rawId, body }) => {
  const id = checkId(String(rawId));
  const doc = inboundBody('User', body, id);
  const cur = await getDirectoryUser(ctx, { userId: id });
  if (!cur) throw notFound(id);
  const ifVersion = precondition(ctx, cur.version);
  const { result, revision } = await replaceDirectoryUser(ctx, {
    userId: id,
    input: toDirectoryInput(doc, cur.active),
    ifVersion,
  });
  setRevision(ctx, revision);
  return resourceOutcome(ctx, 'User', await renderOne(ctx, result));
};

/** DELETE /Users/{id}: deprovisions a user (204), under `If-Match` when sent. */
export const deleteUser: Operation = async (ctx, { id: rawId }) => {
  const id = checkId(String(rawId));
  const cur = await getDirectoryUser(ctx, { userId: id });
  if (!cur) throw notFound(id);
  const ifVersion = precondition(ctx, cur.version);
  const { revision } = await deprovisionDirectoryUser(ctx, { userId: id, ifVersion });
  setRevision(ctx, revision);
  return { status: 204 };
};

/** Adds the single-User routes to `r`. */
export function userRoutes(r: Router): void {
  r.get(
    '/Users/:id',
    handle(async (req, res, ctx) => {
      const id = pathId(req);
      const { excludedAttributes } = queryProjection(ctx);
      const user = await readUser(ctx, id, { excludedAttributes });
      if (!user) throw notFound(id);
      sendOne(req, res, ctx, 'User', user);
    }),
  );
  r.post(
    '/Users',
    handle(async (req, res, ctx) => sendOutcome(res, await createUser(ctx, { body: req.body }))),
  );
  r.put(
    '/Users/:id',
    handle(async (req, res, ctx) =>
      sendOutcome(res, await replaceUser(ctx, { id: String(req.params.id), body: req.body })),
    ),
  );
  r.delete(
    '/Users/:id',
    handle(async (req, res, ctx) =>
      sendOutcome(res, await deleteUser(ctx, { id: String(req.params.id), body: undefined })),
    ),
  );
}
