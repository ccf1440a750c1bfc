/** Scopes (T2, T4). */
import { createScope, deleteScope, listScopes, updateScope } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, avatarUrl, cursor, limit, text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

export const scopesRouter = {
  create: orgProcedure
    .input(
      z.object({
        parentId: anyId.optional(),
        kind: text({ min: 1, max: 100 }),
        name: text({ min: 1, max: 200 }),
        description: text({ max: 2000 }).optional(),
        avatarUrl: avatarUrl.nullish(),
      }),
    )
    .mutation(({ ctx, input }) => createScope(ctx.call, input)),
  update: orgProcedure
    .input(
      z.object({
        scopeId: anyId,
        name: text({ min: 1, max: 200 }).optional(),
        description: text({ max: 2000 }).nullish(),
        avatarUrl: avatarUrl.nullish(),
      }),
    )
    .mutation(({ ctx, input }) => updateScope(ctx.call, input)),
  delete: orgProcedure
    .input(z.object({ scopeId: anyId, cascade: z.boolean().optional() }))
    .mutation(({ ctx, input }) => deleteScope(ctx.call, input)),
  list: orgProcedure.input(z.object({ cursor, limit })).query(({ ctx, input }) =>
    listScopes(ctx.call, {
      cursor: input.cursor ?? undefined,
      limit: input.limit,
    }),
  ),
} satisfies TRPCRouterRecord;
