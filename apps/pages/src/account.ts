/**
 * `/account`: where a signed-in person lands. Who they are, the organization the session is for,
 * how they signed in, and what they can do about their own sign-in (sign out, change password,
 * two-step verification). A session that must enroll MFA first goes to `/account/mfa`.
 */
import { whoAmI } from '@gatehouse/domain';
import express, { type Router } from 'express';
import { button, form, html } from './html.js';
import type { PageKit } from './kit.js';

/** How a session was signed in, in words. */
const METHODS: Record<string, string> = {
  pwd: 'password',
  'pwd+totp': 'password and authenticator app',
  'pwd+recovery': 'password and a recovery code',
  sso: 'single sign-on',
};

/** The account routes. */
export function accountRoutes(kit: PageKit): Router {
  const router = express.Router();
  router.get('/account', async (req, res) => {
    try {
      const signed = await kit.signedInFully(req, res);
      if (!signed) return;
      const me = await whoAmI(signed.call);
      const csrf = kit.csrf(req, res);
      kit.render(
        res,
        'Your account',
        html`<p>Signed in as <strong>${me.user.name ? `${me.user.name} (${me.user.email})` : me.user.email}</strong> to <strong>${me.org.name}</strong>.</p>
<dl><dt>Organization ID</dt><dd><code>${me.org.id}</code></dd><dt>Session ends</dt><dd>${new Date(me.session.expiresAt).toUTCString()}</dd></dl>
<dl><dt>Signed in with</dt><dd>${METHODS[me.session.authMethod]}</dd><dt>Two-step verification</dt><dd>${me.mfa.enrolled ? 'On' : 'Off'}</dd></dl>
<ul><li><a href="/account/password">Change your password</a></li><li><a href="/account/mfa">Two-step verification (authenticator app)</a></li></ul>
${form('/sign-out', csrf, button('Sign out', 'secondary'))}`,
      );
    } catch (e) {
      kit.internal(res, e);
    }
  });
  return router;
}
