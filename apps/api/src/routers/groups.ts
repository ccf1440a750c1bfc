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
import { anyId, avatarUrl, idOf, text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

const groupId = idOf('grp');
const fields = {
  description: text({ max: 2000 }).nullish(),
  avatarUrl: avatarUrl.nullish(),
  limitedTo: z.array(anyId).max(1000).nullish(),
};
const members = z.object({ groupId, memberIds: z.array(anyId).min(1).max(1000) });

export const groupsRouter = {
  list: orgProcedure.query(({ ctx }) => listGroups(ctx.call)),
  /** G1/G2: one group with the roles it gives per scope and environment. */
  get: orgProcedure
    .input(z.object({ groupId }))
    .query(({ ctx, input }) => getGroup(ctx.call, input)),
  /** G1: a group's members (users and API clients), keyset-paginated by member id. */
  members: orgProcedure
    .input(
      z.object({
        groupId,
        cursor: anyId.nullish(),
        limit: z.number().int().min(1).max(1000).optional(),
      }),
    )
    .query(({ ctx, input: { cursor, ...rest } }) =>
      listGroupMembers(ctx.call, { ...rest, cursor: cursor ?? undefined }),
    ),
  /** G1: the groups a user or API client belongs to, with their roles. */
  ofMember: orgProcedure
    .input(z.object({ memberId: anyId }))
    .query(({ ctx, input }) => groupsOfMember(ctx.call, input)),
  create: orgProcedure
    .input(z.object({ name: text({ min: 1, max: 200 }), ...fields }))
    .mutation(({ ctx, input }) => createGroup(ctx.call, input)),
  update: orgProcedure
    .input(z.object({ groupId, name: text({ min: 1, max: 200 }).optional(), ...fields }))
    .mutation(({ ctx, input }) => updateGroup(ctx.call, input)),
  delete: orgProcedure
    .input(z.object({ groupId }))
    .mutation(({ ctx, input }) => deleteGroup(ctx.call, input)),
  addMembers: orgProcedure
    .input(members)
    .mutation(({ ctx, input }) => addGroupMembers(ctx.call, input)),
  removeMembers: orgProcedure
    .input(members)
    .mutation(({ ctx, input }) => removeGroupMembers(ctx.call, input)),
} satisfies TRPCRouterRecord;
