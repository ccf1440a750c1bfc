/**
 * One SCIM User (RFC 7644 §3.3, §3.4.1, §3.5.1, §3.6): GET by id, POST, PUT and DELETE, each
 * a domain call (`@gatehouse/domain`) for the org the token belongs to. PATCH is `./patch.ts`.
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
import { inboundBody, pathId, sendOne } from './resource.js';

const notFound = (id: string) => scimError(404, null, `user ${id} not found`);

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
    handle(async (req, res, ctx) => {
      const input = toDirectoryInput(inboundBody('User', req.body));
      const { result, revision } = await provisionDirectoryUser(ctx, input);
      setRevision(ctx, revision);
      sendOne(req, res, ctx, 'User', await renderOne(ctx, result), 201);
    }),
  );
  r.put(
    '/Users/:id',
    handle(async (req, res, ctx) => {
      const id = pathId(req);
      const body = inboundBody('User', req.body, id);
      const cur = await getDirectoryUser(ctx, { userId: id });
      if (!cur) throw notFound(id);
      const ifVersion = precondition(ctx, cur.version);
      const { result, revision } = await replaceDirectoryUser(ctx, {
        userId: id,
        input: toDirectoryInput(body, cur.active),
        ifVersion,
      });
      setRevision(ctx, revision);
      sendOne(req, res, ctx, 'User', await renderOne(ctx, result));
    }),
  );
  r.delete(
    '/Users/:id',
    handle(async (req, res, ctx) => {
      const id = pathId(req);
      const cur = await getDirectoryUser(ctx, { userId: id });
      if (!cur) throw notFound(id);
      const ifVersion = precondition(ctx, cur.version);
      const { revision } = await deprovisionDirectoryUser(ctx, {
        userId: id,
        ifVersion,
      });
      setRevision(ctx, revision);
      res.status(204).end();
    }),
  );
}
