/**
 * C6 across processes: two `node apps/server/dist/main.js` processes on one PostgreSQL database.
 * A write through process A reaches process B's cached engine through LISTEN/NOTIFY (no
 * minRevision needed, within a few seconds), and with the write's minRevision B answers right on
 * the first try. Both processes stop cleanly on SIGTERM.
 *
 * Needs `DATABASE_URL` (run under `scripts/with-postgres.sh`): PGlite lives inside one process,
 * so there is nothing to share between two.
 */
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import { createGatehouse, type Gatehouse } from '@gatehouse/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { email, failure, newAdminKey } from './harness.js';
import { type ServerProcess, startProcess } from './server-process.js';

const DATABASE_URL = process.env.DATABASE_URL;

/** Polls `probe` until it returns true; resolves with the time it took, or throws after `ms`. */
async function eventually(probe: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not reflected within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('C6 LISTEN/NOTIFY between two server processes on one PostgreSQL database', () => {
  if (!DATABASE_URL) {
    it.skip('C6: needs DATABASE_URL (run under scripts/with-postgres.sh): two processes can only share a PostgreSQL server, PGlite lives inside one process', () => {});
    return;
  }

  const adminKey = newAdminKey();
  let db: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  let viaA: Gatehouse;
  let viaB: Gatehouse;
  let orgId: string;
  let userId: string;
  let env: Record<string, string>;
  let clientKey: string;
  /** A third process, started by the LISTEN-loss test only. */
  let c: ServerProcess | undefined;

  beforeAll(async () => {
    db = await freshPostgresDatabase(DATABASE_URL);
    env = {
      GATEHOUSE_ADMIN_KEY: adminKey,
      DATABASE_URL: db.url,
      GATEHOUSE_DATA_DIR: 'memory',
    };
    // Both at once, on a fresh database: both run the migrations on start-up.
    [a, b] = await Promise.all([startProcess('A', env), startProcess('B', env)]);
    const admin = createGatehouse({ url: a.url, apiKey: adminKey });
    const org = await admin.api.orgs.create.mutate({
      name: 'Two processes',
      preset: 'idnow',
      owner: { email: email('owner') },
    });
    orgId = org.result.id;
    const issued = await admin.api.apiClients.create.mutate({
      orgId,
      name: 'shared',
      roles: [{ role: 'editor' }],
    });
    clientKey = issued.result.key;
    viaA = createGatehouse({ url: a.url, apiKey: issued.result.key });
    viaB = createGatehouse({ url: b.url, apiKey: issued.result.key });
    userId = (await viaA.api.members.add.mutate({ orgId, email: email('member') })).result.userId;
  }, 120_000);

  afterAll(async () => {
    for (const p of [a, b, c]) {
      if (p && p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await db?.drop();
  });

  const can = async (gh: Gatehouse, permission: string, minRevision?: number) =>
    (
      await gh.api.authz.check.query({
        orgId,
        subject: userId,
        permission,
        scope: orgId,
        minRevision,
      })
    ).result.allowed;

  it('X2: both processes listen on their own port and share the database', () => {
    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(b.url).not.toBe(a.url);
    expect(a.output()).toContain('database: PostgreSQL (DATABASE_URL)');
  });

  it("C6: a write through A reaches B's warm engine cache by NOTIFY, without minRevision", async () => {
    // Warm both caches at the current revision.
    expect(await can(viaA, 'flows.write')).toBe(false);
    expect(await can(viaB, 'flows.write')).toBe(false);
    await viaA.api.members.setRoles.mutate({ orgId, userId, roles: [{ role: 'editor' }] });
    const tookB = await eventually(() => can(viaB, 'flows.write'), 5_000);
    expect(tookB).toBeLessThan(5_000);
    // And the other way round: a write through B reaches A.
    expect(await can(viaA, 'apiClients.manage')).toBe(true);
    await viaB.api.members.setRoles.mutate({ orgId, userId, roles: [{ role: 'viewer' }] });
    await eventually(async () => !(await can(viaA, 'flows.write')), 5_000);
  });

  it('S4 issue 15: a SCIM token revoked through A is refused by B, whose cache held it, by NOTIFY', async () => {
    const admin = createGatehouse({ url: a.url, apiKey: adminKey });
    const { result: issued } = await admin.api.scimTokens.create.mutate({ orgId, name: 'IdP' });
    const users = (url: string) =>
      fetch(`${url}/scim/v2/Users?count=1`, {
        headers: { authorization: `Bearer ${issued.token}` },
      }).then((r) => r.status);
    // Verified (and cached) by both processes.
    expect(await users(a.url)).toBe(200);
    expect(await users(b.url)).toBe(200);
    expect(await users(b.url)).toBe(200);
    await admin.api.scimTokens.revoke.mutate({ orgId, tokenId: issued.scimToken.id });
    expect(await users(a.url)).toBe(401);
    await eventually(async () => (await users(b.url)) === 401, 5_000);
  });

  it("C6: with the write's minRevision, B answers right on the very first try", async () => {
    for (const [role, allowed] of [
      ['developer', true],
      ['viewer', false],
      ['editor', true],
    ] as const) {
      const { revision } = await viaA.api.members.setRoles.mutate({
        orgId,
        userId,
        roles: [{ role }],
      });
      const { revision: seen, result } = await viaB.api.authz.check.query({
        orgId,
        subject: userId,
        permission: 'webhooks.manage',
        scope: orgId,
        minRevision: revision,
      });
      expect(seen).toBeGreaterThanOrEqual(revision);
      expect(result.allowed, role).toBe(allowed);
    }
    // A revision nobody has written yet is refused by both, not waited for.
    const { revision } = await viaA.api.orgs.get.query({ orgId });
    expect(
      await failure(
        viaB.api.authz.check.query({
          orgId,
          subject: userId,
          permission: 'flows.read',
          scope: orgId,
          minRevision: revision + 10,
        }),
      ),
    ).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  // Regression: the LISTEN connection had no 'error' listener and no reconnect, so PostgreSQL
  // ending it (restart, failover, idle timeout) killed the server process.
  it('C6: a process that loses its LISTEN connection stays up and keeps hearing revisions', async () => {
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const listeners = async () =>
        (
          await admin.query<{ pid: number }>(
            "select pid from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'",
          )
        ).rows.map((r) => r.pid);
      const before = new Set(await listeners());
      c = await startProcess('C', env);
      const viaC = createGatehouse({ url: c.url, apiKey: clientKey });
      const warm = await can(viaC, 'flows.write');
      const own = (await listeners()).filter((pid) => !before.has(pid));
      expect(own.length).toBeGreaterThan(0);
      for (const pid of own) await admin.query('select pg_terminate_backend($1)', [pid]);
      await new Promise((r) => setTimeout(r, 500));
      expect(c.child.exitCode, `C died:\n${c.output()}`).toBeNull();
      await viaA.api.members.setRoles.mutate({
        orgId,
        userId,
        roles: [{ role: warm ? 'viewer' : 'editor' }],
      });
      await eventually(async () => (await can(viaC, 'flows.write')) !== warm, 5_000);
    } finally {
      await admin.end();
      if (c && c.child.exitCode === null && c.child.signalCode === null) {
        c.child.kill('SIGKILL');
        await c.exited;
      }
    }
  });

  it('X2: both processes exit cleanly (code 0) on SIGTERM', async () => {
    for (const p of [a, b]) {
      expect(p.child.kill('SIGTERM')).toBe(true);
    }
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no exit within 10 s')), 10_000),
    );
    const [ea, eb] = await Promise.race([Promise.all([a.exited, b.exited]), timeout]);
    expect(ea).toEqual({ code: 0, signal: null });
    expect(eb).toEqual({ code: 0, signal: null });
    expect(a.output()).not.toMatch(/error/i);
    expect(b.output()).not.toMatch(/error/i);
  });
});
