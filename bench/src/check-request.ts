/**
 * `node dist/check-request.js` (issue 15): what one permission check costs the server over HTTP,
 * with the load generator (autocannon) in this process and the server in a child process
 * (check-server.ts), so the server's CPU per request is measured on its own
 * (`process.cpuUsage()` before and after each row, divided by the requests answered).
 *
 * Three designs side by side in one run, each in a fresh server process, and a floor:
 * - `trpc`: every call through tRPC's Express adapter (Gatehouse before issue 15);
 * - `lean`: the lean read route (apps/api/src/lean-reads.ts) for `authz.*` reads, the same
 *   procedures behind the same edge and authentication, without the adapter's fetch objects;
 * - `direct`: the direct read route (apps/api/src/direct-reads.ts, the default), the same reads
 *   from their table without tRPC's middleware chain;
 * - `floor`: a bare node:http server answering a fixed body, no framework, no database.
 * Rows: `authz.check` as the SDK sends it (POST, batch link) at concurrency 1 and 16, as a plain
 * GET at concurrency 1, `authz.checkMany` of 1,000 and `authz.canMany` (answers without reasons) of
 * 1,000 at concurrency 4. Writes
 * bench/results/check-request.json.
 *
 *   node dist/check-request.js [--members 2000] [--seconds 5]
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { checkRequests } from './api-seed.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    members: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '5' },
    designs: { type: 'string', default: 'trpc,lean,direct,floor' },
    /** Only the scenarios whose name contains this. */
    only: { type: 'string', default: '' },
  },
});
const SECONDS = Number(values.seconds);

interface Ready {
  readonly url: string;
  readonly kind: string;
  readonly orgId: string;
  readonly users: string[];
  readonly scopes: string[];
  readonly key: string;
}

/** One measured row. */
interface Row {
  readonly design: string;
  readonly scenario: string;
  readonly connections: number;
  readonly checksPerRequest: number;
  readonly requestsPerSec: number;
  readonly checksPerSec: number;
  readonly p50ms: number;
  readonly p99ms: number;
  /** Server CPU (user + system) per request, in microseconds. */
  readonly serverCpuUsPerRequest: number;
  readonly errors: number;
}

type Child = ReturnType<typeof fork>;

function message<T>(child: Child, pick: (m: Record<string, unknown>) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: unknown) => {
      const v = pick(m as Record<string, unknown>);
      if (v !== undefined) {
        child.off('message', on);
        resolve(v);
      }
    };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
}

async function serverCpu(child: Child): Promise<number> {
  const p = message(child, (m) => m.cpu as NodeJS.CpuUsage | undefined);
  child.send('cpu');
  const c = await p;
  return c.user + c.system;
}

interface Scenario {
  readonly name: string;
  readonly connections: number;
  readonly checks: number;
  readonly method: 'GET' | 'POST';
  /** Path and query of each request, and its body (POST). */
  readonly requests: { path: string; body?: string }[];
}

function scenarios(r: Ready): Scenario[] {
  const singles = checkRequests(500, r.users, r.scopes, 11).map((c) => ({ orgId: r.orgId, ...c }));
  const sdk = singles.map((c) => ({
    path: '/trpc/authz.check?batch=1',
    body: JSON.stringify({ 0: c }),
  }));
  const get = singles.map((c) => ({
    path: `/trpc/authz.check?input=${encodeURIComponent(JSON.stringify(c))}`,
  }));
  const many = Array.from({ length: 20 }, (_, i) => ({
    path: '/trpc/authz.checkMany',
    body: JSON.stringify({
      orgId: r.orgId,
      checks: checkRequests(1000, r.users, r.scopes, 100 + i),
    }),
  }));
  const can = many.map((m) => ({ ...m, path: '/trpc/authz.canMany' }));
  return [
    {
      name: 'check (SDK: POST, batch link)',
      connections: 1,
      checks: 1,
      method: 'POST',
      requests: sdk,
    },
    {
      name: 'check (SDK: POST, batch link)',
      connections: 16,
      checks: 1,
      method: 'POST',
      requests: sdk,
    },
    { name: 'check (GET ?input=)', connections: 1, checks: 1, method: 'GET', requests: get },
    { name: 'checkMany of 1,000', connections: 4, checks: 1000, method: 'POST', requests: many },
    { name: 'canMany of 1,000', connections: 4, checks: 1000, method: 'POST', requests: can },
  ];
}

async function load(r: Ready, s: Scenario, seconds: number) {
  let next = 0;
  return autocannon({
    url: r.url,
    method: s.method,
    connections: s.connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${r.key}` },
    requests: [
      {
        setupRequest: (req) => {
          const one = s.requests[next++ % s.requests.length]!;
          return { ...req, path: one.path, ...(one.body ? { body: one.body } : {}) };
        },
      },
    ],
  });
}

async function measureDesign(design: string): Promise<Row[]> {
  const child = fork(fileURLToPath(new URL('./check-server.js', import.meta.url)), {
    // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server
    execArgv: process.env.BENCH_SERVER_NODE_ARGS?.split(' ') ?? [],
    env: {
      ...process.env,
      BENCH_READ_ROUTE: design,
      BENCH_DESIGN: design.endsWith('floor') ? 'floor' : design,
      BENCH_FLOOR: design.split('-floor')[0] ?? '',
      BENCH_MEMBERS: values.members,
    },
  });
  const ready = await message(child, (m) => m.ready as Ready | undefined);
  const rows: Row[] = [];
  try {
    for (const s of scenarios(ready).filter((x) => x.name.includes(values.only))) {
      await load(ready, s, 1); // warm-up: JIT, connections, caches
      const before = await serverCpu(child);
      const result = await load(ready, s, SECONDS);
      const after = await serverCpu(child);
      const total = result.requests.total || 1;
      rows.push({
        design,
        scenario: s.name,
        connections: s.connections,
        checksPerRequest: s.checks,
        requestsPerSec: result.requests.average,
        checksPerSec: result.requests.average * s.checks,
        p50ms: result.latency.p50,
        p99ms: result.latency.p99,
        serverCpuUsPerRequest: (after - before) / total,
        errors: result.errors + result.non2xx,
      });
      console.error(`${design}: ${s.name} c=${s.connections} done`);
    }
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return rows;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rows: Row[] = [];
for (const design of values.designs.split(',')) rows.push(...(await measureDesign(design)));

console.log(
  '\n| design | request | conc. | requests/s | checks/s | p50 ms | p99 ms | server CPU µs/request | errors |',
);
console.log('|---|---|--:|--:|--:|--:|--:|--:|--:|');
for (const r of rows) {
  console.log(
    `| ${r.design} | ${r.scenario} | ${r.connections} | ${fmt(r.requestsPerSec)} | ${fmt(r.checksPerSec)} | ${r.p50ms} | ${r.p99ms} | ${fmt(r.serverCpuUsPerRequest)} | ${r.errors} |`,
  );
}
const base = rows.filter((r) => r.design === 'trpc');
for (const r of rows.filter((x) => x.design !== 'trpc')) {
  const b = base.find((x) => x.scenario === r.scenario && x.connections === r.connections);
  if (b) {
    console.log(
      `${r.design} vs trpc, ${r.scenario} c=${r.connections}: server CPU per request ×${(b.serverCpuUsPerRequest / r.serverCpuUsPerRequest).toFixed(1)} less, throughput ×${(r.requestsPerSec / b.requestsPerSec).toFixed(2)}`,
    );
  }
}
const out = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(
  `${out}check-request.json`,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
      members: Number(values.members),
      seconds: SECONDS,
      rows,
    },
    null,
    2,
  ),
);
if (rows.some((r) => r.errors > 0)) {
  console.error('some requests failed');
  process.exitCode = 1;
}
