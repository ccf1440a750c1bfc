/**
 * Issue 15 group commit under SIGKILL, on PostgreSQL (skipped without DATABASE_URL): a child
 * process (node + tsx running this package's source) provisions SCIM users 16 at a time, so its
 * writes go through batches, and prints each id once its write is acknowledged. It is killed with
 * SIGKILL mid-run. Afterwards every acknowledged write is there, and every attempted write is
 * there as a whole (user, member row, audit entry, outbox event) or not at all.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { describe, expect, it } from 'vitest';
import type { Caller } from './context.js';
import { createOrg } from './orgs/index.js';
import { createScimToken } from './scim/index.js';
import { createServices } from './services.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const src = (file: string) => JSON.stringify(fileURLToPath(new URL(file, import.meta.url)));
const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };
const ATTEMPTS = 2000;
const postgres = testBackends().find((b) => b.name === 'postgres');

/** The child: provisions u0..u{ATTEMPTS-1}, 16 in flight, printing `ACK n userId` as each commits. */
const childCode = `
const { createDb } = await import('@gatehouse/db');
const d = await import(${src('./index.ts')});
const { provisionDirectoryUser } = await import(${src('./scim/index.ts')});
const g = await createDb({ url: process.env.URL, migrate: false });
const s = d.createServices(g.db);
const orgId = process.env.ORG;
const caller = { principal: { kind: 'scim', orgId, tokenId: process.env.TOKEN }, source: 'scim' };
let next = 0;
async function worker() {
  while (next < ${ATTEMPTS}) {
    const n = next++;
    const name = 'k' + n + '@kill.example';
    try {
      const w = await provisionDirectoryUser({ services: s, caller, orgId },
        { userName: name, externalId: 'x' + n, email: name, name: 'K ' + n, active: true, doc: { userName: name } });
      process.stdout.write('ACK ' + n + ' ' + w.result.userId + ' ' + w.revision + '\\n');
    } catch (e) { process.stdout.write('ERR ' + n + ' ' + e.message + '\\n'); }
  }
}
process.stdout.write('READY\\n');
await Promise.all(Array.from({ length: 16 }, worker));
process.stdout.write('DONE\\n');
`;

describe.skipIf(!postgres)('issue 15 group commit: SIGKILL mid-run (postgres)', () => {
  it('keeps every acknowledged write, and each write whole or not at all', async () => {
    const fresh = await postgres!.freshUrl!();
    const g = await createDb({ url: fresh.url, migrate: true });
    try {
      const s = createServices(g.db);
      const { result: org } = await createOrg(
        { services: s, caller: admin },
        { name: 'Kill', preset: 'flowcode', owner: { email: 'owner@kill.example' } },
      );
      const { result: issued } = await createScimToken(
        { services: s, caller: admin, orgId: org.id },
        { name: 'IdP' },
      );
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', childCode],
        {
          cwd: pkgDir,
          env: { ...process.env, URL: fresh.url, ORG: org.id, TOKEN: issued.scimToken.id },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_code, signal) => resolve(signal)),
      );
      // Kill once 150 writes are acknowledged (well before the end).
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`child too slow:\n${out}\n${err}`)),
          240_000,
        );
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if ((out.match(/^ACK /gm) ?? []).length >= 150) {
            clearTimeout(timer);
            resolve();
          }
        });
        void exited.then(() => reject(new Error(`child exited early:\n${out}\n${err}`)));
      });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(out).not.toContain('DONE');
      const acked = new Map<number, string>();
      for (const m of out.matchAll(/^ACK (\d+) (\S+) (\d+)$/gm)) acked.set(Number(m[1]), m[2]!);
      expect(acked.size).toBeGreaterThanOrEqual(150);
      // Batches happened: fewer revisions than acknowledged writes.
      const revisions = new Set([...out.matchAll(/^ACK \d+ \S+ (\d+)$/gm)].map((m) => m[1]));
      expect(revisions.size).toBeLessThan(acked.size);

      const users = await g.db
        .selectFrom('users')
        .select(['id', 'email'])
        .where('email', 'like', 'k%@kill.example')
        .execute();
      const members = new Set(
        (
          await g.db.selectFrom('members').select('user_id').where('org_id', '=', org.id).execute()
        ).map((m) => m.user_id),
      );
      const audited = new Set(
        (
          await g.db
            .selectFrom('audit_log')
            .select('entity_id')
            .where('org_id', '=', org.id)
            .execute()
        ).map((a) => a.entity_id),
      );
      const outbox = (
        await g.db.selectFrom('outbox').select('payload').where('org_id', '=', org.id).execute()
      )
        .map((o) => JSON.stringify(o.payload))
        .join('\n');
      const byEmail = new Map(users.map((u) => [u.email, u.id]));
      let present = 0;
      for (let n = 0; n < ATTEMPTS; n++) {
        const id = byEmail.get(`k${n}@kill.example`);
        if (acked.has(n)) expect(id).toBe(acked.get(n));
        if (id === undefined) continue;
        present++;
        // Whole: the member row, its audit entry and its outbox event.
        expect(members.has(id)).toBe(true);
        expect(audited.has(id)).toBe(true);
        expect(outbox).toContain(id);
      }
      expect(present).toBeGreaterThanOrEqual(acked.size);
      // Nothing half-written: the org's members are its owner and the users that are there.
      expect(members.size - present).toBe(1);
      console.log(
        `kill -9: ${acked.size} acknowledged, ${present} present, ${revisions.size} revisions`,
      );
    } finally {
      await g.close();
      await fresh.drop();
    }
  }, 600_000);
});
