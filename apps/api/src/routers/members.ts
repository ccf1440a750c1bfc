/** Members (M5). */
import {
  addMember,
  listMembers,
  removeMember,
  setMemberRoles,
  setMemberStatus,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, cursor, environment, idOf, limit, orgId, roleAt } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

const userId = idOf('usr');

export const membersRouter = {
  add: authedProcedure
    .input(
      z.object({
        orgId,
        email: z.string().min(3).max(320),
        name: z.string().max(200).optional(),
        roles: z.array(roleAt).max(100).optional(),
      }),
    )
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      addMember(ctx.services, ctx.caller, id, rest),
    ),
  setRoles: authedProcedure
    .input(
      z.object({
        orgId,
        userId,
        scopeId: anyId.optional(),
        roles: z
          .array(z.object({ role: z.string().min(1).max(100), environment: environment.nullish() }))
          .max(100),
      }),
    )
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      setMemberRoles(ctx.services, ctx.caller, id, rest),
    ),
  remove: authedProcedure
    .input(z.object({ orgId, userId, scopeId: anyId.optional() }))
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      removeMember(ctx.services, ctx.caller, id, rest),
    ),
  deactivate: authedProcedure
    .input(z.object({ orgId, userId }))
    .mutation(({ ctx, input: { orgId: id, userId: u } }) =>
      setMemberStatus(ctx.services, ctx.caller, id, { userId: u, status: 'deactivated' }),
    ),
  reactivate: authedProcedure
    .input(z.object({ orgId, userId }))
    .mutation(({ ctx, input: { orgId: id, userId: u } }) =>
      setMemberStatus(ctx.services, ctx.caller, id, { userId: u, status: 'active' }),
    ),
  list: authedProcedure.input(z.object({ orgId, cursor, limit })).query(({ ctx, input }) =>
    listMembers(ctx.services, ctx.caller, input.orgId, {
      cursor: input.cursor ?? undefined,
      limit: input.limit,
    }),
  ),
} satisfies TRPCRouterRecord;
