/** Organizations (T1). */
import { createOrg, getOrg, listOrgs, updateOrg } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { avatarUrl, cursor, jsonValue, limit, text } from '../schemas.js';
import { authedProcedure, orgProcedure } from '../trpc.js';

export const orgsRouter = {
  create: authedProcedure
    .input(
      z.object({
        name: text({ min: 1, max: 200 }),
        preset: text({ min: 1, max: 100 }),
        slug: text({ max: 63 }).optional(),
        description: text({ max: 2000 }).optional(),
        owner: z
          .object({ email: text({ max: 320 }), name: text({ max: 200 }).optional() })
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) => createOrg(ctx.call, input)),
  get: orgProcedure.query(({ ctx }) => getOrg(ctx.call)),
  list: authedProcedure.input(z.object({ cursor, limit }).optional()).query(({ ctx, input }) =>
    listOrgs(ctx.call, {
      cursor: input?.cursor ?? undefined,
      limit: input?.limit,
    }),
  ),
  update: orgProcedure
    .input(
      z.object({
        name: text({ min: 1, max: 200 }).optional(),
        slug: text({ max: 63 }).optional(),
        description: text({ max: 2000 }).nullish(),
        avatarUrl: avatarUrl.nullish(),
        settings: z.record(text({ max: 200 }), jsonValue()).optional(),
      }),
    )
    .mutation(({ ctx, input: { orgId: _org, ...changes } }) => updateOrg(ctx.call, changes)),
} satisfies TRPCRouterRecord;
