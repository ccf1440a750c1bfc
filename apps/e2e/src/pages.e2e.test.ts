/**
 * The pages people land on (issue 14), in headless Chromium against the real server: the
 * invitation email (real SMTP) → the accept page → a password → the account page → sign out →
 * sign in again (email, then password); wrong passwords and used links say so; forms refuse a
 * post from another origin or without the CSRF token; cookies are httpOnly and not Secure over
 * http; every page passes axe-core's WCAG 2.1 AA rules. Home-realm discovery: an address of a
 * domain an org verified goes to the org's IdP and comes back signed in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestDnsServer, type TestDnsServer } from '@gatehouse/domain/testing';
import { type Inbox, startInbox } from '@gatehouse/server/testing';
import { type DevIdp, startDevIdp } from '@gatehouse/sso/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, chromiumAvailable, launchChromium } from './browser/chromium.js';
import {
  backends,
  createOrgFixture,
  email,
  type OrgFixture,
  startTestServer,
  type TestServer,
} from './harness.js';

const PASSWORD = 'a long passphrase for the pages';
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
    await page.getByRole('button', { name: 'Sign in' }).click();
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
});
