/**
 * Issue 10 §4: responses that carry a new secret (API client keys, SCIM tokens, session tokens)
 * must not be stored by any cache. Every `/trpc` response, and the audit export, says
 * `Cache-Control: no-store`, checked here over HTTP with plain `fetch`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { createServices } from '@gatehouse/domain';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from './app.js';
import { createAuditExportHandler } from './audit-export.js';

const ADMIN_KEY = 'gh_admin_test_key_for_cache_control_checks';

describe.each(testBackends())('Cache-Control on $name', (backend) => {
  let g: Gatedb;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    g = await backend.open();
    const services = createServices(g.db);
    const app = express();
    app.use(express.json());
    app.use('/trpc', createApiHandler({ services, adminKey: ADMIN_KEY }));
    app.get('/audit/export', createAuditExportHandler({ services, adminKey: ADMIN_KEY }));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    await g?.close();
  });

  /** One tRPC mutation over HTTP: the raw response and its `result.data`. */
  async function mutate(path: string, input: unknown, key = ADMIN_KEY) {
    const res = await fetch(`${url}/trpc/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as { result?: { data: { result: Record<string, unknown> } } };
    return { res, data: body.result?.data.result };
  }

  it('key-creating and key-rotating calls answer with Cache-Control: no-store', async () => {
    const org = await mutate('orgs.create', {
      name: 'Cache Co',
      preset: 'flowcode',
      owner: { email: 'owner@cache.test' },
    });
    expect(org.res.status).toBe(200);
    expect(org.res.headers.get('cache-control')).toBe('no-store');
    const orgId = org.data!.id as string;

    const created = await mutate('apiClients.create', {
      orgId,
      name: 'Backend',
      roles: [{ role: 'org_admin' }],
    });
    expect(created.res.status).toBe(200);
    expect(created.data!.key).toMatch(/^cli_/);
    expect(created.res.headers.get('cache-control')).toBe('no-store');

    const clientId = (created.data!.client as { id: string }).id;
    const rotated = await mutate('apiClients.rotate', { orgId, clientId });
    expect(rotated.data!.key).toMatch(/^cli_/);
    expect(rotated.res.headers.get('cache-control')).toBe('no-store');

    const scim = await mutate('scimTokens.create', { orgId, name: 'IdP' });
    expect(scim.data!.token).toEqual(expect.any(String));
    expect(scim.res.headers.get('cache-control')).toBe('no-store');
  });

  it('queries, batches, refused keys and the audit export say no-store too', async () => {
    const query = await fetch(`${url}/trpc/orgs.list?batch=1&input=${encodeURIComponent('{}')}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(query.headers.get('cache-control')).toBe('no-store');
    const refused = await fetch(`${url}/trpc/orgs.list`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const exported = await fetch(`${url}/audit/export?orgId=org_missing&format=ndjson`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(exported.headers.get('cache-control')).toBe('no-store');
  });
});
