/** Scopes (T2, T4). */
import { createScope, deleteScope, listScopes, updateScope } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, cursor, limit, orgId, text } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

export const scopesRouter = {
  create: authedProcedure
    .input(
      z.object({
        orgId,
        parentId: anyId.optional(),
        kind: text({ min: 1, max: 100 }),
        name: text({ min: 1, max: 200 }),
        description: text({ max: 2000 }).optional(),
      }),
    )
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      createScope(ctx.services, ctx.caller, id, rest),
    ),
  update: authedProcedure
    .input(
      z.object({
        orgId,
        scopeId: anyId,
        name: text({ min: 1, max: 200 }).optional(),
        description: text({ max: 2000 }).nullish(),
      }),
    )
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      updateScope(ctx.services, ctx.caller, id, rest),
    ),
  delete: authedProcedure
    .input(z.object({ orgId, scopeId: anyId, cascade: z.boolean().optional() }))
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      deleteScope(ctx.services, ctx.caller, id, rest),
    ),
  list: authedProcedure.input(z.object({ orgId, cursor, limit })).query(({ ctx, input }) =>
    listScopes(ctx.services, ctx.caller, input.orgId, {
      cursor: input.cursor ?? undefined,
      limit: input.limit,
    }),
  ),
} satisfies TRPCRouterRecord;
