/**
 * The pages' own rules over real HTTP on loopback (issue 14): cookies are Secure exactly when the
 * public URL is https, a post without the CSRF token or from another origin is refused (403) and
 * changes nothing, what a page shows is escaped, broken links say why, and every page forbids
 * scripts and framing. The browser flows are in apps/e2e/src/pages.e2e.test.ts.
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
} from '@gatehouse/domain';
import { instanceAdmin } from '@gatehouse/domain/testing';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPagesHandler } from './index.js';

describe('issue 14 pages over HTTP', () => {
  let g: Gatedb;
  let s: Services;
  const servers: Server[] = [];
  let orgId: string;

  /** The pages on a loopback port, with `publicUrl` as their public base (default: their own). */
  async function serve(publicUrl?: string): Promise<string> {
    const app = express();
    let own = '';
    app.use(createPagesHandler({ services: s, publicUrl: () => publicUrl ?? own }));
    const server = await new Promise<Server>((r) => {
      const srv = app.listen(0, '127.0.0.1', () => r(srv));
    });
    servers.push(server);
    own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return own;
  }

  beforeAll(async () => {
    g = await createDb();
    s = createServices(g.db, { passwords: true, publicUrl: () => 'http://pages.test' });
    const { result } = await createOrg(
      { services: s, caller: instanceAdmin },
      {
        name: '<script>alert(1)</script> & Co',
        preset: 'flowcode',
        owner: { email: 'o@pages.test' },
      },
    );
    orgId = result.id;
  });
  afterAll(async () => {
    for (const x of servers) x.close();
    await g?.close();
  });

  /** An invitation's token, read from its queued email. */
  async function invitationToken(address: string): Promise<string> {
    const { result } = await inviteMember(
      { services: s, caller: instanceAdmin, orgId },
      { email: address },
    );
    const queued = await g.db
      .selectFrom('emails')
      .select('id')
      .where('ref_id', '=', result.id)
      .executeTakeFirstOrThrow();
    const mail = await readQueuedEmail(g.db, queued.id);
    return /token=([A-Za-z0-9_-]+)/.exec(mail!.text)![1]!;
  }

  it('issue 14 cookies are httpOnly, SameSite=Lax, and Secure only when the public URL is https', async () => {
    const plain = await serve();
    const onPlain = (await fetch(`${plain}/sign-in`)).headers.getSetCookie().join('\n');
    expect(onPlain).toMatch(/gatehouse_csrf=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(onPlain).not.toContain('Secure');
    const tls = await serve('https://id.pages.test');
    const onTls = (await fetch(`${tls}/sign-in`)).headers.getSetCookie().join('\n');
    expect(onTls).toMatch(/gatehouse_csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax/);
  });

  it('issue 14 every page forbids scripts and framing, and is never cached', async () => {
    const base = await serve();
    const res = await fetch(`${base}/sign-in`);
    expect(res.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:; frame-ancestors 'none'; base-uri 'none'$/,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).not.toContain('<script');
  });

  it('issue 14 M3 the invitation page escapes what it shows; a post without the CSRF token, or from another origin, is refused and changes nothing', async () => {
    const base = await serve();
    const token = await invitationToken('dee@pages.test');
    const page = await fetch(`${base}/invitations/accept?token=${token}`);
    const htmlText = await page.text();
    expect(htmlText).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; Co');
    expect(htmlText).not.toContain('<script>alert(1)');
    const cookie = /gatehouse_csrf=([^;]+)/.exec(page.headers.getSetCookie().join(';'))![1]!;
    const field = /name="csrf" value="([^"]+)"/.exec(htmlText)![1]!;
    expect(field).toBe(cookie);
    const post = (headers: Record<string, string>, body: Record<string, string>) =>
      fetch(`${base}/invitations/accept`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body).toString(),
      });
    const form = { token, password: 'a long enough passphrase' };
    expect((await post({}, form)).status).toBe(403);
    expect(
      (await post({ Cookie: `gatehouse_csrf=${cookie}` }, { ...form, csrf: 'wrong' })).status,
    ).toBe(403);
    expect(
      (
        await post(
          { Cookie: `gatehouse_csrf=${cookie}`, Origin: 'http://evil.test' },
          { ...form, csrf: cookie },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await post(
          { Cookie: `gatehouse_csrf=${cookie}`, 'Sec-Fetch-Site': 'cross-site' },
          { ...form, csrf: cookie },
        )
      ).status,
    ).toBe(403);
    const pending = await g.db
      .selectFrom('invitations')
      .select('status')
      .where('email_lower', '=', 'dee@pages.test')
      .executeTakeFirstOrThrow();
    expect(pending.status).toBe('pending');
    // With the token, from the page's own origin: accepted, signed in, sent to /account.
    const ok = await post(
      { Cookie: `gatehouse_csrf=${cookie}`, Origin: base },
      { ...form, csrf: cookie },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/account');
    expect(ok.headers.getSetCookie().join('\n')).toMatch(/gatehouse_session=ses_/);
  });

  it('issue 14 M3 broken links say why, with no form: malformed, unknown', async () => {
    const base = await serve();
    const bad = await fetch(`${base}/invitations/accept?token=%3Cx%3E`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('not valid; check that it was copied whole');
    const unknown = await fetch(`${base}/invitations/accept?token=${'A'.repeat(40)}`);
    expect(unknown.status).toBe(400);
    const text = await unknown.text();
    expect(text).toContain('role="alert"');
    expect(text).not.toContain('<form');
  });

  it('issue 14 sign-in: a bad address or org id is answered on the page (400), never a 500', async () => {
    const base = await serve();
    const first = await fetch(`${base}/sign-in`);
    const cookie = /gatehouse_csrf=([^;]+)/.exec(first.headers.getSetCookie().join(';'))![1]!;
    const post = (body: Record<string, string>) =>
      fetch(`${base}/sign-in`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Cookie: `gatehouse_csrf=${cookie}`,
        },
        body: new URLSearchParams({ csrf: cookie, ...body }).toString(),
      });
    const notEmail = await post({ step: 'email', email: 'not an address' });
    expect(notEmail.status).toBe(400);
    expect(await notEmail.text()).toContain('Enter your email address');
    const badOrg = await post({ step: 'email', email: 'ana@pages.test', org: "org_'; drop" });
    expect(badOrg.status).toBe(400);
    expect(await badOrg.text()).toContain('starts with org_');
    const noOrg = await post({ step: 'email', email: 'ana@nowhere.test' });
    expect(noOrg.status).toBe(400);
    expect(await noOrg.text()).toContain('Enter the organization ID');
    const wrong = await post({
      step: 'password',
      email: 'ana@pages.test',
      org: orgId,
      password: 'x',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('login failed');
  });
});
