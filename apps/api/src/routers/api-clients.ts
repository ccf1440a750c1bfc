/** API clients (K1): the key is returned once, by create and rotate. */
import {
  createApiClient,
  listApiClients,
  revokeApiClient,
  rotateApiClient,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { idOf, roleAt, text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

const clientId = idOf('cli');

export const apiClientsRouter = {
  create: orgProcedure
    .input(
      z.object({
        name: text({ min: 1, max: 200 }),
        roles: z.array(roleAt).max(100).default([]),
      }),
    )
    .mutation(({ ctx, input }) => createApiClient(ctx.call, input)),
  rotate: orgProcedure
    .input(z.object({ clientId }))
    .mutation(({ ctx, input }) => rotateApiClient(ctx.call, input)),
  revoke: orgProcedure
    .input(z.object({ clientId }))
    .mutation(({ ctx, input }) => revokeApiClient(ctx.call, input)),
  list: orgProcedure.query(({ ctx }) => listApiClients(ctx.call)),
} satisfies TRPCRouterRecord;
