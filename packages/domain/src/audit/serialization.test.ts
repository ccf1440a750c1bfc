/**
 * Issue 10 §3: ordinary use cannot break the audit chain. Product events (`audit.record`) with
 * any JSON values, including strings that look like numbers or JSON, NUL, lone surrogates and
 * keys JavaScript orders specially, are stored as one canonical text, hashed exactly as stored,
 * and `audit verify` stays green after each; text fields PostgreSQL cannot hold are INVALID
 * before anything is written. Entries written before migration 0011 (jsonb, hash version 1)
 * still verify, and the chain continues after them. Through the real domain, on every backend.
 */
import { type DB, type Gatedb, migrateToLatest, sql } from '@gatehouse/db';
import { migrateTo, testBackends } from '@gatehouse/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import { createApiClient, createOrg, recordAuditEvent, verifyAuditChain } from '../index.js';
import { canonicalJson, MAX_JSON_DEPTH } from '../rules/index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin } from '../testing.js';
import { entryHash, GENESIS_HASH } from './append.js';

const KEY = 'test-audit-signing-key-0123456789abcdef';

/** One character of a string: any code point, a lone surrogate, or one of the usual suspects. */
const char = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map(String.fromCharCode) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('\u0000', '"', '\\', '\n', '\u2028', '\ufeff', 'e\u0301', '😀'),
  },
);
/** Strings that look like something else. */
const lookalike = fc.oneof(
  fc.constantFrom('1', '-0', '0.1', '1e400', '1E+2', 'NaN', 'true', 'null', '"x"', ' 1 ', ''),
  fc.json(),
  fc.double().map(String),
  fc.string({ unit: char, maxLength: 12 }),
);
/** Keys JavaScript enumerates in a special order, or that mean something to objects. */
const key = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', '10', '9', '01', '-1', '', 'b', 'a', 'B', '\u0000'),
  fc.string({ unit: char, maxLength: 6 }),
);
const value = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ stringUnit: char, maxDepth: 3 }),
    lookalike,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(tie('any'), { maxLength: 4 }),
    fc
      .array(fc.tuple(key, tie('any')), { maxLength: 5 })
      .map((entries) => Object.fromEntries(entries)),
  ),
})).any;

/** What a JSON round trip makes of a value (-0 is 0); what a reader gets back. */
const asJson = (v: unknown) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

describe.each(testBackends())('audit serialization on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, { auditSigningKey: KEY });
  });
  afterAll(async () => {
    await g?.close();
  });

  async function org(name: string) {
    const { result: o } = await createOrg(
      { services: s, caller: admin },
      {
        name,
        preset: 'flowcode',
        owner: { email: `owner-${Math.random()}@serial.test` },
      },
    );
    const { result: c } = await createApiClient(
      { services: s, caller: admin, orgId: o.id },
      {
        name: 'Product',
        roles: [{ role: 'org_admin' }],
      },
    );
    const caller: Caller = {
      principal: { kind: 'client', orgId: o.id, clientId: c.client.id },
      source: 'api',
    };
    return { orgId: o.id, caller, call: { services: s, caller, orgId: o.id } };
  }

  it('property: any JSON before/after is stored as its canonical text, reads back, and verify stays green', async () => {
    const o = await org('Serial Co');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(value, fc.option(value, { nil: undefined }), async (after, before) => {
        n++;
        const entry = await recordAuditEvent(o.call, {
          action: 'Flow Updated',
          entityType: 'Flow',
          entityId: `flow_${n}`,
          before,
          after,
        });
        expect(entry.after).toEqual(asJson(after));
        expect(entry.before).toEqual(asJson(before));
        const row = await g.db
          .selectFrom('audit_log')
          .select(['before', 'after', 'hash', 'prev_hash', 'hash_version'])
          .where('org_id', '=', o.orgId)
          .where('id', '=', entry.id)
          .executeTakeFirstOrThrow();
        expect(row.hash_version).toBe(2);
        expect(row.after).toBe(after === null ? null : canonicalJson(after));
        expect(row.before).toBe(before == null ? null : canonicalJson(before));
        const v = await verifyAuditChain(o.call);
        expect(v.broken).toBeNull();
        expect(v.headHash).toBe(row.hash);
      }),
      { numRuns: 120 },
    );
  });

  it('strings that look like numbers or JSON are kept as strings, at the top level too', async () => {
    const o = await org('Lookalike Co');
    for (const v of ['1', '{"a":1}', '[1,2]', 'null', 'true', '"quoted"', '1e400', '\u0000']) {
      const e = await recordAuditEvent(o.call, {
        action: 'Flow Renamed',
        entityType: 'Flow',
        entityId: 'flow_1',
        before: v,
        after: { v, n: 1e21, tiny: 5e-324, neg: -0, [v]: v },
      });
      expect(e.before).toBe(v);
      expect(e.after).toEqual({ v, n: 1e21, tiny: 5e-324, neg: 0, [v]: v });
    }
    expect((await verifyAuditChain(o.call)).ok).toBe(true);
  });

  it('NUL or a lone surrogate in a text field, a bigint or absurd nesting: INVALID, nothing written', async () => {
    const o = await org('Invalid Co');
    const seqBefore = (await verifyAuditChain(o.call)).toSeq;
    let deep: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) deep = [deep];
    const bad = [
      { entityId: 'flow\u0000' },
      { action: 'Created\ud800' },
      { entityType: '\udc00Flow' },
      { after: { n: 1n } },
      { after: deep },
    ];
    for (const b of bad) {
      await expect(
        recordAuditEvent(o.call, {
          action: 'Created',
          entityType: 'Flow',
          entityId: 'flow_1',
          ...b,
        }),
      ).rejects.toMatchObject({ code: 'INVALID' });
    }
    const v = await verifyAuditChain(o.call);
    expect(v).toMatchObject({ ok: true, toSeq: seqBefore });
  });
});

describe.each(testBackends())('audit entries from before migration 0011 on $name', (backend) => {
  let g: Gatedb;
  beforeAll(async () => {
    g = await backend.open({ migrate: false });
    await migrateTo(g.db as never, '0010_member_last_login');
  });
  afterAll(async () => {
    await g?.close();
  });

  /** Appends an entry as the code before 0011 did: JSON text into jsonb, hash of the parsed value. */
  async function legacyEntry(db: DB, orgId: string, seq: number, prev: string, after: unknown) {
    const row = {
      org_id: orgId,
      seq,
      id: `aud_legacy${seq}`,
      at: new Date(Date.UTC(2030, 0, 1, 0, 0, seq)),
      actor_id: 'system',
      actor_label: null,
      on_behalf_of: null,
      action: 'Flow Updated',
      entity_type: 'Flow',
      entity_id: `flow_${seq}`,
      scope_id: orgId,
      before: seq % 2 ? null : JSON.stringify({ z: 1, a: [seq] }),
      after: JSON.stringify(after),
      source: 'api',
      request_id: null,
      revision: 1,
      hash_version: 1,
    };
    const hash = entryHash(prev, row);
    const { hash_version: _, ...stored } = row;
    await sql`insert into audit_log (org_id, seq, id, at, actor_id, actor_label, on_behalf_of,
        action, entity_type, entity_id, scope_id, before, after, source, request_id, revision,
        prev_hash, hash)
      values (${stored.org_id}, ${seq}, ${stored.id}, ${stored.at}, 'system', null, null,
        ${stored.action}, 'Flow', ${stored.entity_id}, ${orgId}, ${stored.before}::jsonb,
        ${stored.after}::jsonb, 'api', null, 1, ${prev}, ${hash})`.execute(db);
    return hash;
  }

  it('jsonb entries (reordered, renumbered by PostgreSQL) verify after the migration; the chain continues', async () => {
    const orgId = 'org_legacy1';
    await sql`insert into orgs (id, slug, name, preset, revision, audit_seq)
      values (${orgId}, 'legacy', 'Legacy', 'flowcode', 1, 0)`.execute(g.db);
    await sql`insert into scopes (org_id, id, parent_id, kind, name)
      values (${orgId}, ${orgId}, null, 'organization', 'Legacy')`.execute(g.db);
    const values: unknown[] = [
      { b: 1, a: { d: [3, 2, 1], c: null } },
      { big: 1e21, small: 1.5e-7, exact: 0.1, long: 123456789.12345679, neg: -0 },
      { unicode: 'é😀\u2028', escaped: 'a"b\\c\n', keyOrder: { bb: 1, a: 2, ccc: 3 } },
      '1',
      '{"looks":"like json"}',
      [1, 'two', { three: 3 }],
      42,
    ];
    let prev = GENESIS_HASH;
    for (const [i, v] of values.entries()) prev = await legacyEntry(g.db, orgId, i + 1, prev, v);
    await sql`update orgs set audit_seq = ${values.length} where id = ${orgId}`.execute(g.db);

    await migrateTo(g.db as never, '0011_audit_canonical_text');
    // Today's code runs on today's schema; the migrations after 0011 leave audit_log alone.
    await migrateToLatest(g.db as never);
    const s = createServices(g.db, { auditSigningKey: KEY });
    const v1 = await verifyAuditChain({ services: s, caller: admin, orgId });
    expect(v1).toMatchObject({ ok: true, checked: values.length, headHash: prev });
    const e = await recordAuditEvent(
      { services: s, caller: admin, orgId },
      {
        action: 'Flow Updated',
        entityType: 'Flow',
        entityId: 'flow_new',
        after: { 10: 'ten', 9: 'nine', s: '\ud800' },
      },
    );
    expect(e.prevHash).toBe(prev);
    const v2 = await verifyAuditChain({ services: s, caller: admin, orgId });
    expect(v2).toMatchObject({ ok: true, checked: values.length + 1, headHash: e.hash });
  });
});
