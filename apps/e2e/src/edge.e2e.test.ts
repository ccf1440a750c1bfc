/**
 * HTTP hygiene at the edge (security issue 10, part 5), over real sockets: security headers on
 * every response, body limits (413) and depth caps, authentication before any body is parsed,
 * header and body timeouts against slow clients, the failed-credential throttle (429 with
 * Retry-After) per client address and per key prefix, and opaque 500s.
 */
import { connect } from 'node:net';
import { sql } from '@gatehouse/db';
import { ERROR_URN } from '@gatehouse/scim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createOrgFixture,
  type OrgFixture,
  startTestServer,
  type TestServer,
} from './harness.js';

const json = { 'content-type': 'application/json' };

/** The error of a (non-batch) tRPC response. */
const trpcError = async (res: Response) =>
  ((await res.json()) as { error: { message: string; data: { code: string } } }).error;
/** A SCIM response body. */
const scimBody = async (res: Response) => (await res.json()) as Record<string, unknown>;

/** Writes `parts` to a raw socket, `gapMs` apart, and resolves with what the server sent and when it closed. */
function slowClient(
  url: string,
  parts: string[],
  gapMs: number,
): Promise<{ reply: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let reply = '';
    let i = 0;
    const timer = setInterval(() => {
      if (i < parts.length && !socket.destroyed) socket.write(parts[i++]!);
    }, gapMs);
    socket.on('data', (d) => {
      reply += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ reply, closedAfterMs: Date.now() - started });
    });
    setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error('the server kept the slow socket open for 20 s'));
    }, 20_000);
  });
}

describe.each(backends)('HTTP edge on $name', (backend) => {
  describe('limits, headers, timeouts', () => {
    let t: TestServer;
    let org: OrgFixture;
    let scimToken: string;
    beforeAll(async () => {
      t = await startTestServer(backend, {
        apiMaxBodyBytes: 16 * 1024,
        scimMaxBodyBytes: 16 * 1024,
        headersTimeoutMs: 1000,
        requestTimeoutMs: 2000,
      });
      org = await createOrgFixture(t, {
        name: 'Edge',
        preset: 'flowcode',
        clientRole: 'org_admin',
      });
      scimToken = (await org.gh.api.scimTokens.create.mutate({ orgId: org.orgId })).result.token;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('sends security headers on every response (API, SCIM, health, 404), no HSTS over http', async () => {
      for (const [path, init] of [
        ['/health', {}],
        ['/trpc/orgs.list', {}],
        ['/scim/v2/Users', {}],
        ['/nope', {}],
        ['/audit/export', {}],
      ] as const) {
        const res = await fetch(`${t.url}${path}`, init);
        expect(res.headers.get('content-security-policy'), path).toBe(
          "default-src 'none';frame-ancestors 'none'",
        );
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(res.headers.get('x-frame-options'), path).toBe('DENY');
        expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
        expect(res.headers.get('strict-transport-security'), path).toBeNull();
        expect(res.headers.get('x-powered-by'), path).toBeNull();
      }
      expect((await fetch(`${t.url}/nope`)).status).toBe(404);
    });

    it('answers 413 past the body limit, in tRPC and SCIM shapes', async () => {
      const big = JSON.stringify({ email: 'a'.repeat(20_000), password: 'x', orgId: org.orgId });
      const api = await fetch(`${t.url}/trpc/sessions.login`, {
        method: 'POST',
        headers: json,
        body: big,
      });
      expect(api.status).toBe(413);
      expect(await trpcError(api)).toMatchObject({
        message: 'the request body is larger than 16 KiB',
        data: { code: 'PAYLOAD_TOO_LARGE' },
      });
      const scim = await fetch(`${t.url}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ userName: 'big@example.com', displayName: 'x'.repeat(20_000) }),
      });
      expect(scim.status).toBe(413);
      expect(await scimBody(scim)).toEqual({
        schemas: [ERROR_URN],
        status: '413',
        detail: 'the request body is larger than 16 KiB',
      });
    });

    it('refuses a batch of more than 100 calls with one error', async () => {
      const res = await fetch(`${t.url}/trpc/${Array(101).fill('orgs.list').join(',')}?batch=1`, {
        headers: { authorization: `Bearer ${t.adminKey}` },
      });
      expect(res.status).toBe(400);
      expect((await trpcError(res)).message).toBe('a batch holds at most 100 calls');
    });

    it('refuses deep JSON before parsing it, in bodies and ?input=', async () => {
      const deep = `${'['.repeat(65)}${']'.repeat(65)}`;
      const auth = { authorization: `Bearer ${org.clientKey}` };
      const body = await fetch(`${t.url}/trpc/orgs.update`, {
        method: 'POST',
        headers: { ...json, ...auth },
        body: deep,
      });
      expect(body.status).toBe(400);
      expect((await trpcError(body)).message).toBe(
        'the JSON nests arrays and objects more than 64 levels deep',
      );
      const query = await fetch(`${t.url}/trpc/orgs.get?input=${encodeURIComponent(deep)}`, {
        headers: auth,
      });
      expect(query.status).toBe(400);
      const scim = await fetch(`${t.url}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
        body: deep,
      });
      expect(scim.status).toBe(400);
      expect(await scimBody(scim)).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    });

    it('authenticates before parsing: a malformed body without a credential is 401, not 400', async () => {
      const api = await fetch(`${t.url}/trpc/orgs.create`, {
        method: 'POST',
        headers: json,
        body: '{"name":',
      });
      expect(api.status).toBe(401);
      expect((await trpcError(api)).data.code).toBe('UNAUTHORIZED');
      const scim = await fetch(`${t.url}/scim/v2/Users`, {
        method: 'POST',
        headers: json,
        body: '{"name":',
      });
      expect(scim.status).toBe(401);
      // A public procedure is read (and its malformed body refused) with the same caps.
      const login = await fetch(`${t.url}/trpc/sessions.login`, {
        method: 'POST',
        headers: json,
        body: '{"email":',
      });
      expect(login.status).toBe(400);
      expect((await trpcError(login)).message).toBe('the JSON is malformed');
    });

    it('answers bad input that used to be a 500 with a clear 400 (regressions found by the fuzz suite)', async () => {
      const auth = { authorization: `Bearer ${org.clientKey}` };
      const mutate = (path: string, input: unknown) =>
        fetch(`${t.url}/trpc/${path}`, {
          method: 'POST',
          headers: { ...json, ...auth },
          body: JSON.stringify(input),
        });
      const nul = await mutate('groups.create', { orgId: org.orgId, name: 'a\u0000b' });
      expect(nul.status).toBe(400);
      expect((await trpcError(nul)).message).toMatch(
        /^invalid input: name: must not contain a NUL/,
      );
      const lone = await mutate('audit.record', {
        orgId: org.orgId,
        action: 'x',
        entityType: 'y',
        entityId: 'z',
        after: { list: ['ok', '\ud800'] },
      });
      expect(lone.status).toBe(400);
      expect((await trpcError(lone)).message).toMatch(
        /after: list\.1: must be well-formed Unicode/,
      );
      const ws = await org.gh.api.scopes.create.mutate({
        orgId: org.orgId,
        kind: 'workspace',
        name: 'W',
      });
      const empty = await mutate('scopes.update', { orgId: org.orgId, scopeId: ws.result.id });
      expect(empty.status).toBe(400);
      expect((await trpcError(empty)).message).toBe(
        'nothing to update: send name, description or avatarUrl',
      );
      for (const odd of [
        'actor=%00',
        'from=0000-01-01T00%3A00%3A00Z',
        'to=2024-02-30T00%3A00%3A00Z',
      ]) {
        const exp = await fetch(`${t.url}/audit/export?orgId=${org.orgId}&format=csv&${odd}`, {
          headers: auth,
        });
        expect(exp.status, odd).toBe(400);
      }
      const scim = await fetch(`${t.url}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ userName: 'x\u0000@example.com' }),
      });
      expect(scim.status).toBe(400);
      expect(await scimBody(scim)).toMatchObject({ status: '400', scimType: 'invalidValue' });
    });

    it('closes a socket whose headers come too slowly (headers timeout 1 s)', async () => {
      const parts = ['GET /health HTTP/1.1\r\n', 'Host: x\r\n', ...Array(30).fill('X-Slow: 1\r\n')];
      const { reply, closedAfterMs } = await slowClient(t.url, parts, 300);
      expect(closedAfterMs).toBeLessThan(4000);
      expect(reply === '' || reply.startsWith('HTTP/1.1 408')).toBe(true);
    });

    it('closes a socket whose body comes too slowly (request timeout 2 s)', async () => {
      const head = `POST /trpc/sessions.login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
      const { reply, closedAfterMs } = await slowClient(
        t.url,
        [head, ...Array(100).fill(' ')],
        300,
      );
      expect(closedAfterMs).toBeLessThan(5000);
      expect(reply === '' || reply.startsWith('HTTP/1.1 408')).toBe(true);
      // The server still answers.
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
    });

    it('answers unexpected errors with an opaque id only (a table gone)', async () => {
      const db = t.server.gatedb.db;
      await sql`alter table orgs rename to orgs_gone`.execute(db);
      await sql`alter table members rename to members_gone`.execute(db);
      const api = await fetch(`${t.url}/trpc/orgs.list`, {
        headers: { authorization: `Bearer ${t.adminKey}` },
      });
      expect(api.status).toBe(500);
      const message = (await trpcError(api)).message as string;
      expect(message).toMatch(/^internal error \(id err_[0-9a-f]{16}\)$/);
      const scim = await fetch(`${t.url}/scim/v2/Users`, {
        headers: { authorization: `Bearer ${scimToken}` },
      });
      expect(scim.status).toBe(500);
      expect((await scimBody(scim)).detail).toMatch(/^internal error \(id err_[0-9a-f]{16}\)$/);
      await sql`alter table orgs_gone rename to orgs`.execute(db);
      await sql`alter table members_gone rename to members`.execute(db);
      expect(
        (
          await fetch(`${t.url}/trpc/orgs.list`, {
            headers: { authorization: `Bearer ${t.adminKey}` },
          })
        ).status,
      ).toBe(200);
    });
  });

  describe('failed-credential throttle', () => {
    let t: TestServer;
    let org: OrgFixture;
    beforeAll(async () => {
      t = await startTestServer(backend, {
        authMaxFailuresPerAddress: 6,
        authMaxFailuresPerKey: 3,
        authFailureWindowMs: 60_000,
      });
      org = await createOrgFixture(t, {
        name: 'Throttle',
        preset: 'flowcode',
        clientRole: 'org_admin',
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    const call = (key: string) =>
      fetch(
        `${t.url}/trpc/orgs.get?input=${encodeURIComponent(JSON.stringify({ orgId: org.orgId }))}`,
        {
          headers: { authorization: `Bearer ${key}` },
        },
      );

    it('locks a key prefix after 3 failures (even its right secret), then the address after 6', async () => {
      const wrong = `${org.clientId}.not-the-secret`;
      for (let i = 0; i < 3; i++) expect((await call(wrong)).status).toBe(401);
      const locked = await call(org.clientKey);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(50);
      expect(await trpcError(locked)).toMatchObject({
        data: { code: 'TOO_MANY_REQUESTS' },
        message: expect.stringMatching(/too many failed attempts with this key/),
      });
      // Other credentials from the same address still work (3 failures < 6).
      expect((await call(t.adminKey)).status).toBe(200);
      // Failed logins count against the address too.
      for (let i = 0; i < 2; i++) {
        const login = await fetch(`${t.url}/trpc/sessions.login`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            email: 'nobody@example.com',
            password: 'guess',
            orgId: org.orgId,
          }),
        });
        expect(login.status).toBe(401);
      }
      expect((await call('cli_zzz.nope')).status).toBe(401);
      // Six failures: everything from this address is refused before its credential is checked.
      const admin = await call(t.adminKey);
      expect(admin.status).toBe(429);
      expect(admin.headers.get('retry-after')).toMatch(/^\d+$/);
      const scim = await fetch(`${t.url}/scim/v2/Users`, {
        headers: { authorization: 'Bearer sct_x.y' },
      });
      expect(scim.status).toBe(429);
      expect(scim.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await scimBody(scim)).toMatchObject({ schemas: [ERROR_URN], status: '429' });
      const exp = await fetch(`${t.url}/audit/export?orgId=${org.orgId}`, {
        headers: { authorization: `Bearer ${t.adminKey}` },
      });
      expect(exp.status).toBe(429);
      const login = await fetch(`${t.url}/trpc/sessions.login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'nobody@example.com', password: 'guess', orgId: org.orgId }),
      });
      expect(login.status).toBe(429);
      // Requests without a credential are not throttled.
      expect((await fetch(`${t.url}/trpc/health`)).status).toBe(200);
    });
  });

  describe('throttles off, per-email login throttle with Retry-After', () => {
    let t: TestServer;
    let org: OrgFixture;
    beforeAll(async () => {
      t = await startTestServer(backend, {
        authMaxFailuresPerAddress: 0,
        authMaxFailuresPerKey: 0,
        loginMaxFailures: 2,
      });
      org = await createOrgFixture(t, { name: 'Off', preset: 'flowcode', clientRole: 'org_admin' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('takes the largest valid request within the default limit (checkMany, 10,000 checks)', async () => {
      const check = {
        subject: org.ownerUserId,
        permission: 'org.read',
        scope: org.orgId,
        environment: 'live',
      };
      const input = { orgId: org.orgId, checks: Array(10_000).fill(check) };
      expect(JSON.stringify(input).length).toBeGreaterThan(1024 * 1024);
      const res = await fetch(`${t.url}/trpc/authz.checkMany`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${org.clientKey}` },
        body: JSON.stringify(input),
      });
      expect(res.status).toBe(200);
    });

    it('never locks keys at 0, and the login throttle answers 429 with Retry-After', async () => {
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${t.url}/trpc/orgs.list`, {
          headers: { authorization: `Bearer ${org.clientId}.x` },
        });
        expect(res.status).toBe(401);
      }
      const login = () =>
        fetch(`${t.url}/trpc/sessions.login`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ email: 'who@example.com', password: 'guess', orgId: org.orgId }),
        });
      expect((await login()).status).toBe(401);
      expect((await login()).status).toBe(401);
      const refused = await login();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });
});
