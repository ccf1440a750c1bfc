/**
 * Issue 15 "All cores": `GATEHOUSE_WORKERS=2` on PostgreSQL runs two server processes sharing one
 * port (node:cluster); connections are spread over both, and a write through one is answered by
 * the other (a check asking for the write's revision). On the embedded database the setting is
 * refused with a message naming the way out.
 */
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import { createGatehouse } from '@gatehouse/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { newAdminKey } from './harness.js';
import { runProcess, type ServerProcess, startProcess } from './server-process.js';

describe('issue 15 GATEHOUSE_WORKERS', () => {
  it('issue 15 on the embedded database, GATEHOUSE_WORKERS=2 stops the start with a message', async () => {
    const r = await runProcess({ GATEHOUSE_WORKERS: '2', GATEHOUSE_DATA_DIR: 'memory' });
    expect(r.code).toBe(1);
    expect(r.output).toContain('GATEHOUSE_WORKERS=2 needs PostgreSQL (DATABASE_URL)');
  });

  describe.skipIf(!process.env.DATABASE_URL)('on PostgreSQL', () => {
    let p: ServerProcess | undefined;
    let drop: (() => Promise<void>) | undefined;
    afterAll(async () => {
      if (p) {
        p.child.kill('SIGTERM');
        expect(await p.exited).toMatchObject({ code: 0 });
      }
      await drop?.();
    });

    it('issue 15 two workers share the port; a write through one is read through the other', async () => {
      const db = await freshPostgresDatabase(process.env.DATABASE_URL!);
      drop = db.drop;
      const adminKey = newAdminKey();
      p = await startProcess(
        'workers',
        {
          DATABASE_URL: db.url,
          GATEHOUSE_WORKERS: '2',
          GATEHOUSE_ADMIN_KEY: adminKey,
          LOG_LEVEL: 'info',
        },
        60_000,
      );
      expect(p.output()).toMatch(
        /workers: 2 processes share the port \(GATEHOUSE_WORKERS; pids \d+, \d+\)/,
      );
      // Each request on a new connection: the primary hands connections to the workers in turn.
      const seen = new Set<string>();
      for (let i = 0; i < 20 && seen.size < 2; i++) {
        const res = await fetch(`${p.url}/health`, { headers: { Connection: 'close' } });
        expect(res.status).toBe(200);
        const worker = res.headers.get('x-gatehouse-worker');
        if (worker) seen.add(worker);
      }
      expect([...seen].sort()).toEqual(['1', '2']);

      // A write, then checks at its revision on fresh connections (so on both workers).
      const admin = createGatehouse({ url: p.url, apiKey: adminKey });
      const { result: org } = await admin.api.orgs.create.mutate({
        name: 'Workers',
        preset: 'flowcode',
        owner: { email: 'owner@workers.test' },
      });
      const { result: member, revision } = await admin.api.members.add.mutate({
        orgId: org.id,
        email: 'ana@workers.test',
        roles: [{ role: 'org_admin' }],
      });
      for (let i = 0; i < 4; i++) {
        const d = await admin.api.authz.check.query({
          orgId: org.id,
          subject: member.userId,
          permission: 'members.invite',
          scope: org.id,
          minRevision: revision,
        });
        expect(d.result.allowed).toBe(true);
      }
    });
  });
});
