/**
 * The pages people land on (issue 14), in headless Chromium against the real server: the
 * invitation email (real SMTP) → the accept page → a password → the account page → sign out →
 * sign in again (email, then password); wrong passwords and used links say so; forms refuse a
 * post from another origin or without the CSRF token; cookies are httpOnly and not Secure over
 * http; every page passes axe-core's WCAG 2.1 AA rules. Home-realm discovery: an address of a
 * domain an org verified goes to the org's IdP and comes back signed in. Two-step verification:
 * invitation email → accept → password → enroll an authenticator app at /account/mfa (the test
 * computes codes with otplib from the key the page shows) → sign out → sign in with the code →
 * an admin resets MFA through the API → the password alone signs in → re-enroll; an org that
 * requires MFA sends a password session to /account/mfa; seed 003 "Reset MFA" through the API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestDnsServer, type TestDnsServer } from '@gatehouse/domain/testing';
import { type Inbox, startInbox } from '@gatehouse/server/testing';
import { type DevIdp, startDevIdp } from '@gatehouse/sso/testing';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, chromiumAvailable, launchChromium } from './browser/chromium.js';
import {
  backends,
  createOrgFixture,
  email,
  failure,
  type OrgFixture,
  startTestServer,
  type TestServer,
} from './harness.js';

const PASSWORD = 'a long passphrase for the pages';

/** The code an authenticator app shows for `secret`, `stepsAhead` 30-second steps from now. */
const appCode = (secret: string, stepsAhead = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });
const pglite = backends[0]!;

describe.skipIf(!chromiumAvailable())('issue 14 pages in Chromium', () => {
  let t: TestServer;
  let inbox: Inbox;
  let browser: Browser;
  let acme: OrgFixture;
  let dns: TestDnsServer;
  let idp: DevIdp;

  beforeAll(async () => {
    inbox = await startInbox();
    dns = await startTestDnsServer();
    t = await startTestServer(pglite, {
      smtpUrl: inbox.url,
      passwords: true,
      ssoAllowHttp: true,
      ssoAllowPrivateNetwork: true,
      dnsServers: [dns.address],
      dnsTimeoutMs: 300,
      emailDelivery: { pollMs: 50 },
    });
    acme = await createOrgFixture(t, { name: 'Acme', preset: 'flowcode', clientRole: 'org_admin' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await t?.close();
    await inbox?.close();
    await dns?.close();
  });

  /** A fresh browser (own cookies) whose pages allow axe's script in. */
  const fresh = (): Promise<BrowserContext> => browser.newContext({ bypassCSP: true });

  /** Asserts the page has no WCAG 2.1 A/AA violation. */
  async function accessible(page: Page) {
    expect(await axeViolations(page), `${page.url()} accessibility`).toEqual([]);
  }

  /** Invites `address` into Acme through the API and returns the link from the real email. */
  async function invitationLink(address: string): Promise<string> {
    await acme.gh.api.invitations.invite.mutate({ orgId: acme.orgId, email: address });
    return inbox.linkTo(address, '/invitations/accept');
  }

  it('issue 14 M3: invitation email → accept page → set password → signed in → sign out → sign in with email then password', async () => {
    const ana = email('ana');
    const link = await invitationLink(ana);
    expect(link.startsWith(`${t.url}/invitations/accept?token=`)).toBe(true);
    const ctx = await fresh();
    const page = await ctx.newPage();
    await page.goto(link);
    expect(await page.textContent('h1')).toBe('Invitation');
    expect(await page.textContent('main')).toContain(`You are invited to join Acme as ${ana}`);
    await accessible(page);
    await page.getByLabel('Your name').fill('Ana Example');
    await page.getByLabel('Choose a password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Accept and join' }).click();
    await page.waitForURL(`${t.url}/account`);
    expect(await page.textContent('main')).toContain(`Signed in as Ana Example (${ana}) to Acme`);
    await accessible(page);

    // The cookies: httpOnly, SameSite=Lax, not Secure over plain http.
    const cookies = await ctx.cookies(t.url);
    const session = cookies.find((c) => c.name === 'gatehouse_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    expect(session.value).toMatch(/^ses_/);

    // The link works once.
    await page.goto(link);
    expect(await page.textContent('[role=alert]')).toContain('already been used');

    // Sign out, then sign in: the address first, then the password.
    await page.goto(`${t.url}/account`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.textContent('main')).toContain('You are signed out');
    await page.goto(`${t.url}/account`);
    await page.waitForURL(`${t.url}/sign-in`);
    await page.getByLabel('Email').fill(ana);
    await page.getByLabel('Organization ID (optional)').fill(acme.orgId);
    await accessible(page);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.textContent('[role=alert]')).toContain('login failed');
    await accessible(page);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${t.url}/account`);
    expect(await page.textContent('main')).toContain(`${ana}) to Acme`);
    await ctx.close();
  });

  /** A person who accepted an invitation to Acme with `password`, through the API. */
  async function member(address: string, password = PASSWORD): Promise<void> {
    const token = new URL(await invitationLink(address)).searchParams.get('token')!;
    await t.connect('none').api.invitations.accept.mutate({ token, password });
  }

  /** Signs in through the pages (email, then password) and waits for /account. */
  async function signIn(page: Page, address: string, password: string) {
    await page.goto(`${t.url}/sign-in?org=${acme.orgId}`);
    await page.getByLabel('Email').fill(address);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill(password);
    // Exact: once Acme has an SSO connection, "Sign in with single sign-on instead" is there too.
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  it('issue 14 forgot password from the email: request → link → new password → sessions ended → sign in with it; change password while signed in', async () => {
    const cy = email('cy');
    await member(cy);
    const ctx = await fresh();
    const page = await ctx.newPage();
    await signIn(page, cy, PASSWORD);
    await page.waitForURL(`${t.url}/account`);
    // Another browser forgets the password.
    const other = await fresh();
    const p2 = await other.newPage();
    await p2.goto(`${t.url}/sign-in?org=${acme.orgId}`);
    await p2.getByLabel('Email').fill(cy);
    await p2.getByRole('button', { name: 'Continue' }).click();
    await p2.getByRole('link', { name: 'Forgot your password?' }).click();
    await accessible(p2);
    await p2.getByLabel('Email').fill(cy);
    await p2.getByRole('button', { name: 'Email me a link' }).click();
    expect(await p2.textContent('[role=status]')).toContain(
      'If an account with this email address',
    );
    // An unknown address gets the very same page.
    await p2.goto(`${t.url}/password/forgot`);
    await p2.getByLabel('Email').fill(email('nobody'));
    await p2.getByRole('button', { name: 'Email me a link' }).click();
    expect(await p2.textContent('[role=status]')).toContain(
      'If an account with this email address',
    );

    const link = await inbox.linkTo(cy, '/password/reset');
    await p2.goto(link);
    await accessible(p2);
    await p2.getByLabel('New password').fill('password');
    await p2.getByRole('button', { name: 'Save the new password' }).click();
    expect(await p2.textContent('[role=alert]')).toMatch(/password/i);
    const fresh1 = 'a brand new passphrase for cy';
    await p2.getByLabel('New password').fill(fresh1);
    await p2.getByRole('button', { name: 'Save the new password' }).click();
    expect(await p2.textContent('[role=status]')).toContain(
      'every session of your account has ended',
    );
    // The first browser's session ended; the link works once.
    await page.goto(`${t.url}/account`);
    await page.waitForURL(`${t.url}/sign-in`);
    await p2.goto(link);
    expect(await p2.textContent('[role=alert]')).toBeTruthy();
    // The old password no longer works; the new one does.
    await signIn(page, cy, PASSWORD);
    expect(await page.textContent('[role=alert]')).toContain('login failed');
    await signIn(page, cy, fresh1);
    await page.waitForURL(`${t.url}/account`);

    // Change it while signed in: the current one first.
    await page.getByRole('link', { name: 'Change your password' }).click();
    await accessible(page);
    await page.getByLabel('Current password').fill('wrong current password');
    await page.getByLabel('New password').fill('yet another passphrase');
    await page.getByRole('button', { name: 'Change the password' }).click();
    expect(await page.textContent('[role=alert]')).toBeTruthy();
    await page.getByLabel('Current password').fill(fresh1);
    await page.getByLabel('New password').fill('yet another passphrase');
    await page.getByRole('button', { name: 'Change the password' }).click();
    expect(await page.textContent('[role=status]')).toContain('Your password is changed');
    await page.goto(`${t.url}/account`);
    expect(page.url()).toBe(`${t.url}/account`);
    await ctx.close();
    await other.close();
  });

  it('issue 14 M6 seed 003: an admin resets a member password through the API; the member chooses a new one from the email', async () => {
    const dee = email('dee');
    await member(dee);
    const m = await acme.gh.api.members.list.query({ orgId: acme.orgId, search: dee });
    await acme.gh.api.members.resetPassword.mutate({
      orgId: acme.orgId,
      userId: m.items[0]!.userId!,
    });
    const ctx = await fresh();
    const page = await ctx.newPage();
    await page.goto(await inbox.linkTo(dee, '/password/reset'));
    await page.getByLabel('New password').fill('the admin made me change it');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    expect(await page.textContent('[role=status]')).toContain('Your new password is saved');
    await signIn(page, dee, 'the admin made me change it');
    await page.waitForURL(`${t.url}/account`);
    await ctx.close();
  });

  it('issue 14 CSRF: a form posted from another origin, or without the token, is refused and changes nothing', async () => {
    const bob = email('bob');
    const link = await invitationLink(bob);
    const token = new URL(link).searchParams.get('token')!;
    // Another site (another origin on loopback) that posts the accept form on load.
    const evil: Server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<!doctype html><title>x</title><form method="post" action="${t.url}/invitations/accept">
<input name="token" value="${token}"><input name="password" value="${PASSWORD}"><input name="csrf" value="guess"></form>
<script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    const ctx = await fresh();
    const page = await ctx.newPage();
    // The victim has visited the real page (so has a CSRF cookie).
    await page.goto(link);
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    await page.waitForURL(`${t.url}/invitations/accept`);
    expect(await page.textContent('[role=alert]')).toContain('sent from another site');
    evil.close();
    // Without the token, from a client that sends no Origin: refused too.
    const res = await fetch(`${t.url}/invitations/accept`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, password: PASSWORD }).toString(),
    });
    expect(res.status).toBe(403);
    // Nothing changed: the invitation is still pending.
    const list = await acme.gh.api.invitations.list.query({ orgId: acme.orgId, email: bob });
    expect(list.items.map((i) => i.status)).toEqual(['pending']);
    await ctx.close();
  });

  it('issue 14 I3: an address of a domain the org verified goes to its IdP and comes back signed in', async () => {
    const domain = `pages-${Date.now()}.test`;
    const cy = { sub: 'cy-sub', email: `cy@${domain}`, email_verified: true, name: 'Cy' };
    idp = await startDevIdp({ redirectUris: [`${t.url}/sso/callback`], accounts: [cy] });
    await acme.gh.api.sso.createConnection.mutate({
      orgId: acme.orgId,
      name: 'Dev IdP',
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
    });
    const { result: claimed } = await acme.gh.api.domains.claim.mutate({
      orgId: acme.orgId,
      domain,
    });
    dns.setTxt(claimed.domain.record.name, [claimed.domain.record.value]);
    await acme.gh.api.domains.verify.mutate({ orgId: acme.orgId, domainId: claimed.domain.id });

    const ctx = await fresh();
    const page = await ctx.newPage();
    await page.goto(`${t.url}/sign-in`);
    await page.getByLabel('Email').fill(cy.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${t.url}/account`);
    expect(await page.textContent('main')).toContain(`Signed in as Cy (${cy.email}) to Acme`);
    await ctx.close();
  });

  /** Enrolls from /account/mfa (signed in); returns the key the page showed and the codes. */
  async function enrollInBrowser(page: Page) {
    await page.goto(`${t.url}/account/mfa`);
    await accessible(page);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.waitForURL(`${t.url}/account/mfa`);
    const qr = page.getByRole('img', {
      name: 'QR code to add Gatehouse to your authenticator app',
    });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    // The QR image really loaded under the page's CSP (img-src data:).
    expect(
      await qr.evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    await accessible(page);
    const secret = (await page.textContent('#totp-secret'))!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    expect(await page.textContent('[role=alert]')).toContain('does not match');
    await page.getByLabel('Code from the app').fill(await appCode(secret));
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    expect(await page.textContent('h1')).toBe('Save your recovery codes');
    await accessible(page);
    const codes = await page.locator('ol.codes code').allTextContents();
    expect(codes).toHaveLength(10);
    return { secret, codes };
  }

  it('issue 14 MFA: invitation email → accept → password → enroll TOTP → sign out → sign in with the code → admin resets MFA through the API → password alone → re-enroll', async () => {
    const eve = email('eve');
    const link = await invitationLink(eve);
    const ctx = await fresh();
    const page = await ctx.newPage();
    await page.goto(link);
    await page.getByLabel('Your name').fill('Eve Example');
    await page.getByLabel('Choose a password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Accept and join' }).click();
    await page.waitForURL(`${t.url}/account`);
    await page.getByRole('link', { name: 'Two-step verification (authenticator app)' }).click();
    await page.waitForURL(`${t.url}/account/mfa`);
    const { secret } = await enrollInBrowser(page);
    await page.getByRole('link', { name: 'Continue to your account' }).click();
    await page.waitForURL(`${t.url}/account`);
    expect(await page.textContent('main')).toContain('Two-step verificationOn');

    // Sign out; signing in now asks for the app's code after the password.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, eve, PASSWORD);
    await page.waitForURL(`${t.url}/sign-in/mfa`);
    await accessible(page);
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    expect(await page.textContent('[role=alert]')).toContain('the code is wrong');
    await accessible(page);
    // The enrolment's code was used: the next step's code it is.
    await page.getByLabel('Authentication code').fill(await appCode(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${t.url}/account`);
    expect(await page.textContent('main')).toContain('password and authenticator app');
    const mfaCookie = (await ctx.cookies(t.url)).find((c) => c.name === 'gatehouse_mfa');
    expect(mfaCookie).toBeUndefined();

    // The admin resets Eve's MFA through the API: her session ends, her factor is gone.
    const row = (await acme.gh.api.members.list.query({ orgId: acme.orgId, search: eve }))
      .items[0]!;
    expect(row).toMatchObject({ mfaEnrolled: true, lastLoginMethod: 'pwd+totp' });
    const { result: reset } = await acme.gh.api.members.resetMfa.mutate({
      orgId: acme.orgId,
      userId: row.userId!,
    });
    expect(reset).toMatchObject({ removedFactors: 1, endedSessions: 1 });
    await page.goto(`${t.url}/account`);
    await page.waitForURL(`${t.url}/sign-in`);

    // The password alone signs her in; she enrolls again with a new key.
    await signIn(page, eve, PASSWORD);
    await page.waitForURL(`${t.url}/account`);
    expect(await page.textContent('main')).toContain('Two-step verificationOff');
    const again = await enrollInBrowser(page);
    expect(again.secret).not.toBe(secret);
    const after = (await acme.gh.api.members.list.query({ orgId: acme.orgId, search: eve }))
      .items[0]!;
    expect(after).toMatchObject({ mfaEnrolled: true });
    await ctx.close();
  });

  it('issue 14 require MFA: a password session lands on /account/mfa and reaches nothing else until it enrolls; a recovery code signs in', async () => {
    const strict = await createOrgFixture(t, {
      name: 'Strict',
      preset: 'flowcode',
      clientRole: 'org_admin',
    });
    await strict.gh.api.orgs.update.mutate({ orgId: strict.orgId, settings: { requireMfa: true } });
    const fay = email('fay');
    await strict.gh.api.invitations.invite.mutate({ orgId: strict.orgId, email: fay });
    const link = await inbox.linkTo(fay, '/invitations/accept');
    const ctx = await fresh();
    const page = await ctx.newPage();
    await page.goto(link);
    await page.getByLabel('Your name').fill('Fay');
    await page.getByLabel('Choose a password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Accept and join' }).click();
    await page.waitForURL(`${t.url}/account/mfa`);
    expect(await page.textContent('main')).toContain(
      'Your organization requires two-step verification',
    );
    await page.goto(`${t.url}/account/password`);
    await page.waitForURL(`${t.url}/account/mfa`);
    const { codes } = await enrollInBrowser(page);
    await page.getByRole('link', { name: 'Continue to your account' }).click();
    await page.waitForURL(`${t.url}/account`);

    // Signed out, a recovery code stands in for the phone.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${t.url}/sign-in?org=${strict.orgId}`);
    await page.getByLabel('Email').fill(fay);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${t.url}/sign-in/mfa`);
    await page.getByRole('link', { name: 'Use a recovery code instead' }).click();
    await accessible(page);
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${t.url}/account`);
    expect(await page.textContent('main')).toContain('password and a recovery code');
    await ctx.close();
  });

  it('issue 14 M6 seed 003 "Reset MFA" through the API: an Administrator resets a member; a Viewer may not, nor an Analyst the Administrator', async () => {
    const idw = await createOrgFixture(t, {
      name: 'IDWise MFA',
      preset: 'idwise',
      clientRole: 'administrator',
    });
    const anon = t.connect('none');
    const person = async (role: string) => {
      const address = email(role);
      await idw.gh.api.invitations.invite.mutate({
        orgId: idw.orgId,
        email: address,
        roles: [{ role }],
      });
      const token = new URL(await inbox.linkTo(address, '/invitations/accept')).searchParams.get(
        'token',
      )!;
      const { result } = await anon.api.invitations.accept.mutate({ token, password: PASSWORD });
      const { result: login } = await anon.api.sessions.login.mutate({
        email: address,
        password: PASSWORD,
        orgId: idw.orgId,
      });
      if (login.mfaRequired) throw new Error('no authenticator yet');
      return { userId: result.userId, gh: t.connect(login.token) };
    };
    const analyst = await person('analytics');
    const viewer = await person('view_verification');
    const e = await analyst.gh.api.accounts.enrollTotp.mutate();
    await analyst.gh.api.accounts.confirmTotp.mutate({ code: await appCode(e.secret) });

    expect(
      await failure(
        viewer.gh.api.members.resetMfa.mutate({ orgId: idw.orgId, userId: analyst.userId }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      await failure(
        analyst.gh.api.members.resetMfa.mutate({ orgId: idw.orgId, userId: idw.ownerUserId }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    const { result } = await idw.gh.api.members.resetMfa.mutate({
      orgId: idw.orgId,
      userId: analyst.userId,
    });
    expect(result).toMatchObject({ userId: analyst.userId, removedFactors: 1, endedSessions: 1 });
    expect(await failure(analyst.gh.api.sessions.me.query())).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    const audit = await idw.gh.api.audit.list.query({ orgId: idw.orgId, action: 'MfaReset' });
    expect(audit.items).toHaveLength(1);
  });
});
