/** Groups and teams (G1, G2). */
import {
  addGroupMembers,
  createGroup,
  deleteGroup,
  getGroup,
  groupsOfMember,
  listGroupMembers,
  listGroups,
  removeGroupMembers,
  updateGroup,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, avatarUrl, idOf, orgId, text } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

const groupId = idOf('grp');
const fields = {
  description: text({ max: 2000 }).nullish(),
  avatarUrl: avatarUrl.nullish(),
  limitedTo: z.array(anyId).max(1000).nullish(),
};
const members = z.object({ orgId, groupId, memberIds: z.array(anyId).min(1).max(1000) });

export const groupsRouter = {
  list: authedProcedure
    .input(z.object({ orgId }))
    .query(({ ctx, input }) => listGroups(ctx.services, ctx.caller, input.orgId)),
  /** G1/G2: one group with the roles it gives per scope and environment. */
  get: authedProcedure
    .input(z.object({ orgId, groupId }))
    .query(({ ctx, input }) => getGroup(ctx.services, ctx.caller, input.orgId, input.groupId)),
  /** G1: a group's members (users and API clients), keyset-paginated by member id. */
  members: authedProcedure
    .input(
      z.object({
        orgId,
        groupId,
        cursor: anyId.nullish(),
        limit: z.number().int().min(1).max(1000).optional(),
      }),
    )
    .query(({ ctx, input: { orgId: id, cursor, ...rest } }) =>
      listGroupMembers(ctx.services, ctx.caller, id, { ...rest, cursor: cursor ?? undefined }),
    ),
  /** G1: the groups a user or API client belongs to, with their roles. */
  ofMember: authedProcedure
    .input(z.object({ orgId, memberId: anyId }))
    .query(({ ctx, input }) =>
      groupsOfMember(ctx.services, ctx.caller, input.orgId, input.memberId),
    ),
  create: authedProcedure
    .input(z.object({ orgId, name: text({ min: 1, max: 200 }), ...fields }))
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      createGroup(ctx.services, ctx.caller, id, rest),
    ),
  update: authedProcedure
    .input(z.object({ orgId, groupId, name: text({ min: 1, max: 200 }).optional(), ...fields }))
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      updateGroup(ctx.services, ctx.caller, id, rest),
    ),
  delete: authedProcedure
    .input(z.object({ orgId, groupId }))
    .mutation(({ ctx, input }) =>
      deleteGroup(ctx.services, ctx.caller, input.orgId, input.groupId),
    ),
  addMembers: authedProcedure
    .input(members)
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      addGroupMembers(ctx.services, ctx.caller, id, rest),
    ),
  removeMembers: authedProcedure
    .input(members)
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      removeGroupMembers(ctx.services, ctx.caller, id, rest),
    ),
} satisfies TRPCRouterRecord;
