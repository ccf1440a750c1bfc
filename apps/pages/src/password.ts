/**
 * Password pages (issue 14): "forgot password" (`/password/forgot`: the same answer whether or
 * not the address has an account), the page a reset email links to (`/password/reset?token=…`:
 * choose a new password; every session of the account ends), and changing one's own password
 * while signed in (`/account/password`: the current one first; the other sessions end).
 */
import {
  changePassword,
  inspectPasswordReset,
  requestPasswordReset,
  resetPassword,
} from '@gatehouse/domain';
import express, { type Request, type Response, type Router } from 'express';
import { alertBox, button, field, form, html, noteBox } from './html.js';
import { one, type PageKit } from './kit.js';

const TOKEN = /^[A-Za-z0-9_.-]{16,300}$/;
const NEW_PASSWORD_HINT =
  'At least 8 characters, not a common password. A long phrase is easiest to remember.';

/** The password routes. */
export function passwordRoutes(kit: PageKit): Router {
  const router = express.Router();
  const body = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  const forgotForm = (
    req: Request,
    res: Response,
    o: { error?: string; email?: string; status?: number } = {},
  ) =>
    kit.render(
      res,
      'Forgot your password?',
      html`${alertBox(o.error)}<p>Enter the address you sign in with. If it has an account, we email it a link to choose a new password.</p>${form(
        '/password/forgot',
        kit.csrf(req, res),
        html`${field({ name: 'email', label: 'Email', type: 'email', value: o.email, autocomplete: 'username', autofocus: true })}${button('Email me a link')}`,
      )}`,
      o.status,
    );

  router.get('/password/forgot', (req, res) => forgotForm(req, res));

  router.post('/password/forgot', body, async (req, res) => {
    if (!kit.checkCsrf(req, res)) return;
    const email = (one((req.body as Record<string, unknown>).email, 320) ?? '').trim();
    try {
      const r = await requestPasswordReset(kit.s, { email, ip: req.ip });
      kit.render(
        res,
        'Check your email',
        html`${noteBox(r.message)}<p><a href="/sign-in">Back to sign in</a></p>`,
      );
    } catch (e) {
      const message = kit.failure(res, e);
      if (message !== null) forgotForm(req, res, { error: message, email, status: 400 });
    }
  });

  const resetForm = async (
    req: Request,
    res: Response,
    token: string,
    o: { error?: string; status?: number } = {},
  ) => {
    const link = await inspectPasswordReset(kit.s, { token });
    if (!link.usable) {
      return kit.render(
        res,
        'Choose a new password',
        html`${alertBox(link.problem ?? 'This link cannot be used.')}<p><a href="/password/forgot">Ask for a new link</a></p>`,
        400,
      );
    }
    kit.render(
      res,
      'Choose a new password',
      html`${alertBox(o.error)}<p>For <strong>${link.email ?? ''}</strong>. Every session of this account ends when you save it.</p>${form(
        '/password/reset',
        kit.csrf(req, res),
        html`${field({ name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: NEW_PASSWORD_HINT, autofocus: true })}${button('Save the new password')}`,
        { token },
      )}`,
      o.status,
    );
  };

  router.get('/password/reset', async (req, res) => {
    const token = one(req.query.token, 400) ?? '';
    try {
      if (!TOKEN.test(token)) {
        return kit.render(
          res,
          'Choose a new password',
          html`${alertBox('This link is not valid; check that it was copied whole.')}<p><a href="/password/forgot">Ask for a new link</a></p>`,
          400,
        );
      }
      await resetForm(req, res, token);
    } catch (e) {
      kit.internal(res, e);
    }
  });

  router.post('/password/reset', body, async (req, res) => {
    if (!kit.checkCsrf(req, res)) return;
    const b = req.body as Record<string, unknown>;
    const token = one(b.token, 400) ?? '';
    const password = one(b.password, 1000) ?? '';
    try {
      await resetPassword(kit.s, { token, password });
      kit.render(
        res,
        'Password changed',
        html`${noteBox('Your new password is saved, and every session of your account has ended.')}<p><a href="/sign-in">Sign in</a></p>`,
      );
    } catch (e) {
      const message = kit.failure(res, e);
      if (message === null) return;
      try {
        await resetForm(req, res, token, { error: message, status: 400 });
      } catch (again) {
        kit.internal(res, again);
      }
    }
  });

  const changeForm = (
    req: Request,
    res: Response,
    o: { error?: string; note?: string; status?: number } = {},
  ) =>
    kit.render(
      res,
      'Change your password',
      html`${alertBox(o.error)}${noteBox(o.note)}${form(
        '/account/password',
        kit.csrf(req, res),
        html`${field({ name: 'current', label: 'Current password', type: 'password', autocomplete: 'current-password', autofocus: true })}${field({ name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', hint: NEW_PASSWORD_HINT })}${button('Change the password')}`,
      )}<p>Your other sessions end; this one stays. <a href="/account">Back to your account</a></p>`,
      o.status,
    );

  router.get('/account/password', async (req, res) => {
    try {
      if (!(await kit.signedInFully(req, res))) return;
      changeForm(req, res);
    } catch (e) {
      kit.internal(res, e);
    }
  });

  router.post('/account/password', body, async (req, res) => {
    if (!kit.checkCsrf(req, res)) return;
    const b = req.body as Record<string, unknown>;
    try {
      const signed = await kit.signedInFully(req, res);
      if (!signed) return;
      await changePassword(signed.call, {
        currentPassword: one(b.current, 1000) ?? '',
        newPassword: one(b.password, 1000) ?? '',
        ip: req.ip,
      });
      changeForm(req, res, { note: 'Your password is changed. Your other sessions have ended.' });
    } catch (e) {
      const message = kit.failure(res, e);
      if (message !== null) changeForm(req, res, { error: message, status: 400 });
    }
  });

  return router;
}
