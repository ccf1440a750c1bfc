/**
 * `/account/mfa` (issue 14): two-step verification with an authenticator app, without
 * JavaScript. Off: a button starts enrolling, and the page shows the QR code (an `<img>` of a
 * data: URL, which the page CSP allows) and the secret to type in, with a field for the app's
 * first code; confirming shows the ten recovery codes once. On: turn it off, or get new recovery
 * codes, each with a current code or a recovery code. A session that the org's "require MFA"
 * policy restricts lands here and can do nothing else until it enrolls.
 */
import {
  confirmTotp,
  disableTotp,
  enrollTotp,
  type MfaStatus,
  mfaStatus,
  pendingTotp,
  regenerateRecoveryCodes,
} from '@gatehouse/domain';
import express, { type Request, type Response, type Router } from 'express';
import { alertBox, button, field, form, type Html, html, noteBox, raw } from './html.js';
import { one, type PageKit, type SignedIn } from './kit.js';

/** What the page shows above its forms. */
interface Shown {
  readonly error?: string | undefined;
  readonly note?: string | undefined;
  readonly status?: number | undefined;
}

/** The code field every form here asks for. */
const codeField = (name = 'code', label = 'Authentication code') =>
  field({
    name,
    label,
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    hint: 'The 6-digit code your authenticator app shows for Gatehouse.',
  });

/** The recovery codes, shown once. */
const codesList = (codes: readonly string[]): Html =>
  html`<ol class="codes" aria-label="Recovery codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ol>`;

/** The MFA routes. */
export function mfaRoutes(kit: PageKit): Router {
  const router = express.Router();
  const body = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

  /** The page for the signed-in user, as things stand. */
  const page = async (req: Request, res: Response, signed: SignedIn, o: Shown = {}) => {
    const csrf = kit.csrf(req, res);
    const st: MfaStatus = await mfaStatus(signed.call);
    const required = st.enrollmentRequired
      ? noteBox(
          'Your organization requires two-step verification. Set up an authenticator app to continue; until then your account can do nothing else.',
        )
      : raw('');
    let main: Html;
    if (st.enrolled) {
      const proof = (submit: string, cls?: string) =>
        html`${codeField()}<p class="hint">Or, without your phone:</p>${field({ name: 'recoveryCode', label: 'Recovery code', autocomplete: 'off', required: false })}${button(submit, cls)}`;
      main = html`<p>Two-step verification is <strong>on</strong>: after your password, sign-in asks for a code from your authenticator app. ${st.recoveryCodesLeft} recovery code(s) left.</p>
<h2>New recovery codes</h2><p>The old ones stop working.</p>${form('/account/mfa/recovery-codes', csrf, proof('Get new recovery codes'))}
<h2>Turn two-step verification off</h2>${form('/account/mfa/disable', csrf, proof('Turn it off', 'secondary'))}`;
    } else {
      const pending = await pendingTotp(signed.call);
      main = pending
        ? html`<p>Scan this QR code with your authenticator app (Google Authenticator, 1Password, Authy, …), or type the key below into it.</p>
<p><img src="${pending.qrDataUrl}" width="200" height="200" alt="QR code to add Gatehouse to your authenticator app"></p>
<p>Key: <code id="totp-secret">${pending.secret}</code></p>
${form('/account/mfa/confirm', csrf, html`${codeField('code', 'Code from the app')}${button('Turn on two-step verification')}`)}
${form('/account/mfa/enroll', csrf, button('Start again with a new key', 'secondary'))}`
        : html`<p>Two-step verification is <strong>off</strong>. With it on, sign-in asks for a code from an authenticator app on your phone after your password.</p>
${form('/account/mfa/enroll', csrf, button('Set up an authenticator app'))}`;
    }
    const back = st.enrollmentRequired
      ? form('/sign-out', csrf, button('Sign out', 'secondary'))
      : html`<p><a href="/account">Back to your account</a></p>`;
    kit.render(
      res,
      'Two-step verification',
      html`${alertBox(o.error)}${noteBox(o.note)}${required}${main}${back}`,
      o.status,
    );
  };

  /** Runs a page handler for a signed-in browser; no session: to /sign-in. */
  const signedIn =
    (fn: (req: Request, res: Response, signed: SignedIn) => Promise<void>) =>
    async (req: Request, res: Response) => {
      if (req.method === 'POST' && !kit.checkCsrf(req, res)) return;
      try {
        const signed = await kit.signedIn(req);
        if (!signed) return res.redirect(303, '/sign-in');
        await fn(req, res, signed);
      } catch (e) {
        kit.internal(res, e);
      }
    };

  /** A domain refusal shown on the page; anything else is the 500 page. */
  const refusedWith = async (req: Request, res: Response, signed: SignedIn, e: unknown) => {
    const message = kit.failure(res, e);
    if (message !== null) await page(req, res, signed, { error: message, status: 400 });
  };

  router.get(
    '/account/mfa',
    signedIn((req, res, signed) => page(req, res, signed)),
  );

  router.post(
    '/account/mfa/enroll',
    body,
    signedIn(async (req, res, signed) => {
      try {
        await enrollTotp(signed.call);
        res.redirect(303, '/account/mfa');
      } catch (e) {
        await refusedWith(req, res, signed, e);
      }
    }),
  );

  router.post(
    '/account/mfa/confirm',
    body,
    signedIn(async (req, res, signed) => {
      const b = req.body as Record<string, unknown>;
      try {
        const { result } = await confirmTotp(signed.call, { code: one(b.code, 20) ?? '' });
        kit.render(
          res,
          'Save your recovery codes',
          html`${noteBox('Two-step verification is on.')}<p>If you lose your phone, each of these codes signs you in once instead of a code from the app. Save them somewhere safe now: they are not shown again.</p>${codesList(result.recoveryCodes)}<p><a href="/account">Continue to your account</a></p>`,
        );
      } catch (e) {
        await refusedWith(req, res, signed, e);
      }
    }),
  );

  /** A current code or a recovery code from a posted form. */
  const proofOf = (b: Record<string, unknown>) => {
    const code = (one(b.code, 20) ?? '').trim();
    const recoveryCode = (one(b.recoveryCode, 100) ?? '').trim();
    return code ? { code } : recoveryCode ? { recoveryCode } : {};
  };

  router.post(
    '/account/mfa/disable',
    body,
    signedIn(async (req, res, signed) => {
      try {
        await disableTotp(signed.call, { ...proofOf(req.body), ip: req.ip });
        await page(req, res, signed, { note: 'Two-step verification is off.' });
      } catch (e) {
        await refusedWith(req, res, signed, e);
      }
    }),
  );

  router.post(
    '/account/mfa/recovery-codes',
    body,
    signedIn(async (req, res, signed) => {
      try {
        const { result } = await regenerateRecoveryCodes(signed.call, {
          ...proofOf(req.body),
          ip: req.ip,
        });
        kit.render(
          res,
          'Save your new recovery codes',
          html`<p>Your old recovery codes no longer work. Save these somewhere safe now: they are not shown again.</p>${codesList(result.recoveryCodes)}<p><a href="/account">Continue to your account</a></p>`,
        );
      } catch (e) {
        await refusedWith(req, res, signed, e);
      }
    }),
  );

  return router;
}
