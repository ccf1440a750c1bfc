/**
 * Accounts (issue 14): passwords after they are set. `requestPasswordReset`,
 * `inspectPasswordReset` and `resetPassword` are public: "forgot password" takes an email
 * address and answers the same whether or not it has an account; the reset link's token is the
 * credential after that. (The link in the email points at `/password/reset?token=…` on the public
 * URL; a product's own page there calls these.) `changePassword` is for a user's own session
 * (`ses_…`); an API key gets FORBIDDEN. An admin's reset of a member is `members.resetPassword`.
 */
import {
  changePassword,
  inspectPasswordReset,
  requestPasswordReset,
  resetPassword,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { linkToken, password, text } from '../schemas.js';
import { authedProcedure, publicProcedure } from '../trpc.js';

/** The `accounts` procedures. */
export const accountsRouter = {
  /** Emails a reset link when the address may get one; the same answer in every case. */
  requestPasswordReset: publicProcedure
    .input(z.object({ email: text({ min: 3, max: 320 }) }))
    .mutation(({ ctx, input }) =>
      requestPasswordReset(ctx.services, { email: input.email, ip: ctx.request?.ip }),
    ),
  /**
   * Whether a reset link is usable, for which (masked) address; uses nothing up. A mutation
   * although it changes nothing, so the token travels in a POST body, never in a URL that
   * proxies and access logs keep (a query is a GET with its input in the query string).
   */
  inspectPasswordReset: publicProcedure
    .input(z.object({ token: linkToken }))
    .mutation(({ ctx, input }) => inspectPasswordReset(ctx.services, input)),
  /** Sets a new password with a reset link; every session of the account ends, in every org. */
  resetPassword: publicProcedure
    .input(z.object({ token: linkToken, password }))
    .mutation(({ ctx, input }) =>
      resetPassword(ctx.services, input, { requestId: ctx.request?.requestId }),
    ),
  /** The signed-in user's new password; their other sessions end, this one stays. */
  changePassword: authedProcedure
    .input(z.object({ currentPassword: password, newPassword: password }))
    .mutation(({ ctx, input }) => changePassword(ctx.call, { ...input, ip: ctx.request?.ip })),
} satisfies TRPCRouterRecord;
