/**
 * `node dist/workers.js` (issue 15, "All cores"): permission-check throughput of the real server
 * (`node apps/server/dist/main.js`) with `GATEHOUSE_WORKERS=1` and `=2`, side by side, on
 * PostgreSQL (DATABASE_URL; workers need it: PGlite is one process). Each run gets a fresh
 * database seeded with the API bench org (api-seed.ts); autocannon in this process sends
 * `authz.check` as the SDK does (POST, batch link) at concurrency 16, on keep-alive connections
 * that the primary spreads over the workers. Note the load generator shares the machine's cores
 * with the workers. Writes bench/results/workers.json.
 *
 *   DATABASE_URL=postgres://… node dist/workers.js [--members 2000] [--seconds 8]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDb } from '@gatehouse/db';
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import { createServices } from '@gatehouse/domain';
import autocannon from 'autocannon';
import { checkRequests, seedApiOrg } from './api-seed.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    members: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '16' },
  },
});
const MAIN = fileURLToPath(new URL('../../apps/server/dist/main.js', import.meta.url));
const ADMIN_KEY = 'bench-workers-admin-key-0123456789abcdef0123';

interface Row {
  readonly workers: number;
  readonly requestsPerSec: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly errors: number;
}

/** Starts main.js and resolves with its URL and a stop function once its banner is printed. */
function start(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GATEHOUSE_') && k !== 'DATABASE_URL' && k !== 'PORT') base[k] = v;
  }
  const child = spawn(process.execPath, [MAIN], {
    env: { ...base, HOST: '127.0.0.1', PORT: '0', GATEHOUSE_DEMO: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /Gatehouse is running at (http:\/\/\S+)/.exec(out);
      if (!m) return;
      resolve({
        url: m[1]!,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`the server exited before listening:\n${out}`)));
  });
}

async function measure(workers: number, base: string): Promise<Row> {
  const pg = await freshPostgresDatabase(base);
  const gatedb = await createDb({ url: pg.url });
  const org = await seedApiOrg(createServices(gatedb.db), Number(values.members));
  await gatedb.close();
  const server = await start({
    DATABASE_URL: pg.url,
    GATEHOUSE_WORKERS: String(workers),
    GATEHOUSE_ADMIN_KEY: ADMIN_KEY,
    NODE_ENV: 'production',
  });
  try {
    const bodies = checkRequests(500, org.users, org.scopes, 11).map((c) =>
      JSON.stringify({ 0: { orgId: org.orgId, ...c } }),
    );
    let next = 0;
    const run = (seconds: number) =>
      autocannon({
        url: `${server.url}/trpc/authz.check?batch=1`,
        method: 'POST',
        connections: Number(values.connections),
        duration: seconds,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${org.key}` },
        requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length]! }) }],
      });
    await run(2); // warm-up: every worker loads the org's engine
    const r = await run(Number(values.seconds));
    return {
      workers,
      requestsPerSec: r.requests.average,
      p50ms: r.latency.p50,
      p99ms: r.latency.p99,
      errors: r.errors + r.non2xx,
    };
  } finally {
    await server.stop();
    await pg.drop();
  }
}

const url = process.env.DATABASE_URL;
if (!url) {
  console.log('workers: skipped (GATEHOUSE_WORKERS needs PostgreSQL; set DATABASE_URL)');
} else {
  const rows: Row[] = [];
  for (const n of [1, 2]) rows.push(await measure(n, url));
  console.log('\n| GATEHOUSE_WORKERS | checks/s (requests/s) | p50 ms | p99 ms | errors |');
  console.log('|--:|--:|--:|--:|--:|');
  for (const r of rows) {
    console.log(
      `| ${r.workers} | ${Math.round(r.requestsPerSec).toLocaleString('en-US')} | ${r.p50ms} | ${r.p99ms} | ${r.errors} |`,
    );
  }
  console.log(`2 workers vs 1: ×${(rows[1]!.requestsPerSec / rows[0]!.requestsPerSec).toFixed(2)}`);
  const out = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(
    `${out}workers.json`,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
        members: Number(values.members),
        connections: Number(values.connections),
        rows,
      },
      null,
      2,
    ),
  );
  if (rows.some((r) => r.errors > 0)) process.exitCode = 1;
}
