import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatedb } from './create-db.js';
import { isId, newId } from './ids.js';
import { testBackends } from './testing.js';

describe.each(testBackends())('storage on $name', (backend) => {
  let g: Gatedb;
  beforeAll(async () => {
    g = await backend.open();
  }, 60_000);
  afterAll(async () => {
    await g?.close();
  });

  it('migrates and round-trips an org with its root scope, arrays, json and dates', async () => {
    const orgId = newId('org');
    await g.db
      .insertInto('orgs')
      .values({
        id: orgId,
        slug: `acme-${orgId.slice(-6)}`,
        name: 'Acme',
        description: null,
        avatar_url: null,
        preset: 'idnow',
        settings: JSON.stringify({ invitationDays: 7 }),
        updated_at: new Date(),
      })
      .execute();
    await g.db
      .insertInto('scopes')
      .values({
        org_id: orgId,
        id: orgId,
        parent_id: null,
        kind: 'organization',
        name: 'Acme',
        description: null,
      })
      .execute();
    await g.db
      .insertInto('roles')
      .values({
        org_id: orgId,
        key: 'auditor',
        name: 'Auditor',
        description: null,
        permissions: ['audit.read', 'org.read'],
        slot: null,
        scope_kinds: null,
        updated_at: new Date(),
      })
      .execute();
    const org = await g.db
      .selectFrom('orgs')
      .selectAll()
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    expect(org.settings).toEqual({ invitationDays: 7 });
    expect(org.revision).toBe(1);
    expect(org.created_at).toBeInstanceOf(Date);
    const role = await g.db
      .selectFrom('roles')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    expect(role.permissions).toEqual(['audit.read', 'org.read']);
    expect(role.scope_kinds).toBeNull();
  });

  it('rejects a duplicate assignment (same subject, role, scope, environment) with 23505', async () => {
    const orgId = newId('org');
    await g.db
      .insertInto('orgs')
      .values({
        id: orgId,
        slug: orgId,
        name: 'X',
        description: null,
        avatar_url: null,
        preset: 'idnow',
        settings: '{}',
        updated_at: new Date(),
      })
      .execute();
    await g.db
      .insertInto('scopes')
      .values({
        org_id: orgId,
        id: orgId,
        parent_id: null,
        kind: 'organization',
        name: 'X',
        description: null,
      })
      .execute();
    const row = {
      org_id: orgId,
      subject_id: 'usr_1',
      subject_type: 'user' as const,
      role_key: 'viewer',
      scope_id: orgId,
      environment: null,
    };
    await g.db
      .insertInto('assignments')
      .values({ ...row, id: newId('assignment') })
      .execute();
    await expect(
      g.db
        .insertInto('assignments')
        .values({ ...row, id: newId('assignment') })
        .execute(),
    ).rejects.toMatchObject({ code: '23505' });
    await g.db
      .insertInto('assignments')
      .values({ ...row, id: newId('assignment'), environment: 'live' })
      .execute();
  });

  it('rolls back a failed transaction completely', async () => {
    const orgId = newId('org');
    await expect(
      g.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('orgs')
          .values({
            id: orgId,
            slug: orgId,
            name: 'Y',
            description: null,
            avatar_url: null,
            preset: 'idnow',
            settings: '{}',
            updated_at: new Date(),
          })
          .execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const found = await g.db.selectFrom('orgs').select('id').where('id', '=', orgId).execute();
    expect(found).toEqual([]);
  });

  it('delivers NOTIFY to a listener', async () => {
    const got: string[] = [];
    const stop = await g.listen('gh_test_channel', (p) => got.push(p));
    await sql`select pg_notify('gh_test_channel', 'hello')`.execute(g.db);
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(got).toEqual(['hello']);
  });
});

describe.runIf(process.env.DATABASE_URL)('LISTEN on PostgreSQL', () => {
  // Regression: a LISTEN connection ended by the server (restart, failover, idle timeout) had no
  // 'error' listener, which crashed the process, and was never re-established.
  it('C6 survives the server ending its connection, reports missed notices and listens again', async () => {
    const backend = testBackends().find((b) => b.name === 'postgres')!;
    const g = await backend.open();
    try {
      const got: string[] = [];
      const stop = await g.listen('gh_resilient', (p) => got.push(p));
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
                 where query ilike 'LISTEN%' and datname = current_database()`.execute(g.db);
      const until = Date.now() + 10_000;
      while (Date.now() < until && !got.includes('after')) {
        await sql`select pg_notify('gh_resilient', 'after')`.execute(g.db);
        await new Promise((r) => setTimeout(r, 100));
      }
      await stop();
      expect(got).toContain('*');
      expect(got).toContain('after');
    } finally {
      await g.close();
    }
  });
});

describe('ids', () => {
  it('are prefixed and sort by creation time', async () => {
    const a = newId('user');
    await new Promise((r) => setTimeout(r, 5));
    const b = newId('user');
    expect(isId('user', a)).toBe(true);
    expect(isId('org', a)).toBe(false);
    expect(a < b).toBe(true);
    expect(a).toMatch(/^usr_[0-9a-z]{26}$/);
  });

  it('never repeat a random tail across many pool refills, and use every tail character', () => {
    // 3,000 ids in one millisecond-ish span: the pool (256 ids) is refilled about 12 times.
    const tails = Array.from({ length: 3000 }, () => newId('audit').slice(-16));
    expect(new Set(tails).size).toBe(tails.length);
    const seen = new Set(tails.join(''));
    expect(seen.size).toBe(32);
  });
});
