/**
 * Issue 15: the read routes (direct-reads.ts, the default, and lean-reads.ts) answer exactly as
 * tRPC's adapter does. The same requests (the SDK's batch link, plain GET and POST, every
 * permission read, batches mixing answers and errors, bad input, another org, no credential, a
 * procedure they do not serve) go to four servers over the same database: each route inside the
 * Express handler, the front before Express (front.ts, as the server runs it, on the default
 * route), and the adapter alone; status, content type and body must be equal.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import {
  addMember,
  type Caller,
  createApiClient,
  createOrg,
  createServices,
} from '@gatehouse/domain';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from './app.js';
import { createApiFront } from './front.js';

const ADMIN_KEY = 'gh_admin_test_key_for_lean_read_checks';
/** A tRPC answer, as far as these tests read it. */
interface Answer {
  result?: { data: { result: unknown } };
  error?: { data: { zodError: unknown } };
  length?: number;
}

const system: Caller = { principal: { kind: 'system' }, source: 'system' };

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.each(testBackends())('lean read route on $name', (backend) => {
  let g: Gatedb;
  const servers: Server[] = [];
  let lean: string;
  let direct: string;
  let front: string;
  let adapter: string;
  /** Requests the front answered itself. */
  let taken = 0;
  let orgId: string;
  let otherOrgId: string;
  let alice: string;
  let clientKey: string;

  beforeAll(async () => {
    g = await backend.open();
    const services = createServices(g.db);
    const urls: Record<string, string> = {};
    for (const readRoute of ['lean', 'direct', 'trpc'] as const) {
      const app = express();
      app.use('/trpc', createApiHandler({ services, adminKey: ADMIN_KEY, readRoute }));
      const { server, url } = await listen(app);
      servers.push(server);
      urls[readRoute] = url;
    }
    lean = urls.lean!;
    direct = urls.direct!;
    adapter = urls.trpc!;
    const app = express();
    app.use('/trpc', createApiHandler({ services, adminKey: ADMIN_KEY, readRoute: 'trpc' }));
    const lane = createApiFront({ services, adminKey: ADMIN_KEY, headers: [] });
    const server = createServer((req, res) => {
      if (lane.take(req, res)) taken++;
      else app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    front = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const mk = async (name: string) =>
      (
        await createOrg(
          { services, caller: system },
          { name, preset: 'flowcode', owner: { email: `owner@${name}.test` } },
        )
      ).result.id;
    orgId = await mk('lean');
    otherOrgId = await mk('other');
    const call = { services, caller: system, orgId };
    alice = (await addMember(call, { email: 'alice@lean.test', roles: [{ role: 'org_user' }] }))
      .result.userId!;
    clientKey = (await createApiClient(call, { name: 'reader', roles: [{ role: 'org_user' }] }))
      .result.key;
  });
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await g?.close();
  });

  /** Sends one request to every server; their answers must equal the adapter's. */
  async function same(path: string, init: RequestInit = {}, key: string | null = clientKey) {
    const answers = [];
    for (const base of [lean, direct, front, adapter]) {
      const res = await fetch(`${base}/trpc/${path}`, {
        ...init,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
      });
      answers.push({
        status: res.status,
        type: res.headers.get('content-type'),
        vary: res.headers.get('vary'),
        body: (await res.json()) as Answer,
      });
    }
    for (const a of answers.slice(0, -1)) expect(a).toEqual(answers.at(-1));
    return answers[0]!;
  }

  const q = (input: unknown) => `input=${encodeURIComponent(JSON.stringify(input))}`;
  const post = (input: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(input) });

  it('C1 a check answers alike over GET, POST and the SDK batch link', async () => {
    const check = { orgId, subject: alice, permission: 'flows.read', scope: orgId };
    const before = taken;
    const get = await same(`authz.check?${q(check)}`);
    expect(get.status).toBe(200);
    expect(get.body.result?.data.result).toMatchObject({ allowed: expect.any(Boolean) });
    expect((await same('authz.check', post(check))).status).toBe(200);
    const batch = await same(
      'authz.check,authz.checkMany?batch=1',
      post({
        0: check,
        1: { orgId, checks: [check, { ...check, permission: 'flows.write' }] },
      }),
    );
    expect(batch.status).toBe(200);
    expect(batch.body).toHaveLength(2);
    expect(taken - before).toBe(3);
    const members = taken;
    await same(`members.list?${q({ orgId })}`, {}, ADMIN_KEY);
    expect(taken).toBe(members);
  });

  it('C2 a long checkMany answer, sent in pieces, equals the adapter answer byte for byte', async () => {
    // 3,000 checks, most of them denials with a reason: about 450 KB of answer, written in
    // pieces (decisions-json.ts); the length header must count every byte.
    const perms = ['flows.read', 'flows.write', 'org.update'];
    const checks = Array.from({ length: 3_000 }, (_, i) => ({
      subject: i % 7 === 0 ? alice : `usr_${String(i).padStart(26, '0')}`,
      permission: perms[i % 3]!,
      scope: orgId,
    }));
    const bodies = [];
    for (const base of [direct, front, adapter]) {
      const res = await fetch(`${base}/trpc/authz.checkMany?batch=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ 0: { orgId, checks } }),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      // The read route sends a length (tRPC's adapter streams without one).
      if (base !== adapter) {
        expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
      }
      bodies.push(text);
    }
    expect(bodies[0]!.length).toBeGreaterThan(100_000);
    expect(bodies[0]).toBe(bodies[2]);
    expect(bodies[1]).toBe(bodies[2]);
  });

  it('C1–C7 every permission read answers alike, answers and errors', async () => {
    const reads: [string, Record<string, unknown>][] = [
      ['authz.explain', { subject: alice, permission: 'flows.read', scope: orgId }],
      ['authz.canMany', { checks: [{ subject: alice, permission: 'flows.read', scope: orgId }] }],
      ['authz.effectivePermissions', { subject: alice, scope: orgId }],
      ['authz.listScopes', { subject: alice, permission: 'flows.read', limit: 5 }],
      ['authz.listSubjects', { scope: orgId, permission: 'flows.read', type: 'user' }],
      ['authz.snapshot', {}],
    ];
    for (const [path, input] of reads) {
      expect((await same(path, post({ orgId, ...input }), ADMIN_KEY)).status).toBe(200);
      expect((await same(path, post({ orgId, ...input, minRevision: 0 }))).status).toBe(400);
      expect((await same(path, post({ ...input, orgId: 'nope' }))).status).toBe(400);
    }
    const stale = await same('authz.snapshot', post({ orgId, minRevision: 1e9 }), ADMIN_KEY);
    expect(stale.status).toBeGreaterThanOrEqual(400);
  });

  it('errors keep their codes, shapes and statuses: bad input, another org, mixed batches', async () => {
    const check = { orgId, subject: alice, permission: 'flows.read', scope: orgId };
    const bad = await same('authz.check', post({ ...check, subject: 42 }));
    expect(bad.status).toBe(400);
    expect(bad.body.error?.data.zodError).not.toBeNull();
    const other = await same('authz.check', post({ ...check, orgId: otherOrgId }));
    expect([403, 404]).toContain(other.status);
    const mixed = await same(
      'authz.check,authz.check?batch=1',
      post({
        0: check,
        1: { ...check, subject: 'usr_nobody' },
      }),
    );
    expect(mixed.body).toHaveLength(2);
    const emptyBatch = await same('authz.check?batch=1', post({}));
    expect(emptyBatch.status).toBe(400);
    const arrayBatch = await same('authz.check,authz.check?batch=1', post([check, check]));
    expect(arrayBatch.status).toBe(400);
    const tooMany = Array.from({ length: 101 }, () => 'authz.check').join(',');
    expect((await same(`${tooMany}?batch=1`, post({}))).status).toBe(400);
    const deep = await same('authz.check', post({ ...check, environment: [[[[[[[[[[1]]]]]]]]]] }));
    expect(deep.status).toBe(400);
    const noInput = await same('authz.check');
    expect(noInput.status).toBe(400);
    const notJson = await same('authz.check', { method: 'POST' });
    expect(notJson.status).toBe(415);
  });

  it('no credential, and procedures the route does not serve, answer as before', async () => {
    const check = { orgId, subject: alice, permission: 'flows.read', scope: orgId };
    expect((await same('authz.check', post(check), null)).status).toBe(401);
    expect((await same('authz.check', post(check), 'gh_not_a_key')).status).toBe(401);
    const refused = await same(`members.list?${q({ orgId })}`);
    expect(refused.status).toBe(403);
    const members = await same(`members.list?${q({ orgId })}`, {}, ADMIN_KEY);
    expect(members.status).toBe(200);
    const mixed = await same(
      'authz.check,members.list?batch=1',
      post({ 0: check, 1: { orgId } }),
      ADMIN_KEY,
    );
    expect(mixed.status).toBe(200);
    expect((await same('authz.nothing', post(check))).status).toBe(404);
  });
});
