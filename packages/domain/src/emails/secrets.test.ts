/**
 * Issue 10 §4, no secret at rest: an invitation link's token is in no table at any time. The
 * queued email holds it sealed under the instance key; the delivered email carries a working
 * link; delivery, a final failure, a resend, a revoke and expiry erase the sealed copy. On PGlite
 * and PostgreSQL, scanning every column of every table.
 */
import { type Gatedb, sql } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import {
  acceptInvitation,
  createApiClient,
  createOrg,
  inviteMember,
  resendInvitation,
  revokeInvitation,
} from '../index.js';
import { instanceSecretKey, openSecret, sealSecret } from '../rules/index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin } from '../testing.js';
import { deliverDueEmails } from './deliver.js';
import type { ClaimedEmail, EmailTransport } from './outgoing.js';
import { readQueuedEmail } from './read.js';

const DAY = 86_400_000;
let seq = 0;
const email = (tag: string) => `${tag}-${++seq}@secrets.test`;
const LINK = /https:\/\/id\.acme\.test\/invitations\/accept\?token=([A-Za-z0-9_-]{43})/;

describe.each(testBackends())('one-time links at rest on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  let orgId: string;
  let caller: Caller;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, { publicUrl: 'https://id.acme.test' });
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      {
        name: 'Secrets',
        preset: 'idnow',
        owner: { email: email('owner') },
      },
    );
    const { result } = await createApiClient(
      { services: s, caller: admin, orgId: org.id },
      {
        name: 'backend',
        roles: [{ role: 'editor' }],
      },
    );
    orgId = org.id;
    caller = { principal: { kind: 'client', orgId, clientId: result.client.id }, source: 'api' };
  });
  afterAll(async () => {
    await g?.close();
  });

  /** Every table, every column, as text: where `needle` appears (`table` names). */
  async function tablesHolding(needle: string): Promise<string[]> {
    const { rows: tables } = await sql<{ name: string }>`
      select tablename as name from pg_tables where schemaname = current_schema()`.execute(g.db);
    const found: string[] = [];
    for (const { name } of tables) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.table(name)} t
         where strpos(t::text, ${needle}) > 0`.execute(g.db);
      if (rows[0]!.n > 0) found.push(name);
    }
    return found;
  }

  const emailsAbout = (invitationId: string) =>
    g.db
      .selectFrom('emails')
      .selectAll()
      .where('ref_id', '=', invitationId)
      .orderBy('created_at')
      .execute();

  /** Delivers every due email through a transport that keeps what it was handed. */
  async function deliver(fail?: (e: ClaimedEmail) => Error | null) {
    const sent: ClaimedEmail[] = [];
    const transport: EmailTransport = {
      kind: 'sent',
      async send(e) {
        const err = fail?.(e);
        if (err) throw err;
        sent.push(e);
      },
    };
    const round = await deliverDueEmails(g.db, transport, { maxAttempts: 2, retryBaseMs: 0 });
    return { sent, round };
  }

  it('invite: the token is in no table; the sent email has a working link; then nothing holds it', async () => {
    const { result: inv } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('ana') },
    );
    const [queued] = await emailsAbout(inv.id);
    expect(queued!.secret_box).toMatch(/^v1\.k_[0-9a-f]{12}\./);
    expect(queued!.text).toContain(`?token=[secret:${queued!.id}]`);
    expect(queued!.html).toContain(`?token=[secret:${queued!.id}]`);
    const token = LINK.exec((await readQueuedEmail(g.db, queued!.id))!.text)![1]!;
    expect(await tablesHolding(token)).toEqual([]);
    expect(await tablesHolding(queued!.secret_box!)).toEqual(['emails']); // the scan does find

    const { sent } = await deliver();
    const mail = sent.find((e) => e.refId === inv.id)!;
    expect(LINK.exec(mail.text)![1]).toBe(token);
    expect(mail.html).toContain(`href="https://id.acme.test/invitations/accept?token=${token}"`);
    const [done] = await emailsAbout(inv.id);
    expect(done).toMatchObject({ status: 'sent', secret_box: null });
    expect(done!.text).toContain('?token=[redacted]');
    expect(await readQueuedEmail(g.db, done!.id)).toBeNull();
    expect(await tablesHolding(token)).toEqual([]);
    await expect(acceptInvitation(s, { token })).resolves.toMatchObject({
      result: { invitation: { status: 'accepted' } },
    });
    expect(await tablesHolding(token)).toEqual([]);
  });

  it('resend and revoke erase the unsent copies; the resent link works, the old one is refused', async () => {
    const { result: inv } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('bo') },
    );
    const first = (await emailsAbout(inv.id))[0]!;
    const firstToken = LINK.exec((await readQueuedEmail(g.db, first.id))!.text)![1]!;
    await resendInvitation({ services: s, caller, orgId }, { invitationId: inv.id });
    const [cancelled, pending] = await emailsAbout(inv.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', secret_box: null });
    expect(cancelled!.text).toContain('?token=[redacted]');
    expect(pending!.secret_box).not.toBeNull();
    const { sent } = await deliver();
    const token = LINK.exec(sent.find((e) => e.refId === inv.id)!.text)![1]!;
    expect(await tablesHolding(firstToken)).toEqual([]);
    expect(await tablesHolding(token)).toEqual([]);
    await expect(acceptInvitation(s, { token: firstToken })).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(acceptInvitation(s, { token })).resolves.toBeDefined();

    const { result: other } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('cy') },
    );
    await revokeInvitation({ services: s, caller, orgId }, { invitationId: other.id });
    expect((await emailsAbout(other.id))[0]).toMatchObject({
      status: 'cancelled',
      secret_box: null,
    });
  });

  it('a final delivery failure erases the sealed copy; a retry keeps it', async () => {
    const { result: inv } = await inviteMember(
      { services: s, caller, orgId },
      { email: email('di') },
    );
    const refuse = (e: ClaimedEmail) => (e.refId === inv.id ? new Error('550 no such user') : null);
    await deliver(refuse);
    const [retrying] = await emailsAbout(inv.id);
    expect(retrying).toMatchObject({ status: 'pending', attempts: 1 });
    expect(retrying!.secret_box).not.toBeNull();
    await g.db
      .updateTable('emails')
      .set({ next_attempt_at: new Date(Date.now() - 1000) })
      .where('id', '=', retrying!.id)
      .execute();
    await deliver(refuse);
    const [failed] = await emailsAbout(inv.id);
    expect(failed).toMatchObject({ status: 'failed', secret_box: null, attempts: 2 });
    expect(failed!.text).toContain('?token=[redacted]');
  });

  it('an email still unsent when its link expires loses the sealed copy and fails', async () => {
    const past = createServices(g.db, {
      publicUrl: 'https://id.acme.test',
      now: () => new Date(Date.now() - 30 * DAY),
    });
    const { result: inv } = await inviteMember(
      { services: past, caller, orgId },
      { email: email('ed') },
    );
    const [queued] = await emailsAbout(inv.id);
    expect(new Date(queued!.secret_expires_at!).getTime()).toBeLessThan(Date.now());
    // Leased by a worker right now: left to it.
    await g.db
      .updateTable('emails')
      .set({ locked_until: new Date(Date.now() + 60_000) })
      .where('id', '=', queued!.id)
      .execute();
    await deliver();
    expect((await emailsAbout(inv.id))[0]!.secret_box).not.toBeNull();
    await g.db
      .updateTable('emails')
      .set({ locked_until: null })
      .where('id', '=', queued!.id)
      .execute();
    const { sent } = await deliver();
    expect(sent.some((e) => e.refId === inv.id)).toBe(false);
    const [expired] = await emailsAbout(inv.id);
    expect(expired).toMatchObject({ status: 'failed', secret_box: null });
    expect(expired!.last_error).toContain('expired');
  });

  it('a configured key: a box sealed under another key fails for good with a clear error', async () => {
    const keyA = 'configured-secret-key-A-0123456789abcdef';
    const keyB = 'configured-secret-key-B-0123456789abcdef';
    const withA = createServices(g.db, { publicUrl: 'https://id.acme.test', secretKey: keyA });
    const { result: inv } = await inviteMember(
      { services: withA, caller, orgId },
      { email: email('fa') },
    );
    const [queued] = await emailsAbout(inv.id);
    expect(await readQueuedEmail(g.db, queued!.id, { secretKey: keyA })).not.toBeNull();
    const errors: string[] = [];
    const round = await deliverDueEmails(
      g.db,
      {
        kind: 'sent',
        async send() {
          throw new Error('must not be sent');
        },
      },
      { secretKey: keyB, onError: (_e, err) => errors.push((err as Error).message) },
    );
    expect(round.failed).toBeGreaterThanOrEqual(1);
    expect(errors.join('\n')).toMatch(
      /cannot be decrypted: sealed under key k_\w+, not this instance's key k_\w+ \(did GATEHOUSE_SECRET_KEY change\?\)/,
    );
    expect((await emailsAbout(inv.id))[0]).toMatchObject({ status: 'failed', secret_box: null });
    await expect(instanceSecretKey(g.db, 'too short')).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('an email queued before 0012 with a plain link is delivered, then blanked like the rest', async () => {
    const token = 'L'.repeat(43);
    await g.db
      .insertInto('emails')
      .values({
        id: 'email_legacy1',
        org_id: orgId,
        to_address: 'legacy@secrets.test',
        subject: 'You are invited',
        text: `Accept: https://id.acme.test/invitations/accept?token=${token}`,
        html: `<a href="https://id.acme.test/invitations/accept?token=${token}">Accept</a>`,
        kind: 'invitation',
        ref_id: null,
        locked_until: null,
        sent_at: null,
        last_error: null,
      })
      .execute();
    const { sent } = await deliver();
    expect(sent.find((e) => e.id === 'email_legacy1')?.text).toContain(token);
    expect(await tablesHolding(token)).toEqual([]);
  });

  it('a box opens only under its key and for its row', async () => {
    const key = await instanceSecretKey(g.db, 'configured-secret-key-C-0123456789abcdef');
    const box = sealSecret(key, 'the token', 'email_1');
    expect(openSecret(key, box, 'email_1')).toBe('the token');
    expect(() => openSecret(key, box, 'email_2')).toThrow(/changed or belongs to another row/);
    const parts = box.split('.');
    // Flip one character (a fixed 'A' left a box starting with 'A' untouched, 1 run in 64).
    const first = parts[3]!.charAt(0);
    parts[3] = `${first === 'A' ? 'B' : 'A'}${parts[3]!.slice(1)}`;
    expect(() => openSecret(key, parts.join('.'), 'email_1')).toThrow();
    expect(box).not.toContain('the token');
  });
});
