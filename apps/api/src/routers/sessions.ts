/**
 * User sessions (DESIGN "Who is calling"). `login` is public: email, password and the org to sign
 * in to give a session token (`ses_…`), shown once, sent afterwards as `Authorization: Bearer`.
 * A failed login is UNAUTHORIZED with one message whatever was wrong. An account with an
 * authenticator gets `{ mfaRequired: true, mfaToken }` instead of a session; `completeMfaLogin`
 * (public) takes that token with a TOTP code or a recovery code and answers the session. `me` and
 * `logout` are for the session itself; `list` and `revoke` for the org's admins (a user may see
 * and end their own). Every session says how it was signed in (`authMethod`).
 */
import {
  completeMfaLogin,
  listSessions,
  login,
  logout,
  revokeSession,
  whoAmI,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { idOf, limit, linkToken, orgId, secondFactor, text } from '../schemas.js';
import { authedProcedure, orgProcedure, publicProcedure } from '../trpc.js';

const sessionId = idOf('ses');

/** The `sessions` procedures. */
export const sessionsRouter = {
  login: publicProcedure
    .input(
      z.object({
        email: text({ min: 3, max: 320 }),
        password: text({ min: 1, max: 256 }),
        orgId,
      }),
    )
    .mutation(({ ctx, input }) =>
      login(
        ctx.services,
        { ...input, userAgent: ctx.request?.userAgent, ip: ctx.request?.ip },
        { requestId: ctx.request?.requestId },
      ),
    ),
  /** The second step of a password sign-in: the login's mfaToken and a code (or recovery code). */
  completeMfaLogin: publicProcedure
    .input(z.object({ mfaToken: linkToken, ...secondFactor }))
    .mutation(({ ctx, input }) =>
      completeMfaLogin(
        ctx.services,
        { ...input, userAgent: ctx.request?.userAgent, ip: ctx.request?.ip },
        { requestId: ctx.request?.requestId },
      ),
    ),
  logout: authedProcedure.mutation(({ ctx }) => logout(ctx.call)),
  me: authedProcedure.query(({ ctx }) => whoAmI(ctx.call)),
  list: orgProcedure
    .input(
      z.object({
        userId: idOf('usr').optional(),
        activeOnly: z.boolean().optional(),
        cursor: idOf('ses').nullish(),
        limit,
      }),
    )
    .query(({ ctx, input: { cursor: c, ...rest } }) =>
      listSessions(ctx.call, { ...rest, cursor: c ?? undefined }),
    ),
  revoke: orgProcedure
    .input(z.object({ sessionId }))
    .mutation(({ ctx, input }) => revokeSession(ctx.call, input)),
} satisfies TRPCRouterRecord;
