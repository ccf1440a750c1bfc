/**
 * `pnpm --filter @gatehouse/bench bench:directory` (or `pnpm bench:directory` from the root):
 * the member directory (M4, T6) and the audit log (A2, A4) at 100k members / 100k entries.
 * Seeds one org in PGlite (in memory; the PostgreSQL server when DATABASE_URL is set) with
 * generate_series, then times each directory query and the audit export and verification.
 * Prints a table and writes bench/results/directory.json.
 *
 *   node --expose-gc dist/directory.js [--members 100000] [--entries 100000] [--iterations 30]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDb, sql } from '@gatehouse/db';
import {
  assignRole,
  type Caller,
  createGroup,
  createOrg,
  createScope,
  createServices,
  type DirectoryQuery,
  directoryOverview,
  listAudit,
  listDirectory,
  openAuditExport,
  verifyAuditChain,
} from '@gatehouse/domain';
import { appendSyntheticAudit } from '@gatehouse/domain/testing';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    members: { type: 'string', default: '100000' },
    entries: { type: 'string', default: '100000' },
    iterations: { type: 'string', default: '30' },
  },
});
const N = Number(values.members);
const ENTRIES = Number(values.entries);
const ITER = Number(values.iterations);
const WORKSPACES = 20;
const GROUPS = 50;

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'system' };
type Gc = () => void;
const gc: Gc | undefined = (globalThis as { gc?: Gc }).gc;

interface Timing {
  readonly name: string;
  readonly rows: number;
  /** The first call (cold plans and caches). */
  readonly firstms: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly maxms: number;
}

async function time(name: string, fn: () => Promise<number>): Promise<Timing> {
  const t0 = process.hrtime.bigint();
  const rows = await fn(); // warm-up (plans, caches)
  const firstms = Number(process.hrtime.bigint() - t0) / 1e6;
  const samples: number[] = [];
  for (let i = 0; i < ITER; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const pct = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  const r = { name, rows, firstms, p50ms: pct(0.5), p99ms: pct(0.99), maxms: samples.at(-1)! };
  console.log(
    `  ${name.padEnd(52)} ${String(rows).padStart(6)} rows  first ${firstms.toFixed(1).padStart(7)} ms  p50 ${r.p50ms.toFixed(1).padStart(7)} ms  p99 ${r.p99ms.toFixed(1).padStart(7)} ms`,
  );
  return r;
}

/** The directory's cursor format (base64url JSON `[sort, key, id]`), to start deep in the list. */
const cursorAt = (sort: 'id' | 'email', key: string, id: string) =>
  Buffer.from(JSON.stringify([sort, key, id])).toString('base64url');

async function main(): Promise<void> {
  const started = Date.now();
  const g = await createDb({ url: process.env.DATABASE_URL });
  const s = createServices(g.db);
  console.log(
    `Directory and audit log — ${g.kind}, ${N.toLocaleString('en-US')} members, ${ENTRIES.toLocaleString('en-US')} audit entries, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  // --- seed ---------------------------------------------------------------------------------
  const t0 = Date.now();
  const { result: org } = await createOrg(
    { services: s, caller: admin },
    {
      name: 'Bench Directory',
      preset: 'flowcode',
      owner: { email: 'owner@bench.test' },
    },
  );
  const orgId = org.id;
  const call = { services: s, caller: admin, orgId };
  const ws: string[] = [];
  for (let i = 0; i < WORKSPACES; i++) {
    ws.push((await createScope(call, { kind: 'workspace', name: `Workspace ${i}` })).result.id);
  }
  const groups: string[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const { result: grp } = await createGroup(call, { name: `Team ${i}` });
    groups.push(grp.id);
    await assignRole(call, {
      subjectId: grp.id,
      role: 'workspace_editor',
      scopeId: ws[i % WORKSPACES]!,
    });
  }
  const uid = sql`'usr_b' || lpad(i::text, 9, '0')`;
  await sql`insert into users (id, email, email_lower, name, mfa_enrolled, updated_at)
    select ${uid}, 'Person' || i || '@company' || (i % 500) || '.test',
           'person' || i || '@company' || (i % 500) || '.test', 'Person ' || i, i % 3 = 0, now()
      from generate_series(1, ${N}) i`.execute(g.db);
  await sql`insert into members (org_id, user_id, status, external_id, last_login_at, updated_at)
    select ${orgId}, ${uid}, case when i % 50 = 0 then 'deactivated' else 'active' end, null,
           case when i % 4 = 0 then null else now() - (i % 90) * interval '1 day' end, now()
      from generate_series(1, ${N}) i`.execute(g.db);
  // Everyone is an Organization User; 30% also hold a primary role in one workspace.
  await sql`insert into assignments (org_id, id, subject_id, subject_type, role_key, scope_id, environment)
    select ${orgId}, 'asg_b' || lpad(i::text, 9, '0'), ${uid}, 'user', 'org_user', ${orgId}, null
      from generate_series(1, ${N}) i`.execute(g.db);
  await sql`insert into assignments (org_id, id, subject_id, subject_type, role_key, scope_id, environment)
    select ${orgId}, 'asg_w' || lpad(i::text, 9, '0'), ${uid}, 'user',
           (array['workspace_admin', 'workspace_editor', 'workspace_viewer'])[i % 3 + 1],
           (${ws}::text[])[i % ${WORKSPACES} + 1], null
      from generate_series(1, ${N}) i where i % 10 < 3`.execute(g.db);
  // 20% belong to one of the teams.
  await sql`insert into group_members (org_id, group_id, member_id)
    select ${orgId}, (${groups}::text[])[(i / 5) % ${GROUPS} + 1], ${uid}
      from generate_series(1, ${N}) i where i % 5 = 0`.execute(g.db);
  await sql`update orgs set revision = revision + 1 where id = ${orgId}`.execute(g.db);
  await sql`analyze`.execute(g.db);
  const seedMs = Date.now() - t0;
  const e0 = Date.now();
  const engine = await s.engines.get(orgId);
  const engineMs = Date.now() - e0;
  console.log(
    `  seeded in ${(seedMs / 1000).toFixed(1)} s; engine over ${engine.snapshot.assignments.length.toLocaleString('en-US')} assignments built in ${engineMs} ms`,
  );

  // --- directory ----------------------------------------------------------------------------
  console.log('\nmember directory (page of 50):');
  const dir = (q: DirectoryQuery) => async () =>
    (await listDirectory(call, { limit: 50, ...q })).items.length;
  const mid = `usr_b${String(Math.floor(N / 2)).padStart(9, '0')}`;
  const midEmail = `person${Math.floor(N / 2)}@company${Math.floor(N / 2) % 500}.test`;
  const directory: Timing[] = [];
  for (const [name, q] of [
    ['org, first page (by id)', {}],
    ['org, page in the middle (keyset by id)', { cursor: cursorAt('id', mid, mid) }],
    ['org, first page by email', { sort: 'email' }],
    [
      'org, page in the middle by email',
      { sort: 'email', cursor: cursorAt('email', midEmail, mid) },
    ],
    ['search: one person ("person12345@")', { search: 'person12345@' }],
    ['search: a domain ("@company77.")', { search: '@company77.' }],
    ['search: very common ("person")', { search: 'person' }],
    ['search: no match ("nobody-here")', { search: 'nobody-here' }],
    ['status: deactivated', { status: 'deactivated' }],
    ['role: workspace_admin (anywhere)', { role: 'workspace_admin' }],
    ['group: one team (~400 members)', { groupId: groups[7]! }],
    ['scope: workspace, everyone with access', { scopeId: ws[3]! }],
    ['scope: workspace, direct members only', { scopeId: ws[3]!, membership: 'direct' }],
    ['scope + role + search', { scopeId: ws[3]!, role: 'workspace_admin', search: 'company1' }],
  ] as Array<[string, DirectoryQuery]>) {
    directory.push(await time(name, dir(q)));
  }
  directory.push(
    await time(
      'overview (T6; per-scope counts cached per revision)',
      async () => (await directoryOverview(call)).perScope.length,
    ),
  );

  // --- audit ----------------------------------------------------------------------------------
  console.log(
    `\naudit log (${ENTRIES.toLocaleString('en-US')} synthetic entries + the seed's own):`,
  );
  const a0 = Date.now();
  const lastSeq = await appendSyntheticAudit(g.db, orgId, ENTRIES);
  const auditSeedMs = Date.now() - a0;
  const audit: Timing[] = [];
  for (const [name, f] of [
    ['list: newest page', {}],
    ['list: action filter', { action: 'RoleAssigned' }],
    [
      'list: entity type + time range',
      { entityType: 'Flow', from: new Date(Date.now() - 86_400_000) },
    ],
    ['list: actor (email / client name)', { actor: 'owner@bench' }],
  ] as const) {
    audit.push(
      await time(name, async () => (await listAudit(call, { ...f, limit: 100 })).items.length),
    );
  }
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = 0;
  let n = 0;
  let bytes = 0;
  const x0 = process.hrtime.bigint();
  for await (const e of await openAuditExport(call)) {
    bytes += JSON.stringify(e).length + 1;
    if (++n % 10_000 === 0) {
      gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed - heap0);
    }
  }
  const exportMs = Number(process.hrtime.bigint() - x0) / 1e6;
  const v0 = process.hrtime.bigint();
  const v = await verifyAuditChain(call);
  const verifyMs = Number(process.hrtime.bigint() - v0) / 1e6;
  if (!v.ok) throw new Error(`chain broken: ${v.broken?.message}`);
  console.log(
    `  export (NDJSON, keyset batches of 2000): ${n.toLocaleString('en-US')} entries, ${(bytes / 1e6).toFixed(1)} MB in ${(exportMs / 1000).toFixed(2)} s = ${Math.round(n / (exportMs / 1000)).toLocaleString('en-US')} entries/s; retained heap growth ≤ ${(peak / 1024 / 1024).toFixed(1)} MB${gc ? '' : ' (run with --expose-gc for the heap figure)'}`,
  );
  console.log(
    `  verify chain: ${v.checked.toLocaleString('en-US')} entries in ${(verifyMs / 1000).toFixed(2)} s = ${Math.round(v.checked / (verifyMs / 1000)).toLocaleString('en-US')} entries/s (seeded in ${(auditSeedMs / 1000).toFixed(1)} s)`,
  );

  const file = fileURLToPath(new URL('../results/directory.json', import.meta.url));
  mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        backend: g.kind,
        machine: {
          cpus: os.cpus().length,
          cpu: os.cpus()[0]?.model ?? null,
          node: process.version,
          loadAverage: os.loadavg(),
        },
        members: N,
        workspaces: WORKSPACES,
        groups: GROUPS,
        seedMs,
        engineMs,
        directory,
        audit: {
          entries: lastSeq,
          seedMs: auditSeedMs,
          list: audit,
          export: { entries: n, ms: exportMs, bytes, retainedHeapGrowthMB: peak / 1024 / 1024 },
          verify: { entries: v.checked, ms: verifyMs },
        },
        totalSeconds: (Date.now() - started) / 1000,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwrote ${file}`);
  await g.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
