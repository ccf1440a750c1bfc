/** SCIM directory tokens (S4): the token is returned once, by create and rotate. */
import {
  createScimToken,
  listScimTokens,
  revokeScimToken,
  rotateScimToken,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { idOf, text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

const tokenId = idOf('sct');

export const scimTokensRouter = {
  create: orgProcedure
    .input(z.object({ name: text({ min: 1, max: 200 }).optional() }))
    .mutation(({ ctx, input }) => createScimToken(ctx.call, input)),
  rotate: orgProcedure
    .input(z.object({ tokenId }))
    .mutation(({ ctx, input }) => rotateScimToken(ctx.call, input)),
  revoke: orgProcedure
    .input(z.object({ tokenId }))
    .mutation(({ ctx, input }) => revokeScimToken(ctx.call, input)),
  list: orgProcedure.query(({ ctx }) => listScimTokens(ctx.call)),
} satisfies TRPCRouterRecord;
