/**
 * Issue 15: where one SCIM filter lookup (`GET /Users?filter=userName eq …`) spends its time at
 * `--total` users (default 100,000): the whole request over HTTP, then each of its parts alone
 * (token authentication, the domain's list read, its statements, rendering). PGlite in memory,
 * or a fresh PostgreSQL database when DATABASE_URL is set. Medians and p99 in ms.
 *
 *   node dist/scim-anatomy.js [--total 100000] [--runs 300]
 */
import { parseArgs } from 'node:util';
import { sql } from '@gatehouse/db';
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import {
  authenticateScimToken,
  type Caller,
  directoryUserGroups,
} from '@gatehouse/domain';
import { createGatehouse, createScimClient, scimFilter } from '@gatehouse/sdk';
import { configFromEnv, startServer } from '@gatehouse/server';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    total: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '300' },
  },
});
const TOTAL = Number(values.total);
const RUNS = Number(values.runs);
const ADMIN_KEY = 'bench-scim-admin-key-0123456789abcdef0123';

function q(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

async function time(name: string, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await fn(i);
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn(i);
    xs.push(performance.now() - t);
  }
  console.log(`  ${name.padEnd(48)} p50 ${q(xs, 0.5).toFixed(3).padStart(8)}  p99 ${q(xs, 0.99).toFixed(3).padStart(8)}`);
}

async function main(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  const fresh = baseUrl ? await freshPostgresDatabase(baseUrl) : undefined;
  const server = await startServer(
    configFromEnv({
      PORT: '0',
      GATEHOUSE_DATA_DIR: 'memory',
      ...(fresh ? { DATABASE_URL: fresh.url } : {}),
      GATEHOUSE_ADMIN_KEY: ADMIN_KEY,
      GATEHOUSE_DEMO: '0',
      LOG_LEVEL: 'warn',
    }),
  );
  try {
    const admin = createGatehouse({ url: server.url, apiKey: ADMIN_KEY });
    const { result: org } = await admin.api.orgs.create.mutate({
      name: 'SCIM anatomy',
      preset: 'flowcode',
      owner: { email: 'owner@bench.example' },
    });
    const { result: issued } = await admin.api.scimTokens.create.mutate({ orgId: org.id, name: 'b' });
    const db = server.gatedb.db;
    for (let from = 0; from < TOTAL; from += 20_000) {
      const to = Math.min(TOTAL, from + 20_000) - 1;
      await sql`insert into users (id, email, email_lower, name, updated_at)
        select 'usr_bench' || lpad(i::text, 8, '0'), 'user' || i || '@bench.example',
               'user' || i || '@bench.example', 'User ' || i, now()
          from generate_series(${from}::int, ${to}::int) i`.execute(db);
      await sql`insert into members (org_id, user_id, status, external_id, scim_user_name, scim_doc, updated_at)
        select ${org.id}, 'usr_bench' || lpad(i::text, 8, '0'), 'active', 'ext-' || i,
               'user' || i || '@bench.example',
               jsonb_build_object('displayName', 'User ' || i,
                 'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@bench.example', 'type', 'work', 'primary', true))),
               now()
          from generate_series(${from}::int, ${to}::int) i`.execute(db);
    }
    await sql`analyze members`.execute(db);
    await sql`analyze users`.execute(db);
    console.log(`anatomy of a SCIM lookup at ${TOTAL} users (${fresh ? 'postgres' : 'pglite'}), ms`);
    const scim = createScimClient({ url: server.url, token: issued.token });
    const name = (i: number) => `user${(i * 7919) % TOTAL}@bench.example`;
    await time('GET /Users?filter=userName eq (SDK, HTTP)', (i) =>
      scim.users.list({ filter: scimFilter.eq('userName', name(i)), count: 10 }),
    );
    const url = `${server.url}/scim/v2/Users?count=10&filter=`;
    await time('GET /Users?filter=userName eq (bare fetch)', async (i) => {
      const r = await fetch(url + encodeURIComponent(`userName eq "${name(i)}"`), {
        headers: { authorization: `Bearer ${issued.token}` },
      });
      await r.text();
    });
    await time('GET /ServiceProviderConfig (bare fetch, auth)', async () => {
      const r = await fetch(`${server.url}/scim/v2/ServiceProviderConfig`, {
        headers: { authorization: `Bearer ${issued.token}` },
      });
      await r.text();
    });
    await time('GET /health (bare fetch)', async () => {
      const r = await fetch(`${server.url}/health`);
      await r.text();
    });
    const s = server.services;
    await time('authenticateScimToken', () => authenticateScimToken(s, issued.token));
    const caller: Caller = {
      principal: { kind: 'scim', orgId: org.id, tokenId: issued.scimToken.id },
      source: 'scim',
    };
    const call = { services: s, caller, orgId: org.id };
    await time('directoryUserGroups (1 user)', (i) =>
      directoryUserGroups(call, { userIds: [`usr_bench${String((i * 7919) % TOTAL).padStart(8, '0')}`] }),
    );
    await time('select 1', () => sql`select 1`.execute(db));
    await time('scim token row by id', () =>
      db.selectFrom('scim_tokens').selectAll().where('id', '=', issued.scimToken.id).executeTakeFirst(),
    );
    await time('count(*) members where userName', (i) =>
      sql`select count(*)::text as n from members m where m.org_id = ${org.id} and m.scim_user_name is not null and lower(m.scim_user_name) = ${name(i)}`.execute(db),
    );
  } finally {
    await server.close();
    await fresh?.drop();
  }
}

await main();
