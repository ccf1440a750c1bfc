/**
 * The server side of check-request.ts, run as its own process so the client's load generator
 * does not share its event loop: seeds the bench org (api-seed.ts), serves it, and answers the
 * parent's messages — `cpu` with its `process.cpuUsage()`, `stop` by closing and exiting.
 *
 * Environment: `BENCH_READ_ROUTE` (`direct`, `lean` or `trpc`: which route answers reads),
 * `BENCH_MEMBERS`,
 * `DATABASE_URL` (a fresh database on that server; otherwise PGlite in memory).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import { securityHeaderList, startServer } from '@gatehouse/server';
import express from 'express';
import { seedApiOrg } from './api-seed.js';

const members = Number(process.env.BENCH_MEMBERS ?? '2000');

/**
 * `BENCH_DESIGN=floor`: a bare node:http server answering one fixed JSON body, no framework,
 * no database: what a request costs this machine at the least.
 */
async function floor() {
  const body = JSON.stringify({ result: { data: { revision: 1, result: { allowed: true } } } });
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    req.on('end', () => {
      if (process.env.BENCH_FLOOR === 'headers') {
        for (const [k, v] of securityHeaderList(undefined)) res.setHeader(k, v);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  };
  // BENCH_FLOOR=express: the same behind an Express app with one route.
  const app = express();
  app.use('/trpc', answer);
  const server = http.createServer(process.env.BENCH_FLOOR === 'express' ? app : answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (m === 'stop') process.exit(0);
  });
  const ids = ['x'];
  process.send?.({
    ready: {
      url: `http://127.0.0.1:${port}`,
      kind: 'none',
      orgId: 'org_x',
      users: ids,
      scopes: ids,
      key: 'x',
    },
  });
}
if (process.env.BENCH_DESIGN === 'floor') {
  await floor();
} else {
  await serve();
}

async function serve() {
  const pg = process.env.DATABASE_URL
    ? await freshPostgresDatabase(process.env.DATABASE_URL)
    : null;
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    databaseUrl: pg?.url,
    dataDir: undefined,
    adminKey: 'bench-check-admin-key-0123456789abcdef012345',
    seedDemo: false,
    logLevel: 'warn',
    apiReadRoute: (process.env.BENCH_READ_ROUTE ?? 'direct') as 'direct' | 'lean' | 'trpc',
  });
  const org = await seedApiOrg(server.services, members);
  // Load the engine before the first measured request.
  await server.services.engines.get(org.orgId);
  process.on('message', async (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage(), memory: process.memoryUsage().rss });
    if (m === 'stop') {
      await server.close();
      await pg?.drop();
      process.exit(0);
    }
  });
  process.send?.({ ready: { url: server.url, kind: server.gatedb.kind, ...org } });
}
