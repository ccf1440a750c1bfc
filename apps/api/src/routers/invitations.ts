/**
 * Invitations (M1–M3). `inspect` and `accept` are public: the one-time token from the email is
 * the credential, so they need no API key. (The link in the email points at
 * `/invitations/accept?token=…` on the public URL, Gatehouse's own page, or a product's own page
 * calling these procedures.)
 */
import {
  acceptInvitation,
  inspectInvitation,
  inviteMember,
  listInvitations,
  resendInvitation,
  revokeInvitation,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, cursor, idOf, limit, roleAt, text } from '../schemas.js';
import { orgProcedure, publicProcedure } from '../trpc.js';

const invitationId = idOf('inv');

export const invitationsRouter = {
  invite: orgProcedure
    .input(
      z.object({
        email: text({ min: 3, max: 320 }),
        name: text({ max: 200 }).optional(),
        /** The scope the person is invited into; default the organization. */
        scopeId: anyId.optional(),
        /** Default: the preset's default role for that scope's kind. */
        roles: z.array(roleAt).max(100).optional(),
      }),
    )
    .mutation(({ ctx, input }) => inviteMember(ctx.call, input)),
  list: orgProcedure
    .input(
      z.object({
        scopeId: anyId.optional(),
        status: z.enum(['pending', 'accepted', 'revoked', 'expired']).optional(),
        email: text({ min: 1, max: 320 }).optional(),
        cursor,
        limit,
      }),
    )
    .query(({ ctx, input: { cursor: c, ...rest } }) =>
      listInvitations(ctx.call, { ...rest, cursor: c ?? undefined }),
    ),
  resend: orgProcedure
    .input(z.object({ invitationId }))
    .mutation(({ ctx, input }) => resendInvitation(ctx.call, input)),
  revoke: orgProcedure
    .input(z.object({ invitationId }))
    .mutation(({ ctx, input }) => revokeInvitation(ctx.call, input)),
  inspect: publicProcedure
    .input(z.object({ token: text({ min: 16, max: 200 }) }))
    .query(({ ctx, input }) => inspectInvitation(ctx.services, input)),
  accept: publicProcedure
    .input(
      z.object({
        token: text({ min: 16, max: 200 }),
        name: text({ min: 1, max: 200 }).optional(),
        password: text({ max: 256 }).optional(),
      }),
    )
    .mutation(({ ctx, input }) => acceptInvitation(ctx.services, input)),
} satisfies TRPCRouterRecord;
