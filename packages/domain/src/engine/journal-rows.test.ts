/**
 * Issue 15: migration 0026's `journal_rows` (one scan of the journal, then only the kinds of rows
 * that changed) returns what migration 0025's did, on both backends: the same keys, mark and rows
 * for a catch-up from the start, from a revision, after a mark, over the limit, and with an `org`
 * key (no rows: a full load).
 */
import { type Gatedb, type Kysely, sql } from '@gatehouse/db';
import { migrateTo, testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inOrg } from '../call.js';
import type { Caller } from '../context.js';
import { createOrg } from '../orgs/index.js';
import { createDirectoryGroup, createScimToken, provisionDirectoryUser } from '../scim/index.js';
import { createServices, type Services } from '../services.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };

/** The calls compared: (since, limit, after); `rev` is the org's revision, `seq` a mid mark. */
const CALLS = (rev: number, seq: number) =>
  [
    [0, 20_000, null],
    [0, 3, null],
    [rev, 20_000, null],
    [rev - 1, 20_000, seq],
    [0, 20_000, seq],
    [rev + 1, 20_000, null],
  ] as const;

/** A `journal_rows` row with its lists in a fixed order (the functions do not promise one). */
function normalized(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const parsed = typeof v === 'string' && k !== 'mark' ? JSON.parse(v) : v;
    out[k] = Array.isArray(parsed)
      ? parsed.map((x) => JSON.stringify(x)).sort()
      : k === 'mark' && parsed !== null
        ? Number(parsed)
        : parsed;
  }
  return out;
}

describe.each(testBackends())('journal_rows of migration 0026 on $name (issue 15)', (backend) => {
  let g: Gatedb;
  let s: Services;
  let orgId: string;
  let db: Kysely<unknown>;
  beforeAll(async () => {
    g = await backend.open();
    db = g.db as unknown as Kysely<unknown>;
    s = createServices(g.db);
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      { name: 'Journal rows', preset: 'flowcode', owner: { email: 'owner@jr.example' } },
    );
    orgId = org.id;
    const { result: issued } = await createScimToken(
      { services: s, caller: admin, orgId },
      { name: 'IdP' },
    );
    const scim: Caller = {
      principal: { kind: 'scim', orgId, tokenId: issued.scimToken.id },
      source: 'scim',
    };
    const users: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { result } = await provisionDirectoryUser(inOrg({ services: s, caller: scim }, orgId), {
        userName: `jr${i}@jr.example`,
        externalId: null,
        email: `jr${i}@jr.example`,
        name: null,
        active: i !== 2,
        doc: { userName: `jr${i}@jr.example` },
      });
      users.push(result.userId);
    }
    await createDirectoryGroup(inOrg({ services: s, caller: scim }, orgId), {
      displayName: 'Readers',
      externalId: null,
      userIds: users.slice(0, 3),
    });
  });
  afterAll(async () => {
    await g?.close();
  });

  /** Every compared call's result, normalized. */
  async function results(): Promise<Record<string, unknown>[]> {
    const { rows } = await sql<{ revision: number; seq: number }>`
      select o.revision, (select min(seq) + (max(seq) - min(seq)) / 2 from snapshot_changes
                           where org_id = o.id) as seq
        from orgs o where o.id = ${orgId}`.execute(db);
    const rev = Number(rows[0]!.revision);
    const seq = Number(rows[0]!.seq);
    const out: Record<string, unknown>[] = [];
    for (const [since, limit, after] of CALLS(rev, seq)) {
      const { rows: r } = await sql<Record<string, unknown>>`
        select * from journal_rows(${orgId}, ${since}, ${limit}, ${after}::bigint)`.execute(db);
      expect(r).toHaveLength(1);
      out.push({ since, limit, after, ...normalized(r[0]!) });
    }
    return out;
  }

  it('returns what migration 0025 returned, with rows of every kind that changed', async () => {
    const now = await results();
    // From the start: the org's scopes, members, group, memberships, assignments, and a mark.
    const all = now[0]!;
    for (const kind of ['scope', 'member', 'group', 'membership', 'assignment']) {
      expect((all[kind] as unknown[] | null)?.length, kind).toBeGreaterThan(0);
    }
    expect(all.mark).toEqual(expect.any(Number));
    // Over the limit: 4 keys listed, no rows, the mark of every entry.
    expect(now[1]).toMatchObject({ member: null, assignment: null, mark: all.mark });
    expect(now[1]!.changes).toHaveLength(4);
    // Nothing after the revision: no keys, no mark.
    expect(now[5]).toMatchObject({ changes: [], mark: null, member: null });
    await migrateTo(db, '0025_journal_seq');
    try {
      expect(await results()).toEqual(now);
    } finally {
      await migrateTo(db, '0027_journal_key_lookups');
    }
  });

  it('an org key (a preset change) returns the keys and mark but no rows, as before', async () => {
    await sql`
      insert into snapshot_changes (org_id, revision, entity, key)
      select id, revision, 'org', id from orgs where id = ${orgId}`.execute(db);
    const now = await results();
    expect(now[0]).toMatchObject({ scope: null, member: null, assignment: null });
    expect(now[0]!.changes).toContain(JSON.stringify({ entity: 'org', key: orgId }));
    await migrateTo(db, '0025_journal_seq');
    try {
      expect(await results()).toEqual(now);
    } finally {
      await migrateTo(db, '0027_journal_key_lookups');
    }
  });
});
