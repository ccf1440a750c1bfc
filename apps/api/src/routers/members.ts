/** Members (M4 directory, M5, M6 lifecycle, T6 overview). */
import {
  addMember,
  directoryOverview,
  listDirectory,
  removeMember,
  setMemberRoles,
  setMemberStatus,
  updateUser,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, environment, idOf, orgId, roleAt, text } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

const userId = idOf('usr');

export const membersRouter = {
  add: authedProcedure
    .input(
      z.object({
        orgId,
        email: text({ min: 3, max: 320 }),
        name: text({ max: 200 }).optional(),
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
          .array(z.object({ role: text({ min: 1, max: 100 }), environment: environment.nullish() }))
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
  /** M4: the directory of the org or of a scope (members and pending invitations). */
  list: authedProcedure
    .input(
      z.object({
        orgId,
        scopeId: anyId.optional(),
        search: text({ max: 320 }).optional(),
        status: z.enum(['active', 'deactivated', 'pending']).optional(),
        role: text({ min: 1, max: 100 }).optional(),
        groupId: idOf('grp').optional(),
        membership: z.enum(['direct', 'inherited']).optional(),
        sort: z.enum(['id', 'email']).optional(),
        cursor: text({ max: 2000 }).nullish(),
        limit: z.number().int().min(1).max(500).optional(),
      }),
    )
    .query(({ ctx, input: { orgId: id, cursor: c, ...rest } }) =>
      listDirectory(ctx.services, ctx.caller, id, { ...rest, cursor: c ?? undefined }),
    ),
  /** T6: members per status and scope, pending invitations, active in 30 days, last logins. */
  overview: authedProcedure
    .input(z.object({ orgId }))
    .query(({ ctx, input }) => directoryOverview(ctx.services, ctx.caller, input.orgId)),
  /** M6: edit a member's name or email (CONFLICT when the email belongs to someone else). */
  update: authedProcedure
    .input(
      z.object({
        orgId,
        userId,
        name: text({ max: 200 }).nullish(),
        email: text({ min: 3, max: 320 }).optional(),
      }),
    )
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      updateUser(ctx.services, ctx.caller, id, rest),
    ),
} satisfies TRPCRouterRecord;
