/**
 * Two-step verification in the pages over real HTTP (issue 14), as a browser without JavaScript
 * would use them (a cookie jar, forms posted with their CSRF field): `/account/mfa` enrolls (the
 * QR code as an image and the secret to type, then the first code; the recovery codes shown
 * once), `/sign-in` asks for the code after the password (or a recovery code) and refuses a
 * wrong one on the page, an org that requires MFA sends a password session to `/account/mfa`
 * and lets it do nothing else, and turning it off needs a code. Every MFA form refuses a post
 * without the CSRF field. The Chromium flow, with axe-core, is in apps/e2e/src/pages.e2e.test.ts.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDb, type Gatedb } from '@gatehouse/db';
import {
  createOrg,
  createServices,
  inviteMember,
  readQueuedEmail,
  type Services,
  totpCode,
  updateOrg,
} from '@gatehouse/domain';
import { instanceAdmin } from '@gatehouse/domain/testing';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPagesHandler } from './index.js';

const PASSWORD = 'a long passphrase for mfa pages';

/** A browser without JavaScript: a cookie jar, forms posted with their CSRF field. */
class Browser {
  private readonly jar = new Map<string, string>();
  constructor(private readonly base: string) {}

  private cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (!value || /Expires=Thu, 01 Jan 1970/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  has(name: string): boolean {
    return this.jar.has(name);
  }

  /** GET a path (redirects not followed). */
  async get(path: string): Promise<{ status: number; location: string | null; text: string }> {
    const res = await fetch(`${this.base}${path}`, {
      redirect: 'manual',
      headers: { Cookie: this.cookieHeader() },
    });
    this.keep(res);
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }

  /** Posts a form the way the page's form would (its CSRF field from the cookie). */
  async post(
    path: string,
    fields: Record<string, string>,
    o: { csrf?: boolean } = {},
  ): Promise<{ status: number; location: string | null; text: string }> {
    if (!this.jar.has('gatehouse_csrf')) await this.get('/sign-in');
    const csrf: Record<string, string> =
      o.csrf === false ? {} : { csrf: this.jar.get('gatehouse_csrf')! };
    const res = await fetch(`${this.base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Cookie: this.cookieHeader(),
        Origin: this.base,
      },
      body: new URLSearchParams({ ...csrf, ...fields }).toString(),
    });
    this.keep(res);
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }
}

describe('issue 14 two-step verification pages over HTTP', () => {
  let g: Gatedb;
  let s: Services;
  let server: Server;
  let base: string;
  let orgId: string;
  let seq = 0;

  beforeAll(async () => {
    g = await createDb();
    s = createServices(g.db, { passwords: true, publicUrl: () => base });
    const { result } = await createOrg(
      { services: s, caller: instanceAdmin },
      { name: 'MFA Pages', preset: 'flowcode', owner: { email: 'owner@mfa-pages.test' } },
    );
    orgId = result.id;
    const app = express();
    app.use(createPagesHandler({ services: s, publicUrl: () => base }));
    server = await new Promise<Server>((r) => {
      const srv = app.listen(0, '127.0.0.1', () => r(srv));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await g?.close();
  });

  /** A member of the org who accepted an invitation with PASSWORD; returns a signed-in browser. */
  async function member(tag: string) {
    const address = `${tag}-${++seq}@mfa-pages.test`;
    const { result } = await inviteMember(
      { services: s, caller: instanceAdmin, orgId },
      { email: address, roles: [{ role: 'org_user' }] },
    );
    const queued = await g.db
      .selectFrom('emails')
      .select('id')
      .where('ref_id', '=', result.id)
      .executeTakeFirstOrThrow();
    const token = /token=([A-Za-z0-9_-]+)/.exec(
      (await readQueuedEmail(g.db, queued.id))!.text,
    )![1]!;
    const b = new Browser(base);
    await b.get(`/invitations/accept?token=${token}`);
    const accepted = await b.post('/invitations/accept', { token, password: PASSWORD });
    expect(accepted.location).toBe('/account');
    return { address, browser: b };
  }

  /** Signs in through the password step; returns where it sent the browser. */
  async function passwordStep(b: Browser, address: string) {
    return b.post('/sign-in', { step: 'password', email: address, org: orgId, password: PASSWORD });
  }

  /** Enrolls from /account/mfa; returns the secret and the recovery codes the page showed. */
  async function enroll(b: Browser) {
    const off = await b.get('/account/mfa');
    expect(off.text).toContain('Two-step verification is <strong>off</strong>');
    const started = await b.post('/account/mfa/enroll', {});
    expect(started).toMatchObject({ status: 303, location: '/account/mfa' });
    const shown = await b.get('/account/mfa');
    expect(shown.text).toMatch(
      /<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" width="200" height="200" alt="QR code to add Gatehouse to your authenticator app">/,
    );
    const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(shown.text)![1]!;
    expect(shown.text).toContain('<label for="f-code">Code from the app</label>');
    const wrong = await b.post('/account/mfa/confirm', { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('role="alert"');
    expect(wrong.text).toContain(secret);
    const done = await b.post('/account/mfa/confirm', { code: await totpCode(secret) });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Save your recovery codes');
    const codes = [...done.text.matchAll(/<li><code>([0-9a-z-]{19})<\/code><\/li>/g)].map(
      (m) => m[1]!,
    );
    expect(codes).toHaveLength(10);
    // Shown once: the page does not show them (or the secret) again.
    const on = await b.get('/account/mfa');
    expect(on.text).toContain('Two-step verification is <strong>on</strong>');
    expect(on.text).not.toContain(codes[0]!);
    expect(on.text).not.toContain(secret);
    return { secret, codes };
  }

  it('issue 14 enroll at /account/mfa, then sign in with the app’s code; a wrong code is refused on the page', async () => {
    const { address, browser } = await member('ana');
    const { secret } = await enroll(browser);

    const b = new Browser(base);
    const first = await passwordStep(b, address);
    expect(first).toMatchObject({ status: 303, location: '/sign-in/mfa' });
    expect(b.has('gatehouse_mfa')).toBe(true);
    expect(b.has('gatehouse_session')).toBe(false);
    const step = await b.get('/sign-in/mfa');
    expect(step.text).toContain('<label for="f-code">Authentication code</label>');
    expect(step.text).toContain('autocomplete="one-time-code"');
    const wrong = await b.post('/sign-in/mfa', { code: '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('the code is wrong');
    expect(b.has('gatehouse_session')).toBe(false);
    // Without the CSRF field: refused, nothing signed in.
    const forged = await b.post(
      '/sign-in/mfa',
      { code: await totpCode(secret, new Date(Date.now() + 30_000)) },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    const ok = await b.post('/sign-in/mfa', {
      code: await totpCode(secret, new Date(Date.now() + 30_000)),
    });
    expect(ok).toMatchObject({ status: 303, location: '/account' });
    expect(b.has('gatehouse_mfa')).toBe(false);
    const account = await b.get('/account');
    expect(account.text).toContain('password and authenticator app');
    // No second step without the cookie.
    expect((await new Browser(base).get('/sign-in/mfa')).location).toBe('/sign-in');
  });

  it('issue 14 sign in with a recovery code (once); new codes and turning it off need a code', async () => {
    const { address, browser } = await member('bo');
    const { codes, secret } = await enroll(browser);
    const b = new Browser(base);
    await passwordStep(b, address);
    const recoveryForm = await b.get('/sign-in/mfa?recovery=1');
    expect(recoveryForm.text).toContain('<label for="f-recoveryCode">Recovery code</label>');
    const ok = await b.post('/sign-in/mfa', { recovery: '1', recoveryCode: codes[0]! });
    expect(ok).toMatchObject({ status: 303, location: '/account' });
    expect((await b.get('/account')).text).toContain('password and a recovery code');

    const again = new Browser(base);
    await passwordStep(again, address);
    const reused = await again.post('/sign-in/mfa', { recovery: '1', recoveryCode: codes[0]! });
    expect(reused.status).toBe(401);
    expect(reused.text).toContain('already used');

    const noCode = await b.post('/account/mfa/recovery-codes', {});
    expect(noCode.status).toBe(400);
    const fresh = await b.post('/account/mfa/recovery-codes', { recoveryCode: codes[1]! });
    expect(fresh.text).toContain('Save your new recovery codes');
    const wrongOff = await b.post('/account/mfa/disable', { code: '000000' });
    expect(wrongOff.status).toBe(400);
    expect(wrongOff.text).toContain('the code is wrong');
    const off = await b.post('/account/mfa/disable', {
      code: await totpCode(secret, new Date(Date.now() + 30_000)),
    });
    expect(off.text).toContain('Two-step verification is off.');
    // The password alone signs in again.
    expect((await passwordStep(new Browser(base), address)).location).toBe('/account');
  });

  it('issue 14 require MFA: a password session goes to /account/mfa and reaches nothing else until it enrolls', async () => {
    const { address } = await member('cy');
    await updateOrg(
      { services: s, caller: instanceAdmin, orgId },
      { settings: { requireMfa: true } },
    );
    try {
      const b = new Browser(base);
      expect((await passwordStep(b, address)).location).toBe('/account');
      for (const path of ['/account', '/account/password']) {
        expect(await b.get(path)).toMatchObject({ status: 303, location: '/account/mfa' });
      }
      const changed = await b.post('/account/password', {
        current: PASSWORD,
        password: 'another long passphrase',
      });
      expect(changed).toMatchObject({ status: 303, location: '/account/mfa' });
      const page = await b.get('/account/mfa');
      expect(page.text).toContain('Your organization requires two-step verification');
      expect(page.text).toContain('Sign out');
      await enroll(b);
      expect((await b.get('/account')).status).toBe(200);
    } finally {
      await updateOrg(
        { services: s, caller: instanceAdmin, orgId },
        { settings: { requireMfa: null } },
      );
    }
  });
});
