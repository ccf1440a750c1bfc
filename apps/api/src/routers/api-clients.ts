/** API clients (K1): the key is returned once, by create and rotate. */
import {
  createApiClient,
  listApiClients,
  revokeApiClient,
  rotateApiClient,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { idOf, orgId, roleAt, text } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

const clientId = idOf('cli');

export const apiClientsRouter = {
  create: authedProcedure
    .input(
      z.object({
        orgId,
        name: text({ min: 1, max: 200 }),
        roles: z.array(roleAt).max(100).default([]),
      }),
    )
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      createApiClient(ctx.services, ctx.caller, id, rest),
    ),
  rotate: authedProcedure
    .input(z.object({ orgId, clientId }))
    .mutation(({ ctx, input }) =>
      rotateApiClient(ctx.services, ctx.caller, input.orgId, input.clientId),
    ),
  revoke: authedProcedure
    .input(z.object({ orgId, clientId }))
    .mutation(({ ctx, input }) =>
      revokeApiClient(ctx.services, ctx.caller, input.orgId, input.clientId),
    ),
  list: authedProcedure
    .input(z.object({ orgId }))
    .query(({ ctx, input }) => listApiClients(ctx.services, ctx.caller, input.orgId)),
} satisfies TRPCRouterRecord;
