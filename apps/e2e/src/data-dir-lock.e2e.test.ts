/**
 * Issue 16, one process per embedded data folder, as a new user meets it: `pnpm start` left
 * running and started again on the same PGlite folder (another port). The second server, and the
 * CLI's `migrate` on that folder, refuse with a message naming the running server; the first
 * server's acknowledged writes all survive its restart. A server killed with SIGKILL leaves a
 * stale lock: the next start takes it over and finds every acknowledged write.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatehouse } from '@gatehouse/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { newAdminKey, serverDist } from './harness.js';
import { runProcess, type ServerProcess, startProcess } from './server-process.js';

/** PGlite on a folder takes a while to start on a busy machine (CI). */
const START_MS = 300_000;

describe('embedded data folder lock (issue 16): two servers on one PGlite folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'gh-e2e-lock-'));
  const dataDir = join(root, 'data');
  const lockFile = join(dataDir, 'gatehouse.lock');
  const adminKey = newAdminKey();
  const env = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_ADMIN_KEY: adminKey };
  const running: ServerProcess[] = [];

  afterAll(async () => {
    for (const p of running) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  async function start(name: string): Promise<ServerProcess> {
    const p = await startProcess(name, env, START_MS);
    running.push(p);
    return p;
  }
  const admin = (p: ServerProcess) => createGatehouse({ url: p.url, apiKey: adminKey }).api;
  async function orgNames(p: ServerProcess): Promise<string[]> {
    const page = await admin(p).orgs.list.query({ cursor: null, limit: 100 });
    return page.items.map((o) => o.name).sort();
  }
  async function createOrgs(p: ServerProcess, prefix: string, n: number): Promise<string[]> {
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = `${prefix} ${String(i).padStart(2, '0')}`;
      await admin(p).orgs.create.mutate({ name, preset: 'idnow' });
      names.push(name);
    }
    return names;
  }

  let acknowledged: string[] = [];

  it('a second server on the folder refuses, naming the first; the first keeps every write', async () => {
    const a = await start('A');
    acknowledged = await createOrgs(a, 'Through A', 20);

    const b = await runProcess(env, START_MS);
    expect(b.code, b.output).toBe(1);
    expect(b.output).toContain(`Gatehouse did not start. Cannot open the data folder ${dataDir}`);
    expect(b.output).toContain(`in use by gatehouse server (PID ${a.child.pid} on `);
    expect(b.output).toContain(`serving ${a.url})`);
    expect(b.output).toContain('Stop that process first');
    expect(b.output).not.toContain('Gatehouse is running');

    // The CLI command that opens the folder itself is refused the same way.
    const migrate = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [serverDist.cli, 'migrate'],
        { env: { ...process.env, DATABASE_URL: '', GATEHOUSE_DATA_DIR: dataDir } },
        (err, _stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr }),
      ),
    );
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toContain(`gatehouse: Cannot open the data folder ${dataDir}`);
    expect(migrate.stderr).toContain(`(PID ${a.child.pid} on `);

    // A was not disturbed: it goes on writing, lists all of it, and stops cleanly.
    acknowledged.push(...(await createOrgs(a, 'Through A after B', 5)));
    expect(await orgNames(a)).toEqual(acknowledged.sort());
    a.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);

    // After a restart every acknowledged org is there.
    const again = await start('A again');
    expect(await orgNames(again)).toEqual(acknowledged.sort());
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 1_200_000);

  it('kill -9 leaves a stale lock; the next start takes it over with the data intact', async () => {
    const c = await start('C');
    acknowledged.push(...(await createOrgs(c, 'Through C', 5)));
    c.child.kill('SIGKILL');
    await c.exited;
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({
      pid: c.child.pid,
      owner: 'gatehouse server',
      url: c.url,
    });

    const d = await start('D');
    expect(d.output()).toContain('took over the data folder from a process that is gone');
    expect(d.output()).toContain(`"stalePid":${c.child.pid}`);
    expect(await orgNames(d)).toEqual(acknowledged.sort());
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: d.child.pid });
    d.child.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  }, 1_200_000);
});
