/** Organizations (T1). */
import { createOrg, getOrg, listOrgs, updateOrg } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { cursor, limit, orgId } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

export const orgsRouter = {
  create: authedProcedure
    .input(
      z.object({
        name: z.string().min(1).max(200),
        preset: z.string().min(1),
        slug: z.string().max(63).optional(),
        description: z.string().max(2000).optional(),
        owner: z
          .object({ email: z.string().max(320), name: z.string().max(200).optional() })
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) => createOrg(ctx.services, ctx.caller, input)),
  get: authedProcedure
    .input(z.object({ orgId }))
    .query(({ ctx, input }) => getOrg(ctx.services, ctx.caller, input.orgId)),
  list: authedProcedure.input(z.object({ cursor, limit }).optional()).query(({ ctx, input }) =>
    listOrgs(ctx.services, ctx.caller, {
      cursor: input?.cursor ?? undefined,
      limit: input?.limit,
    }),
  ),
  update: authedProcedure
    .input(
      z.object({
        orgId,
        name: z.string().min(1).max(200).optional(),
        slug: z.string().max(63).optional(),
        description: z.string().max(2000).nullish(),
        avatarUrl: z.string().url().max(2000).nullish(),
        settings: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      updateOrg(ctx.services, ctx.caller, id, rest),
    ),
} satisfies TRPCRouterRecord;
