/**
 * `/account`: where a signed-in person lands. Who they are, the organization the session is for,
 * and what they can do about their own sign-in (sign out; change password and multi-factor when
 * those pages exist).
 */
import { whoAmI } from '@gatehouse/domain';
import express, { type Router } from 'express';
import { button, form, html } from './html.js';
import type { PageKit } from './kit.js';

/** The account routes. */
export function accountRoutes(kit: PageKit): Router {
  const router = express.Router();
  router.get('/account', async (req, res) => {
    try {
      const signed = await kit.signedIn(req);
      if (!signed) return res.redirect(303, '/sign-in');
      const me = await whoAmI(signed.call);
      const csrf = kit.csrf(req, res);
      kit.render(
        res,
        'Your account',
        html`<p>Signed in as <strong>${me.user.name ? `${me.user.name} (${me.user.email})` : me.user.email}</strong> to <strong>${me.org.name}</strong>.</p>
<dl><dt>Organization ID</dt><dd><code>${me.org.id}</code></dd><dt>Session ends</dt><dd>${new Date(me.session.expiresAt).toUTCString()}</dd></dl>
<ul><li><a href="/account/password">Change your password</a></li></ul>
${form('/sign-out', csrf, button('Sign out', 'secondary'))}`,
      );
    } catch (e) {
      kit.internal(res, e);
    }
  });
  return router;
}
