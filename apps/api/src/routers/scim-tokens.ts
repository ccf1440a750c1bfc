/** SCIM directory tokens (S4): the token is returned once, by create and rotate. */
import {
  createScimToken,
  listScimTokens,
  revokeScimToken,
  rotateScimToken,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { idOf, orgId, text } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

const tokenId = idOf('sct');

export const scimTokensRouter = {
  create: authedProcedure
    .input(z.object({ orgId, name: text({ min: 1, max: 200 }).optional() }))
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      createScimToken(ctx.services, ctx.caller, id, rest),
    ),
  rotate: authedProcedure
    .input(z.object({ orgId, tokenId }))
    .mutation(({ ctx, input }) =>
      rotateScimToken(ctx.services, ctx.caller, input.orgId, input.tokenId),
    ),
  revoke: authedProcedure
    .input(z.object({ orgId, tokenId }))
    .mutation(({ ctx, input }) =>
      revokeScimToken(ctx.services, ctx.caller, input.orgId, input.tokenId),
    ),
  list: authedProcedure
    .input(z.object({ orgId }))
    .query(({ ctx, input }) => listScimTokens(ctx.services, ctx.caller, input.orgId)),
} satisfies TRPCRouterRecord;
