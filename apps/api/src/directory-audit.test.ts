/**
 * The member directory, groups, user edits and the audit log through the HTTP API: tRPC over
 * `fetch`, and the streamed export route, on every test backend.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { createServices, type Services } from '@gatehouse/domain';
import { appendSyntheticAudit } from '@gatehouse/domain/testing';
import { createTRPCClient, httpBatchLink, type TRPCClient, TRPCClientError } from '@trpc/client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from './app.js';
import { AUDIT_CSV_COLUMNS, createAuditExportHandler, csvField } from './audit-export.js';
import type { AppRouter } from './root.js';

const ADMIN_KEY = 'gh_admin_test_key_for_directory_and_audit';
const SIGNING_KEY = 'api-test-audit-signing-key-0123456789abcdef';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

describe('csvField (RFC 4180)', () => {
  it('A2 quotes only what needs quoting and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
    expect(csvField(42)).toBe('42');
    expect(csvField({ a: 'x,"y"' })).toBe('"{""a"":""x,\\""y\\""""}"');
  });
});

describe.each(testBackends())('directory and audit API on $name', (backend) => {
  let g: Gatedb;
  let services: Services;
  let server: Server;
  let url: string;
  let admin: TRPCClient<AppRouter>;
  const connect = (key: string, onBehalfOf?: string) =>
    createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${url}/trpc`,
          headers: () => ({
            authorization: `Bearer ${key}`,
            ...(onBehalfOf ? { 'x-gatehouse-on-behalf-of': onBehalfOf } : {}),
          }),
        }),
      ],
    });
  const exportUrl = (params: Record<string, string>) =>
    `${url}/audit/export?${new URLSearchParams(params).toString()}`;

  beforeAll(async () => {
    g = await backend.open();
    services = createServices(g.db, { auditSigningKey: SIGNING_KEY });
    const app = express();
    app.use(express.json());
    app.use('/trpc', createApiHandler({ services, adminKey: ADMIN_KEY }));
    app.get(
      '/audit/export',
      createAuditExportHandler({
        services,
        adminKey: ADMIN_KEY,
        onInternalError: (e) => console.error('export failed', e),
      }),
    );
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    admin = connect(ADMIN_KEY);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    await g?.close();
  });

  async function orgWithClient(preset = 'flowcode', role = 'org_admin') {
    const { result: org } = await admin.orgs.create.mutate({
      name: `API ${preset}`,
      preset,
      owner: { email: `owner-${Math.random().toString(36).slice(2)}@api.test` },
    });
    const { result: issued } = await admin.apiClients.create.mutate({
      orgId: org.id,
      name: 'Product Backend',
      roles: [{ role }],
    });
    return { orgId: org.id, key: issued.key, clientId: issued.client.id, api: connect(issued.key) };
  }

  it('M4 T3 members.list: search, filters, direct vs inherited, keyset pages; T6 members.overview', async () => {
    const o = await orgWithClient();
    const { result: ws } = await o.api.scopes.create.mutate({
      orgId: o.orgId,
      kind: 'workspace',
      name: 'Growth',
    });
    const { result: ann } = await o.api.members.add.mutate({
      orgId: o.orgId,
      email: 'Ann@Api.test',
      roles: [{ role: 'org_user' }, { role: 'workspace_editor', scopeId: ws.id }],
    });
    for (const n of ['ben', 'cat', 'dan']) {
      await o.api.members.add.mutate({ orgId: o.orgId, email: `${n}@api.test` });
    }
    const found = await o.api.members.list.query({ orgId: o.orgId, search: 'ANN@' });
    expect(found.items).toEqual([
      expect.objectContaining({
        userId: ann.userId,
        email: 'Ann@Api.test',
        status: 'active',
        mfaEnrolled: false,
        lastLoginAt: null,
        groups: [],
        reach: expect.objectContaining({ count: 2 }),
      }),
    ]);
    const inWs = await o.api.members.list.query({ orgId: o.orgId, scopeId: ws.id, search: 'ann' });
    expect(inWs.items[0]!.roles.map((r) => [r.role, r.membership, r.scopeId]).sort()).toEqual(
      [
        ['org_user', 'inherited', o.orgId],
        ['workspace_editor', 'direct', ws.id],
      ].sort(),
    );
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof o.api.members.list.query>> =
        await o.api.members.list.query({ orgId: o.orgId, sort: 'email', limit: 2, cursor });
      ids.push(...page.items.map((i) => i.userId!));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    await expect(
      o.api.members.list.query({ orgId: o.orgId, status: 'gone' as 'active' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    const overview = await o.api.members.overview.query({ orgId: o.orgId });
    expect(overview.members).toEqual({ total: 5, active: 5, deactivated: 0 });
    expect(overview.perScope.find((p) => p.scopeId === ws.id)?.members).toBe(1);
  });

  it('M6 members.update edits name and email; a taken email is CONFLICT', async () => {
    const o = await orgWithClient();
    const { result: m } = await o.api.members.add.mutate({ orgId: o.orgId, email: 'eve@api.test' });
    await o.api.members.add.mutate({ orgId: o.orgId, email: 'taken@api.test' });
    const { result } = await o.api.members.update.mutate({
      orgId: o.orgId,
      userId: m.userId,
      name: 'Eve Example',
      email: 'eve.example@api.test',
    });
    expect(result).toMatchObject({ name: 'Eve Example', email: 'eve.example@api.test' });
    const err = await o.api.members.update
      .mutate({ orgId: o.orgId, userId: m.userId, email: 'TAKEN@api.test' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe('CONFLICT');
  });

  it('G1 G2 groups.get/members/ofMember; access is the union of own and group assignments (T5 environments)', async () => {
    const o = await orgWithClient('idwise', 'administrator');
    const { result: u } = await o.api.members.add.mutate({
      orgId: o.orgId,
      email: 'analyst@api.test',
      roles: [{ role: 'view_verification', environment: 'sandbox' }],
    });
    const { result: group } = await o.api.groups.create.mutate({
      orgId: o.orgId,
      name: 'Compliance UK',
      description: 'Reviews verifications',
      avatarUrl: 'https://cdn.example/uk.png',
    });
    await o.api.groups.addMembers.mutate({
      orgId: o.orgId,
      groupId: group.id,
      memberIds: [u.userId],
    });
    const { revision } = await o.api.assignments.assign.mutate({
      orgId: o.orgId,
      subjectId: group.id,
      role: 'manual_decisions',
      environment: 'live',
    });
    const detail = await o.api.groups.get.query({ orgId: o.orgId, groupId: group.id });
    expect(detail).toMatchObject({
      name: 'Compliance UK',
      avatarUrl: 'https://cdn.example/uk.png',
      memberCount: 1,
      roles: [expect.objectContaining({ role: 'manual_decisions', environment: 'live' })],
    });
    const members = await o.api.groups.members.query({ orgId: o.orgId, groupId: group.id });
    expect(members.items.map((m) => m.memberId)).toEqual([u.userId]);
    const of = await o.api.groups.ofMember.query({ orgId: o.orgId, memberId: u.userId });
    expect(of.map((x) => x.id)).toEqual([group.id]);
    const check = async (permission: string, environment: 'live' | 'sandbox') =>
      (
        await o.api.authz.check.query({
          orgId: o.orgId,
          subject: u.userId,
          permission,
          scope: o.orgId,
          environment,
          minRevision: revision,
        })
      ).result.allowed;
    // Own: view verifications in Sandbox. Group: manual decisions in Live. Union, per environment.
    expect(await check('verifications.view', 'sandbox')).toBe(true);
    expect(await check('verifications.view', 'live')).toBe(false);
    expect(await check('decisions.manual', 'live')).toBe(true);
    expect(await check('decisions.manual', 'sandbox')).toBe(false);
    const row = await o.api.members.list.query({ orgId: o.orgId, search: 'analyst' });
    expect(
      row.items[0]!.roles.map((r) => [r.role, r.environment, r.viaGroup?.name ?? null]),
    ).toEqual([
      ['view_verification', 'sandbox', null],
      ['manual_decisions', 'live', 'Compliance UK'],
    ]);
  });

  it('A3 audit.record puts product events in the log; A2 audit.list filters by actor email; A4 audit.verify', async () => {
    const o = await orgWithClient();
    const { result: m } = await o.api.members.add.mutate({
      orgId: o.orgId,
      email: 'Operator@Api.test',
      roles: [{ role: 'org_admin' }],
    });
    const asOperator = connect(o.key, m.userId);
    const e = await asOperator.audit.record.mutate({
      orgId: o.orgId,
      action: 'Flow Created',
      entityType: 'Flow',
      entityId: 'flow_42',
      after: { name: 'KYC onboarding' },
    });
    expect(e).toMatchObject({ actorId: o.clientId, onBehalfOf: m.userId, action: 'Flow Created' });
    const byEmail = await o.api.audit.list.query({ orgId: o.orgId, actor: 'operator@api' });
    expect(byEmail.items.map((i) => i.id)).toEqual([e.id]);
    const verified = await o.api.audit.verify.query({ orgId: o.orgId });
    expect(verified).toMatchObject({ ok: true, broken: null });
    await g.db
      .updateTable('audit_log')
      .set({ after: JSON.stringify({ name: 'tampered' }) })
      .where('org_id', '=', o.orgId)
      .where('id', '=', e.id)
      .execute();
    const broken = await o.api.audit.verify.query({ orgId: o.orgId });
    expect(broken.broken).toMatchObject({ seq: e.seq, entryId: e.id, reason: 'hash_mismatch' });
    const { result: viewer } = await admin.apiClients.create.mutate({
      orgId: o.orgId,
      name: 'reader',
      roles: [{ role: 'org_user' }],
    });
    await expect(
      connect(viewer.key).audit.record.mutate({
        orgId: o.orgId,
        action: 'X',
        entityType: 'Flow',
        entityId: 'f',
      }),
    ).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });

  it('A3 A4 audit.record over HTTP: JSON lookalikes keep verify green; NUL and lone surrogates are 400 and change nothing', async () => {
    const o = await orgWithClient();
    // Raw JSON text, so escapes reach the server exactly as written.
    const record = (body: string) =>
      fetch(`${url}/trpc/audit.record`, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' },
        body,
      });
    const base = `"orgId":"${o.orgId}","action":"Flow Updated","entityType":"Flow"`;
    for (const state of ['"1"', '"{\\"a\\":1}"', '{"k":[1e400,-0]}']) {
      const res = await record(
        `{${base},"entityId":"flow_1","before":${state},"after":{"v":${state}}}`,
      );
      expect(res.status, state).toBe(200);
    }
    // Stored text is well-formed (the API's one text rule), inside JSON states as everywhere.
    for (const state of ['"\\u0000"', '"\\ud800"', '{"\\udc00":1}']) {
      const res = await record(`{${base},"entityId":"flow_2","before":${state}}`);
      expect(res.status, state).toBe(400);
    }
    for (const id of ['"flow\\u0000"', '"flow\\ud800"']) {
      const res = await record(`{${base},"entityId":${id}}`);
      expect(res.status, id).toBe(400);
    }
    const verified = await o.api.audit.verify.query({ orgId: o.orgId });
    expect(verified).toMatchObject({ ok: true, broken: null });
    const listed = await o.api.audit.list.query({ orgId: o.orgId, entityType: 'Flow' });
    expect(listed.items.map((i) => i.before).reverse()).toEqual(['1', '{"a":1}', { k: [null, 0] }]);
  });

  it('A2 the CSV export escapes commas, quotes and line breaks (RFC 4180) and matches audit.list', async () => {
    const o = await orgWithClient();
    const tricky = [
      'plain',
      'comma, here',
      'quote "inside"',
      'line\nbreak',
      'crlf\r\nend',
      'ünïcødé ✓',
    ];
    for (const [i, t] of tricky.entries()) {
      await o.api.audit.record.mutate({
        orgId: o.orgId,
        action: t,
        entityType: 'Flow',
        entityId: `flow_${i}`,
        after: { label: t },
      });
    }
    const res = await fetch(exportUrl({ orgId: o.orgId, format: 'csv', entityType: 'Flow' }), {
      headers: { authorization: `Bearer ${o.key}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    const body = rows.slice(1);
    expect(body.map((r) => r[AUDIT_CSV_COLUMNS.indexOf('action')])).toEqual(tricky);
    expect(body.map((r) => JSON.parse(r[AUDIT_CSV_COLUMNS.indexOf('after')]!).label)).toEqual(
      tricky,
    );
    const listed = await o.api.audit.list.query({ orgId: o.orgId, entityType: 'Flow' });
    expect(body.map((r) => r[AUDIT_CSV_COLUMNS.indexOf('hash')])).toEqual(
      listed.items.map((i) => i.hash).reverse(),
    );
    const nd = await fetch(exportUrl({ orgId: o.orgId, format: 'ndjson', entityType: 'Flow' }), {
      headers: { authorization: `Bearer ${o.key}` },
    });
    const lines = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.action)).toEqual(tricky);
  });

  it('A2 the export route answers 401, 400, 403 and 404 before streaming', async () => {
    const o = await orgWithClient();
    const other = await orgWithClient();
    const get = (params: Record<string, string>, key?: string) =>
      fetch(exportUrl(params), { headers: key ? { authorization: `Bearer ${key}` } : {} });
    expect((await get({ orgId: o.orgId })).status).toBe(401);
    expect((await get({ orgId: o.orgId }, 'nope')).status).toBe(401);
    expect((await get({ orgId: o.orgId, format: 'xml' }, o.key)).status).toBe(400);
    expect((await get({ orgId: other.orgId }, o.key)).status).toBe(404);
    const { result: weak } = await admin.apiClients.create.mutate({
      orgId: o.orgId,
      name: 'weak',
      roles: [{ role: 'org_user' }],
    });
    const denied = await get({ orgId: o.orgId }, weak.key);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: string }).error).toMatch(/audit\.read/);
  });

  it('A2 an export of 100k entries streams in constant memory (heap growth well under 50 MB)', async () => {
    const o = await orgWithClient('idnow', 'editor');
    const t0 = performance.now();
    const last = await appendSyntheticAudit(g.db, o.orgId, 100_000);
    const seedMs = performance.now() - t0;
    // PGlite runs in this thread: the long insert held the event loop, so keep-alive timers of
    // idle sockets are overdue. Let them fire before the next request picks a socket.
    await new Promise((r) => setTimeout(r, 100));
    for (const format of ['ndjson', 'csv'] as const) {
      gc();
      const base = process.memoryUsage().heapUsed;
      let peak = 0;
      let lines = 0;
      let chunks = 0;
      const started = performance.now();
      const res = await getOnce(exportUrl({ orgId: o.orgId, format }), o.key);
      expect(res.status).toBe(200);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const b of chunk) if (b === 10) lines++;
        if (++chunks % 50 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - base);
        }
      }
      const ms = performance.now() - started;
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      // ndjson: one line per entry; csv: a header line too (no field holds a line break here).
      expect(lines).toBe(last + (format === 'csv' ? 1 : 0));
      expect(peak).toBeLessThan(50 * 1024 * 1024);
      console.log(
        `[${backend.name}] export ${format}: ${last} entries in ${Math.round(ms)} ms, retained heap growth ≤ ${(peak / 1024 / 1024).toFixed(1)} MB (seeded in ${Math.round(seedMs)} ms)`,
      );
    }
    const v0 = performance.now();
    const v = await connect(o.key).audit.verify.query({ orgId: o.orgId });
    expect(v).toMatchObject({ ok: true, checked: last, toSeq: last });
    console.log(
      `[${backend.name}] verify: ${last} entries in ${Math.round(performance.now() - v0)} ms`,
    );
  }, 300_000);
});

/**
 * GET with the key, retried once when a reused keep-alive socket was reset under it (the
 * server closed it idle as the request went out: the race every HTTP client retries idempotent
 * requests on; seen in CI after the long in-thread seeding, even with the wait above).
 */
async function getOnce(url: string, key: string): Promise<Response> {
  const go = () => fetch(url, { headers: { authorization: `Bearer ${key}` } });
  try {
    return await go();
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw e;
    return go();
  }
}
