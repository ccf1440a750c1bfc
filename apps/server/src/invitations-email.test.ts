/**
 * Invitations end to end (M1–M3): the real server sends the invitation over SMTP to a real SMTP
 * server started here (smtp-server), the test reads the link out of the received message and
 * accepts it through the SDK's public `invitations.accept`.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { createGatehouse, type Gatehouse } from '@gatehouse/sdk';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './server.js';
import { decodeQuotedPrintable, type Inbox, type Received, startInbox } from './testing/inbox.js';

/** The accept link in a received message (or, with `plain`, in a stored text body). */
function linkIn(message: Received, base: string, plain = false): { link: string; token: string } {
  const body = plain ? message.raw : decodeQuotedPrintable(message.raw);
  const escaped = base.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const m = new RegExp(`${escaped}/invitations/accept\\?token=([A-Za-z0-9_-]+)`).exec(body);
  if (!m) throw new Error(`no invitation link in the message:\n${message.raw}`);
  return { link: m[0], token: m[1]! };
}

/** The tables where `needle` appears in any column. */
async function tablesHolding(server: RunningServer, needle: string): Promise<string[]> {
  const db = server.gatedb.db;
  const { rows: tables } = await sql<{ name: string }>`
    select tablename as name from pg_tables where schemaname = current_schema()`.execute(db);
  const found: string[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(name)} t where strpos(t::text, ${needle}) > 0`.execute(
      db,
    );
    if (rows[0]!.n > 0) found.push(name);
  }
  return found;
}

const adminKey = `gh_admin_${randomBytes(24).toString('base64url')}`;

describe.each(testBackends())('invitation emails over SMTP on $name', (backend) => {
  let inbox: Inbox;
  let server: RunningServer;
  let drop: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  let admin: Gatehouse;
  let anonymous: Gatehouse;
  let orgId: string;
  let subtenantId: string;
  let client: Gatehouse;
  /** What the SMTP-mode server logs: never a link. */
  const logged: string[] = [];

  beforeAll(async () => {
    inbox = await startInbox();
    const fresh = backend.name === 'postgres' ? await backend.freshUrl!() : undefined;
    drop = fresh?.drop;
    databaseUrl = fresh?.url;
    server = await startServer(
      {
        host: '127.0.0.1',
        port: 0,
        databaseUrl: fresh?.url,
        dataDir: undefined,
        adminKey,
        seedDemo: false,
        logLevel: 'info',
        smtpUrl: inbox.url,
        emailDelivery: { pollMs: 100, retryBaseMs: 200 },
      },
      pino(
        { level: 'info' },
        new Writable({
          write(chunk, _enc, done) {
            logged.push(String(chunk));
            done();
          },
        }),
      ),
    );
    admin = createGatehouse({ url: server.url, apiKey: adminKey });
    anonymous = createGatehouse({ url: server.url });
    const org = await admin.api.orgs.create.mutate({
      name: 'Acme Console',
      preset: 'idv-console',
      owner: { email: 'owner@acme.test' },
    });
    orgId = org.result.id;
    const sub = await admin.api.scopes.create.mutate({
      orgId,
      kind: 'subtenant',
      name: 'Account Opening',
    });
    subtenantId = sub.result.id;
    const issued = await admin.api.apiClients.create.mutate({
      orgId,
      name: 'console backend',
      roles: [{ role: 'admin' }],
    });
    client = createGatehouse({ url: server.url, apiKey: issued.result.key });
  });

  /** The email row about an invitation, once the worker recorded it as sent. */
  async function sentRow(invitationId: string) {
    const until = Date.now() + 10_000;
    for (;;) {
      const row = await server.gatedb.db
        .selectFrom('emails')
        .selectAll()
        .where('ref_id', '=', invitationId)
        .where('status', '=', 'sent')
        .executeTakeFirst();
      if (row) return row;
      if (Date.now() > until) throw new Error(`email about ${invitationId} not recorded as sent`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  afterAll(async () => {
    await server?.close();
    await inbox?.close();
    await drop?.();
  });

  it('M1 M3 invite → email over SMTP → accept the link via the SDK → the role is effective at once', async () => {
    const invited = await client.api.invitations.invite.mutate({
      orgId,
      email: 'Ana@Example.test',
      scopeId: subtenantId,
      roles: [{ role: 'manager' }],
    });
    expect(invited.result).toMatchObject({ status: 'pending', scopeId: subtenantId });
    expect(JSON.stringify(invited)).not.toContain('token');
    const message = await inbox.waitFor('Ana@Example.test');
    expect(message.raw).toMatch(/^Subject: You are invited to join Acme Console/m);
    const { link, token } = linkIn(message, server.url);
    expect(link.startsWith(`${server.url}/invitations/accept?token=`)).toBe(true);

    const accepted = await anonymous.api.invitations.accept.mutate({ token, name: 'Ana' });
    expect(accepted.result).toMatchObject({ orgId, createdUser: true });
    const { userId } = accepted.result;
    const at = (scope: string) =>
      client.api.authz.check.query({
        orgId,
        subject: userId,
        permission: 'members.invite',
        scope,
        minRevision: accepted.revision,
      });
    expect((await at(subtenantId)).result.allowed).toBe(true);
    expect((await at(orgId)).result.allowed).toBe(false);

    const listed = await client.api.invitations.list.query({ orgId, status: 'accepted' });
    expect(listed.items.map((i) => i.id)).toEqual([invited.result.id]);
    // The delivered copy in the outbox keeps no usable link, and no table holds the token.
    const row = await sentRow(invited.result.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, secret_box: null });
    expect(row.text).toContain('?token=[redacted]');
    expect(await tablesHolding(server, token)).toEqual([]);
    expect(logged.join('')).not.toContain(token);
  });

  it('M2 M3 a resent link kills the old one; a used link is refused', async () => {
    const to = 'bob@example.test';
    const invited = await client.api.invitations.invite.mutate({ orgId, email: to });
    const first = linkIn(await inbox.waitFor(to, 1), server.url).token;
    await client.api.invitations.resend.mutate({ orgId, invitationId: invited.result.id });
    const second = linkIn(await inbox.waitFor(to, 2), server.url).token;
    expect(second).not.toBe(first);

    await expect(anonymous.api.invitations.accept.mutate({ token: first })).rejects.toMatchObject({
      message: expect.stringContaining('replaced by a newer one'),
      data: { code: 'BAD_REQUEST', domainCode: 'INVALID' },
    });
    const ok = await anonymous.api.invitations.accept.mutate({ token: second });
    const check = await client.api.authz.check.query({
      orgId,
      subject: ok.result.userId,
      permission: 'workflows.read',
      scope: orgId,
      minRevision: ok.revision,
    });
    expect(check.result.allowed).toBe(true); // the preset's default role, Default (seed 002)
    await expect(anonymous.api.invitations.accept.mutate({ token: second })).rejects.toMatchObject({
      message: expect.stringContaining('already been used'),
      data: { code: 'BAD_REQUEST' },
    });
    await expect(
      anonymous.api.invitations.accept.mutate({ token: 'A'.repeat(43) }),
    ).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });

  it('M2 an expired link is refused with a clear error', async () => {
    // About 0.9 s: the org's own invitation lifetime setting.
    await client.api.orgs.update.mutate({ orgId, settings: { invitationTtlDays: 0.00001 } });
    const to = 'carol@example.test';
    const invited = await client.api.invitations.invite.mutate({ orgId, email: to });
    const { token } = linkIn(await inbox.waitFor(to), server.url);
    const wait = Date.parse(invited.result.expiresAt) - Date.now() + 50;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await expect(anonymous.api.invitations.accept.mutate({ token })).rejects.toMatchObject({
      message: expect.stringContaining('this invitation link has expired'),
      data: { code: 'BAD_REQUEST' },
    });
    const expired = await client.api.invitations.list.query({ orgId, status: 'expired' });
    expect(expired.items.map((i) => i.id)).toContain(invited.result.id);
    await client.api.orgs.update.mutate({ orgId, settings: { invitationTtlDays: null } });
  });

  it('a refused delivery is retried with backoff and the error is recorded', async () => {
    const to = 'dave@example.test';
    inbox.refuseOnce.add(to);
    const invited = await client.api.invitations.invite.mutate({ orgId, email: to });
    await inbox.waitFor(to);
    const row = await sentRow(invited.result.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(inbox.messages.filter((m) => m.to.includes(to))).toHaveLength(1);
    // The refusal is kept as the history of the failed attempt.
    expect(row.last_error).toContain('mailbox busy');
  });

  it.runIf(backend.name === 'postgres')(
    'two server processes on one database send each email exactly once',
    async () => {
      const second = await startServer({
        host: '127.0.0.1',
        port: 0,
        databaseUrl,
        dataDir: undefined,
        adminKey,
        seedDemo: false,
        logLevel: 'silent',
        smtpUrl: inbox.url,
        emailDelivery: { pollMs: 100 },
      });
      try {
        const other = createGatehouse({ url: second.url, apiKey: adminKey });
        const to = Array.from({ length: 12 }, (_, i) => `crowd${i}@example.test`);
        // Writes through both processes: both workers wake on every NOTIFY and race for rows.
        await Promise.all(
          to.map((email, i) =>
            (i % 2 ? other : client).api.invitations.invite.mutate({ orgId, email }),
          ),
        );
        for (const address of to) await inbox.waitFor(address);
        await new Promise((r) => setTimeout(r, 500));
        for (const address of to) {
          expect(inbox.messages.filter((m) => m.to.includes(address))).toHaveLength(1);
        }
      } finally {
        await second.close();
      }
    },
  );

  it('without SMTP_URL the email goes to the log with its link (development only, said at start); the table keeps no link', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const fresh = backend.name === 'postgres' ? await backend.freshUrl!() : undefined;
    const logOnly = await startServer(
      {
        host: '127.0.0.1',
        port: 0,
        databaseUrl: fresh?.url,
        dataDir: undefined,
        adminKey,
        seedDemo: false,
        logLevel: 'info',
        publicUrl: 'https://id.acme.test',
        emailDelivery: { pollMs: 100 },
      },
      pino({ level: 'info' }, sink),
    );
    try {
      expect(logOnly.emails.mode).toBe('log');
      const gh = createGatehouse({ url: logOnly.url, apiKey: adminKey });
      const org = await gh.api.orgs.create.mutate({ name: 'Local', preset: 'idnow' });
      const invited = await gh.api.invitations.invite.mutate({
        orgId: org.result.id,
        email: 'erin@example.test',
      });
      const until = Date.now() + 10_000;
      let row: { status: string; text: string } | undefined;
      while (Date.now() < until) {
        row = await logOnly.gatedb.db
          .selectFrom('emails')
          .select(['status', 'text'])
          .where('ref_id', '=', invited.result.id)
          .executeTakeFirst();
        if (row?.status === 'logged') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(row?.status).toBe('logged');
      expect(row!.text).toContain('?token=[redacted]');
      const log = lines.join('');
      expect(log).toContain('SMTP_URL is not set');
      expect(log).toContain('For development only');
      const { token } = linkIn({ to: [], raw: log }, 'https://id.acme.test', true);
      expect(await tablesHolding(logOnly, token)).toEqual([]);
      const accepted = await createGatehouse({ url: logOnly.url }).api.invitations.accept.mutate({
        token,
      });
      expect(accepted.result.createdUser).toBe(true);
    } finally {
      await logOnly.close();
      await fresh?.drop();
    }
  });
});
