/** Members (M4 directory, M5, M6 lifecycle, T6 overview). */
import {
  addMember,
  directoryOverview,
  listDirectory,
  removeMember,
  resetMemberMfa,
  resetMemberPassword,
  setMemberRoles,
  setMemberStatus,
  updateUser,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, environment, idOf, roleAt, text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

const userId = idOf('usr');

export const membersRouter = {
  add: orgProcedure
    .input(
      z.object({
        email: text({ min: 3, max: 320 }),
        name: text({ max: 200 }).optional(),
        roles: z.array(roleAt).max(100).optional(),
      }),
    )
    .mutation(({ ctx, input }) => addMember(ctx.call, input)),
  setRoles: orgProcedure
    .input(
      z.object({
        userId,
        scopeId: anyId.optional(),
        roles: z
          .array(z.object({ role: text({ min: 1, max: 100 }), environment: environment.nullish() }))
          .max(100),
      }),
    )
    .mutation(({ ctx, input }) => setMemberRoles(ctx.call, input)),
  remove: orgProcedure
    .input(z.object({ userId, scopeId: anyId.optional() }))
    .mutation(({ ctx, input }) => removeMember(ctx.call, input)),
  deactivate: orgProcedure
    .input(z.object({ userId }))
    .mutation(({ ctx, input: { userId: u } }) =>
      setMemberStatus(ctx.call, { userId: u, status: 'deactivated' }),
    ),
  reactivate: orgProcedure
    .input(z.object({ userId }))
    .mutation(({ ctx, input: { userId: u } }) =>
      setMemberStatus(ctx.call, { userId: u, status: 'active' }),
    ),
  /** M4: the directory of the org or of a scope (members and pending invitations). */
  list: orgProcedure
    .input(
      z.object({
        scopeId: anyId.optional(),
        search: text({ max: 320 }).optional(),
        status: z.enum(['active', 'deactivated', 'pending']).optional(),
        role: text({ min: 1, max: 100 }).optional(),
        groupId: idOf('grp').optional(),
        membership: z.enum(['direct', 'inherited']).optional(),
        sort: z.enum(['id', 'email']).optional(),
        cursor: text({ max: 2000 }).nullish(),
        limit: z.number().int().min(1).max(500).optional(),
      }),
    )
    .query(({ ctx, input: { cursor: c, ...rest } }) =>
      listDirectory(ctx.call, { ...rest, cursor: c ?? undefined }),
    ),
  /** T6: members per status and scope, pending invitations, active in 30 days, last logins. */
  overview: orgProcedure.query(({ ctx }) => directoryOverview(ctx.call)),
  /** M6: edit a member's name or email (CONFLICT when the email belongs to someone else). */
  update: orgProcedure
    .input(
      z.object({
        userId,
        name: text({ max: 200 }).nullish(),
        email: text({ min: 3, max: 320 }).optional(),
      }),
    )
    .mutation(({ ctx, input }) => updateUser(ctx.call, input)),
  /**
   * M6, seed 003 "Reset Password": emails the member a reset link and ends their sessions in this
   * org (`members.update` at the root, and the actor must outrank the member).
   */
  resetPassword: orgProcedure
    .input(z.object({ userId }))
    .mutation(({ ctx, input }) => resetMemberPassword(ctx.call, input)),
  /**
   * M6, seed 003 "Reset MFA": removes the member's authenticator and recovery codes and ends their
   * sessions in this org (`members.update` at the root, the actor must outrank the member, and
   * an account other orgs know too is the instance admin's to reset).
   */
  resetMfa: orgProcedure
    .input(z.object({ userId }))
    .mutation(({ ctx, input }) => resetMemberMfa(ctx.call, input)),
} satisfies TRPCRouterRecord;
