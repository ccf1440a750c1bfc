/**
 * `/invitations/accept?token=…`, the page an invitation email links to (M3). A new person
 * chooses a name and, when the deployment uses passwords, a password, and is signed in at once;
 * someone who already has an account accepts, then signs in. A used, expired, revoked or
 * replaced link, or a domain that requires SSO, says so and changes nothing.
 */
import { acceptInvitation, inspectInvitation, login } from '@gatehouse/domain';
import express, { type Request, type Response, type Router } from 'express';
import { alertBox, button, field, form, html, noteBox } from './html.js';
import { one, type PageKit } from './kit.js';
import { setSessionCookie } from './sign-in.js';

const TOKEN = /^[A-Za-z0-9_-]{16,200}$/;

/** The invitation routes. */
export function invitationRoutes(kit: PageKit): Router {
  const router = express.Router();
  const body = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  const broken = (res: Response, message: string, status = 400) =>
    kit.render(
      res,
      'Invitation',
      html`${alertBox(message)}<p><a href="/sign-in">Sign in</a></p>`,
      status,
    );

  const show = async (
    req: Request,
    res: Response,
    token: string,
    o: { error?: string | null; name?: string; status?: number } = {},
  ) => {
    const p = await inspectInvitation(kit.s, { token });
    const csrf = kit.csrf(req, res);
    const intro = html`<p>You are invited to join <strong>${p.orgName}</strong> as <strong>${p.email}</strong>.</p>`;
    const fields = p.existingAccount
      ? html`<p>You already have an account with this address. Accept, then sign in with it.</p>${button('Accept the invitation')}`
      : html`${field({ name: 'name', label: 'Your name', autocomplete: 'name', value: o.name, required: false })}${
          p.passwordRequired
            ? field({
                name: 'password',
                label: 'Choose a password',
                type: 'password',
                autocomplete: 'new-password',
                hint: 'At least 8 characters. A long phrase is easiest to remember.',
              })
            : html``
        }${button('Accept and join')}`;
    kit.render(
      res,
      'Invitation',
      html`${alertBox(o.error)}${intro}${form('/invitations/accept', csrf, fields, { token })}`,
      o.status ?? 200,
    );
  };

  router.get('/invitations/accept', async (req, res) => {
    const token = one(req.query.token, 300) ?? '';
    if (!TOKEN.test(token))
      return broken(res, 'This invitation link is not valid; check that it was copied whole.');
    try {
      await show(req, res, token);
    } catch (e) {
      const message = kit.failure(res, e);
      if (message !== null) broken(res, message);
    }
  });

  router.post('/invitations/accept', body, async (req, res) => {
    if (!kit.checkCsrf(req, res)) return;
    const b = req.body as Record<string, unknown>;
    const token = one(b.token, 300) ?? '';
    if (!TOKEN.test(token))
      return broken(res, 'This invitation link is not valid; check that it was copied whole.');
    const name = (one(b.name, 200) ?? '').trim() || undefined;
    const password = one(b.password, 1000) || undefined;
    try {
      const { result } = await acceptInvitation(kit.s, { token, name, password });
      if (result.createdUser && password) {
        // The address is proven by the link and the password just set: sign the person in.
        const email = (
          await kit.s.db
            .selectFrom('users')
            .select('email')
            .where('id', '=', result.userId)
            .executeTakeFirstOrThrow()
        ).email;
        const { result: signed } = await login(
          kit.s,
          {
            email,
            password,
            orgId: result.orgId,
            userAgent: req.get('user-agent')?.slice(0, 300),
            ip: req.ip,
          },
          { source: 'console' },
        );
        // A new account has no authenticator yet: a session, never the second step.
        if (signed.mfaRequired) return res.redirect(303, '/sign-in/mfa');
        setSessionCookie(kit, res, { token: signed.token, expiresAt: signed.session.expiresAt });
        return res.redirect(303, '/account');
      }
      kit.render(
        res,
        'Invitation accepted',
        html`${noteBox('You have joined the organization.')}<p><a href="/sign-in?org=${encodeURIComponent(result.orgId)}">Sign in</a></p>`,
      );
    } catch (e) {
      const message = kit.failure(res, e);
      if (message === null) return;
      try {
        await show(req, res, token, { error: message, name, status: 400 });
      } catch (again) {
        const m = kit.failure(res, again);
        if (m !== null) broken(res, m);
      }
    }
  });
  return router;
}
