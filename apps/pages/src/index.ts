/**
 * The pages people land on (issue 14): sign in (`/sign-in`, with SSO routing), the account page
 * (`/account`), sign out, accepting an invitation (`/invitations/accept`), passwords
 * (`/password/forgot`, `/password/reset`, `/account/password`), and two-step verification
 * (`/sign-in/mfa` after the password, `/account/mfa` to enroll, disable, regenerate codes).
 * Server-rendered, no JavaScript, CSRF-protected forms, cookies Secure only over https.
 */
import express, { type Router } from 'express';
import { accountRoutes } from './account.js';
import { invitationRoutes } from './invitation.js';
import { type PagesOptions, pageKit } from './kit.js';
import { mfaRoutes } from './mfa.js';
import { passwordRoutes } from './password.js';
import { signInRoutes } from './sign-in.js';

export { CSRF_COOKIE, SESSION_COOKIE } from './cookies.js';
export type { PagesOptions } from './kit.js';

/** The path of the pages' SSO return, to allow as an SSO redirect_uri of the instance. */
export const PAGES_SSO_RETURN_PATH = '/sign-in/sso';

/**
 * The pages as one Express router, mounted at the root of the server.
 *
 * @example
 * app.use(createPagesHandler({ services, publicUrl: () => 'https://id.example.com' }));
 */
export function createPagesHandler(options: PagesOptions): Router {
  const kit = pageKit(options);
  const router = express.Router();
  router.use(signInRoutes(kit));
  router.use(accountRoutes(kit));
  router.use(invitationRoutes(kit));
  router.use(passwordRoutes(kit));
  router.use(mfaRoutes(kit));
  return router;
}
