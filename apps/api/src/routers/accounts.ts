/**
 * Accounts (issue 14): passwords after they are set. `requestPasswordReset`,
 * `inspectPasswordReset` and `resetPassword` are public: "forgot password" takes an email
 * address and answers the same whether or not it has an account; the reset link's token is the
 * credential after that. (The link in the email points at `/password/reset?token=…` on the public
 * URL; a product's own page there calls these.) `changePassword` is for a user's own session
 * (`ses_…`); an API key gets FORBIDDEN. An admin's reset of a member is `members.resetPassword`.
 *
 * Multi-factor authentication, for a user's own session too: `mfa` (status), `enrollTotp` (a
 * secret, its otpauth URI and QR code, pending), `confirmTotp` (the first code; ten recovery
 * codes, shown once), `disableTotp` and `regenerateRecoveryCodes` (a current code or a recovery
 * code). In an org that requires MFA, a password session without an authenticator may call
 * `mfa`, `enrollTotp` and `confirmTotp` (and `sessions.me`, `sessions.logout`) and nothing else
 * until it enrolls. An admin's reset of a member's factors is `members.resetMfa`.
 */
import {
  changePassword,
  confirmTotp,
  disableTotp,
  enrollTotp,
  inspectPasswordReset,
  mfaStatus,
  regenerateRecoveryCodes,
  requestPasswordReset,
  resetPassword,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { linkToken, password, secondFactor, text, totpCode } from '../schemas.js';
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
  /** The signed-in user's MFA: enrolled, recovery codes left, what the org requires. */
  mfa: authedProcedure.query(({ ctx }) => mfaStatus(ctx.call)),
  /** Starts enrolling a TOTP app: the secret, otpauth URI and QR data URL; pending until confirmed. */
  enrollTotp: authedProcedure.mutation(({ ctx }) => enrollTotp(ctx.call)),
  /** Confirms the pending app with its first code; returns ten recovery codes, shown once. */
  confirmTotp: authedProcedure
    .input(z.object({ code: totpCode }))
    .mutation(({ ctx, input }) => confirmTotp(ctx.call, input)),
  /** Removes the app and the recovery codes (a current code or a recovery code). */
  disableTotp: authedProcedure
    .input(z.object(secondFactor))
    .mutation(({ ctx, input }) => disableTotp(ctx.call, { ...input, ip: ctx.request?.ip })),
  /** Ten new recovery codes, shown once; the old ones stop working (a current code or a recovery code). */
  regenerateRecoveryCodes: authedProcedure
    .input(z.object(secondFactor))
    .mutation(({ ctx, input }) =>
      regenerateRecoveryCodes(ctx.call, { ...input, ip: ctx.request?.ip }),
    ),
} satisfies TRPCRouterRecord;
