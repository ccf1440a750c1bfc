/**
 * SCIMMY resource handlers for single resources (GET by id, POST, PUT, DELETE), which
 * scimmy-routers calls with the request's `ScimContext`. Lists, searches and PATCH are served
 * by `./routes.ts` before SCIMMY sees them (its in-memory filter and paging are not used). Every
 * error leaves as a SCIMMY error: anything else would become a 404 (TOOLCHAIN P19).
 */
import {
  changeDirectoryGroup,
  createDirectoryGroup,
  deleteDirectoryGroup,
  deprovisionDirectoryUser,
  getDirectoryGroup,
  getDirectoryUser,
  provisionDirectoryUser,
  replaceDirectoryUser,
} from '@gatehouse/domain';
import SCIMMY from 'scimmy';
import { precondition, queryProjection, type ScimContext, setRevision } from './context.js';
import { scimError, toScimError } from './errors.js';
import { readGroup } from './groups.js';
import { memberIds } from './patch/group-patch.js';
import { plain } from './schema.js';
import { toDirectoryInput } from './user-doc.js';
import { readUser, renderOne } from './users.js';

type Handler<A extends unknown[], R> = (...args: A) => Promise<R>;

/** Runs a handler; whatever it throws leaves as a SCIMMY error (and 500s are reported). */
function guarded<A extends unknown[], R>(ctxAt: number, fn: Handler<A, R>): Handler<A, R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      const { error, id } = toScimError(e);
      if (id) (args[ctxAt] as ScimContext | undefined)?.onInternalError(e, id);
      throw error;
    }
  };
}

const notFound = (what: string, id: string) => scimError(404, null, `${what} ${id} not found`);

interface Identified {
  readonly id?: string;
}

let installed = false;

/** Installs the handlers on SCIMMY's (process-global) User and Group resources, once. */
export function installHandlers(): void {
  if (installed) return;
  installed = true;

  SCIMMY.Resources.User.egress(
    guarded(1, async (resource: Identified, ctx: ScimContext) => {
      if (!resource.id) throw scimError(500, null, 'user lists are served before SCIMMY');
      const user = await readUser(ctx, resource.id, {
        excludedAttributes: queryProjection(ctx).excludedAttributes,
      });
      if (!user) throw notFound('user', resource.id);
      return user;
    }) as never,
  );

  SCIMMY.Resources.User.ingress(
    guarded(2, async (resource: Identified, instance: unknown, ctx: ScimContext) => {
      let written: Awaited<ReturnType<typeof provisionDirectoryUser>>;
      if (resource.id) {
        const cur = await getDirectoryUser(ctx, { userId: resource.id });
        if (!cur) throw notFound('user', resource.id);
        const ifVersion = precondition(ctx, cur.version);
        const input = toDirectoryInput(plain(instance), cur.active);
        written = await replaceDirectoryUser(ctx.services, ctx.caller, ctx.orgId, {
          userId: resource.id,
          input,
          ifVersion,
        });
      } else {
        const input = toDirectoryInput(plain(instance));
        written = await provisionDirectoryUser(ctx.services, ctx.caller, ctx.orgId, input);
      }
      setRevision(ctx, written.revision);
      return renderOne(ctx, written.result);
    }) as never,
  );

  SCIMMY.Resources.User.degress(
    guarded(1, async (resource: Identified, ctx: ScimContext) => {
      const id = resource.id!;
      const cur = await getDirectoryUser(ctx, { userId: id });
      if (!cur) throw notFound('user', id);
      const ifVersion = precondition(ctx, cur.version);
      const { revision } = await deprovisionDirectoryUser(ctx.services, ctx.caller, ctx.orgId, {
        userId: id,
        ifVersion,
      });
      setRevision(ctx, revision);
    }) as never,
  );

  SCIMMY.Resources.Group.egress(
    guarded(1, async (resource: Identified, ctx: ScimContext) => {
      if (!resource.id) throw scimError(500, null, 'group lists are served before SCIMMY');
      const group = await readGroup(ctx, resource.id, {
        excludedAttributes: queryProjection(ctx).excludedAttributes,
      });
      if (!group) throw notFound('group', resource.id);
      return group;
    }) as never,
  );

  SCIMMY.Resources.Group.ingress(
    guarded(2, async (resource: Identified, instance: unknown, ctx: ScimContext) => {
      const body = plain(instance);
      const displayName = typeof body.displayName === 'string' ? body.displayName : '';
      const externalId =
        typeof body.externalId === 'string' && body.externalId !== '' ? body.externalId : null;
      if (externalId && externalId.length > 256) {
        throw scimError(400, 'invalidValue', 'externalId is longer than 256 characters');
      }
      const userIds = memberIds(body.members);
      let groupId: string;
      let revision: number;
      if (resource.id) {
        const cur = await getDirectoryGroup(ctx, { groupId: resource.id });
        if (!cur) throw notFound('group', resource.id);
        const ifVersion = precondition(ctx, cur.version);
        ({ revision } = await changeDirectoryGroup(ctx.services, ctx.caller, ctx.orgId, {
          groupId: resource.id,
          ifVersion,
          changes: [
            { kind: 'rename', displayName },
            { kind: 'externalId', externalId },
            { kind: 'replaceMembers', userIds },
          ],
        }));
        groupId = resource.id;
      } else {
        const created = await createDirectoryGroup(ctx.services, ctx.caller, ctx.orgId, {
          displayName,
          externalId,
          userIds,
        });
        ({ revision } = created);
        groupId = created.result.groupId;
      }
      setRevision(ctx, revision);
      return (await readGroup(ctx, groupId))!;
    }) as never,
  );

  SCIMMY.Resources.Group.degress(
    guarded(1, async (resource: Identified, ctx: ScimContext) => {
      const id = resource.id!;
      const cur = await getDirectoryGroup(ctx, { groupId: id });
      if (!cur) throw notFound('group', id);
      const ifVersion = precondition(ctx, cur.version);
      const { revision } = await deleteDirectoryGroup(ctx.services, ctx.caller, ctx.orgId, {
        groupId: id,
        ifVersion,
      });
      setRevision(ctx, revision);
    }) as never,
  );
}
