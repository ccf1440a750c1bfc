/** Assignments to users, groups and API clients (R5, R6, T5). */
import { assignRole, listAssignments, revokeRole } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, cursor, environment, idOf, limit, orgId, text } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

export const assignmentsRouter = {
  assign: authedProcedure
    .input(
      z.object({
        orgId,
        subjectId: anyId,
        role: text({ min: 1, max: 100 }),
        scopeId: anyId.optional(),
        environment: environment.nullish(),
        replace: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      assignRole(ctx.services, ctx.caller, id, rest),
    ),
  revoke: authedProcedure
    .input(z.object({ orgId, assignmentId: idOf('asg') }))
    .mutation(({ ctx, input }) =>
      revokeRole(ctx.services, ctx.caller, input.orgId, input.assignmentId),
    ),
  list: authedProcedure
    .input(
      z.object({ orgId, subjectId: anyId.optional(), scopeId: anyId.optional(), cursor, limit }),
    )
    .query(({ ctx, input: { orgId: id, cursor: c, ...rest } }) =>
      listAssignments(ctx.services, ctx.caller, id, { ...rest, cursor: c ?? undefined }),
    ),
} satisfies TRPCRouterRecord;
