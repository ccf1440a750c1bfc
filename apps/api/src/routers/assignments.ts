/** Assignments to users, groups and API clients (R5, R6, T5). */
import { assignRole, listAssignments, revokeRole } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, cursor, environment, idOf, limit, text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

export const assignmentsRouter = {
  assign: orgProcedure
    .input(
      z.object({
        subjectId: anyId,
        role: text({ min: 1, max: 100 }),
        scopeId: anyId.optional(),
        environment: environment.nullish(),
        replace: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => assignRole(ctx.call, input)),
  revoke: orgProcedure
    .input(z.object({ assignmentId: idOf('asg') }))
    .mutation(({ ctx, input }) => revokeRole(ctx.call, input)),
  list: orgProcedure
    .input(z.object({ subjectId: anyId.optional(), scopeId: anyId.optional(), cursor, limit }))
    .query(({ ctx, input: { cursor: c, ...rest } }) =>
      listAssignments(ctx.call, { ...rest, cursor: c ?? undefined }),
    ),
} satisfies TRPCRouterRecord;
