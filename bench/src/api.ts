/**
 * `node dist/api.js`: permission checks through the HTTP API (`authz.checkMany` over loopback,
 * batch sizes 1 / 100 / 1000, driven by autocannon) next to the same org's in-process engine.
 *
 * The server runs in this process on PGlite in memory (or a fresh database on DATABASE_URL);
 * autocannon sends from the same process over 127.0.0.1, so client and server share the two
 * cores — the figure is a floor for a deployment with a separate client. Writes
 * bench/results/api.json.
 *
 *   node dist/api.js [--members 2000] [--seconds 5] [--connections 8]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import { startServer } from '@gatehouse/server';
import autocannon from 'autocannon';
import { checkRequests as requests, seedApiOrg } from './api-seed.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    members: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
  },
});
const MEMBERS = Number(values.members);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const ADMIN_KEY = 'bench-api-admin-key-0123456789abcdef0123456';
interface Row {
  readonly batch: number;
  readonly requestsPerSec: number;
  readonly checksPerSec: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly errors: number;
}

async function main() {
  const pgBase = process.env.DATABASE_URL;
  const db = pgBase ? await freshPostgresDatabase(pgBase) : null;
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    databaseUrl: db?.url,
    dataDir: undefined,
    adminKey: ADMIN_KEY,
    seedDemo: false,
    logLevel: 'warn',
  });
  try {
    const t0 = performance.now();
    const data = await seedApiOrg(server.services, MEMBERS);
    console.log(
      `seeded ${MEMBERS} members in ${data.scopes.length} scopes in ${Math.round(performance.now() - t0)} ms (${server.gatedb.kind})`,
    );
    const engine = await server.services.engines.get(data.orgId);
    const local = requests(200_000, data.users, data.scopes, 7);
    for (const r of local) engine.can(r.subject, r.permission, r.scope);
    const l0 = performance.now();
    let allowed = 0;
    for (let pass = 0; pass < 5; pass++) {
      for (const r of local) if (engine.can(r.subject, r.permission, r.scope)) allowed++;
    }
    const inProcess = (local.length * 5) / ((performance.now() - l0) / 1000);

    const rows: Row[] = [];
    for (const batch of [1, 100, 1000]) {
      const bodies = Array.from({ length: 50 }, (_, i) =>
        JSON.stringify({
          orgId: data.orgId,
          checks: requests(batch, data.users, data.scopes, 100 + i),
        }),
      );
      let next = 0;
      const result = await autocannon({
        url: `${server.url}/trpc/authz.checkMany`,
        method: 'POST',
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${data.key}` },
        requests: [
          {
            setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length]! }),
          },
        ],
      });
      const errors = result.errors + result.non2xx;
      rows.push({
        batch,
        requestsPerSec: result.requests.average,
        checksPerSec: result.requests.average * batch,
        p50ms: result.latency.p50,
        p99ms: result.latency.p99,
        errors,
      });
    }

    console.log('\n| path | batch | requests/s | checks/s | p50 ms | p99 ms | errors |');
    console.log('|---|--:|--:|--:|--:|--:|--:|');
    for (const r of rows) {
      console.log(
        `| HTTP authz.checkMany | ${r.batch} | ${Math.round(r.requestsPerSec).toLocaleString('en-US')} | ${Math.round(r.checksPerSec).toLocaleString('en-US')} | ${r.p50ms} | ${r.p99ms} | ${r.errors} |`,
      );
    }
    console.log(
      `| in-process engine.can | 1 | — | ${Math.round(inProcess).toLocaleString('en-US')} | — | — | 0 |`,
    );
    console.log(`(allowed share in-process: ${(allowed / (local.length * 5)).toFixed(3)})`);
    const out = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(
      `${out}api.json`,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
          database: server.gatedb.kind,
          members: MEMBERS,
          connections: CONNECTIONS,
          seconds: SECONDS,
          http: rows,
          inProcessChecksPerSec: inProcess,
        },
        null,
        2,
      ),
    );
    if (rows.some((r) => r.errors > 0)) {
      console.error('some requests failed');
      process.exitCode = 1;
    }
  } finally {
    await server.close();
    await db?.drop();
  }
}

await main();
