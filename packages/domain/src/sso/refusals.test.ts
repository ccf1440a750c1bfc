/**
 * Issue 13: refused SSO sign-ins are audited (`SignInRefused` on the connection's org, with the
 * reason and no secret), at most 20 per connection per minute; the next entry written says how
 * many were left out (`unrecordedBefore`). On PGlite and PostgreSQL.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrg,
  createSamlConnection,
  listAudit,
  recordSsoRefusal,
  SSO_REFUSALS_AUDITED_PER_MINUTE,
  startSsoTest,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin } from '../testing.js';

describe.each(testBackends())('refused SSO sign-ins audited on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  let clock = new Date('2030-01-01T00:00:00Z');
  let cert: string;

  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, { publicUrl: 'https://gatehouse.test', now: () => clock });
    cert = (await generate([{ name: 'commonName', value: 'IdP' }], { keySize: 2048 })).cert;
  });
  afterAll(async () => {
    await g?.close();
  });

  let n = 0;
  async function connection() {
    const tag = `${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const { result: o } = await createOrg(
      { services: s, caller: admin },
      { name: `Refusals ${tag}`, preset: 'flowcode', owner: { email: `o-${tag}@refused.test` } },
    );
    const call = { services: s, caller: admin, orgId: o.id };
    const { result: c } = await createSamlConnection(call, {
      name: 'IdP',
      idpEntityId: 'https://idp.refused.test',
      idpSsoUrl: 'https://idp.refused.test/sso',
      idpCertificates: [cert],
    });
    return { orgId: o.id, connectionId: c.id, call };
  }
  const refusals = async (orgId: string) =>
    (await listAudit({ services: s, caller: admin, orgId }, { limit: 200 })).items
      .filter((e) => e.action === 'SignInRefused')
      .reverse();

  it('writes SignInRefused on the org with the reason, as the connection, without secrets', async () => {
    const c = await connection();
    const blob = Buffer.from(
      '<samlp:Response>secret assertion</samlp:Response>'.repeat(3),
    ).toString('base64');
    const outcome = await recordSsoRefusal(s, {
      connectionId: c.connectionId,
      reason: `the identity provider's answer was refused: Invalid signature\n${blob}`,
      code: 'saml_refused',
      requestId: 'req-1',
    });
    expect(outcome).toBe('recorded');
    const [entry] = await refusals(c.orgId);
    expect(entry).toMatchObject({
      entityType: 'sso_connection',
      entityId: c.connectionId,
      source: 'sso',
      actorId: c.connectionId,
      after: {
        connectionId: c.connectionId,
        code: 'saml_refused',
        unrecordedBefore: 0,
        reason: expect.stringMatching(
          /^the identity provider's answer was refused: Invalid signature \[…\]$/,
        ),
      },
    });
    expect(JSON.stringify(entry)).not.toContain(blob.slice(0, 40));
  });

  it(`at most ${SSO_REFUSALS_AUDITED_PER_MINUTE} per connection per minute; the next entry says how many were left out`, async () => {
    const c = await connection();
    const other = await connection();
    const outcomes: string[] = [];
    for (let i = 0; i < SSO_REFUSALS_AUDITED_PER_MINUTE + 5; i++) {
      outcomes.push(
        await recordSsoRefusal(s, { connectionId: c.connectionId, reason: `forged ${i}` }),
      );
    }
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(SSO_REFUSALS_AUDITED_PER_MINUTE);
    expect(outcomes.slice(SSO_REFUSALS_AUDITED_PER_MINUTE)).toEqual(Array(5).fill('unrecorded'));
    expect(await refusals(c.orgId)).toHaveLength(SSO_REFUSALS_AUDITED_PER_MINUTE);
    // Another connection has its own budget.
    expect(await recordSsoRefusal(s, { connectionId: other.connectionId, reason: 'x' })).toBe(
      'recorded',
    );
    // Still within the minute: counted, not written.
    clock = new Date(clock.getTime() + 59_000);
    expect(await recordSsoRefusal(s, { connectionId: c.connectionId, reason: 'late' })).toBe(
      'unrecorded',
    );
    // The next minute: written, carrying the six left out; the one after carries none.
    clock = new Date(clock.getTime() + 2_000);
    await recordSsoRefusal(s, { connectionId: c.connectionId, reason: 'next minute' });
    await recordSsoRefusal(s, { connectionId: c.connectionId, reason: 'and again' });
    const all = await refusals(c.orgId);
    expect(all.slice(-2).map((e) => e.after)).toEqual([
      expect.objectContaining({ reason: 'next minute', unrecordedBefore: 6 }),
      expect.objectContaining({ reason: 'and again', unrecordedBefore: 0 }),
    ]);
  });

  it('answers naming no known connection or a dry run record nothing', async () => {
    const c = await connection();
    expect(await recordSsoRefusal(s, { connectionId: 'ssoc_nobody', reason: 'x' })).toBe(
      'unknown_connection',
    );
    expect(await recordSsoRefusal(s, { connectionId: "ssoc_'; drop", reason: 'x' })).toBe(
      'unknown_connection',
    );
    expect(await recordSsoRefusal(s, { state: 'not a known state', reason: 'x' })).toBe(
      'unknown_connection',
    );
    const { ticket } = await startSsoTest(c.call, { connectionId: c.connectionId });
    expect(await recordSsoRefusal(s, { state: ticket, reason: 'x' })).toBe('unknown_connection');
    expect(await refusals(c.orgId)).toEqual([]);
  });
});
