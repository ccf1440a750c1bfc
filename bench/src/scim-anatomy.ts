/**
 * Issue 15: where one SCIM filter lookup (`GET /Users?filter=userName eq …`) spends its time at
 * `--total` users (default 100,000): the whole request over HTTP, then each of its parts alone
 * (token authentication, the domain's list read, its statements alone). PGlite in memory,
 * or a fresh PostgreSQL database when DATABASE_URL is set. Medians and p99 in ms.
 *
 *   node dist/scim-anatomy.js [--total 100000] [--runs 300] [--profile bare-fetch.cpuprofile]
 *
 * The `SQL …` rows are hand-written forms of the statements a lookup sends, timed alone.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { sql } from '@gatehouse/db';
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import {
  authenticateScimToken,
  type Caller,
  directoryUserGroups,
  type FilterNode,
  listDirectoryUsers,
} from '@gatehouse/domain';
import { createGatehouse, createScimClient, scimFilter } from '@gatehouse/sdk';
import { configFromEnv, startServer } from '@gatehouse/server';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    total: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '300' },
    /** Writes a CPU profile of the bare-fetch lookups to this file. */
    profile: { type: 'string' },
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
  console.log(
    `  ${name.padEnd(48)} p50 ${q(xs, 0.5).toFixed(3).padStart(8)}  p99 ${q(xs, 0.99).toFixed(3).padStart(8)}`,
  );
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
    const { result: issued } = await admin.api.scimTokens.create.mutate({
      orgId: org.id,
      name: 'b',
    });
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
    console.log(
      `anatomy of a SCIM lookup at ${TOTAL} users (${fresh ? 'postgres' : 'pglite'}), ms`,
    );
    const scim = createScimClient({ url: server.url, token: issued.token });
    const name = (i: number) => `user${(i * 7919) % TOTAL}@bench.example`;
    await time('GET /Users?filter=userName eq (SDK, HTTP)', (i) =>
      scim.users.list({ filter: scimFilter.eq('userName', name(i)), count: 10 }),
    );
    const url = `${server.url}/scim/v2/Users?count=10&filter=`;
    const session = values.profile ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 50 });
      await session.post('Profiler.start');
    }
    await time('GET /Users?filter=userName eq (bare fetch)', async (i) => {
      const r = await fetch(url + encodeURIComponent(`userName eq "${name(i)}"`), {
        headers: { authorization: `Bearer ${issued.token}` },
      });
      await r.text();
    });
    if (session && values.profile) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(values.profile, JSON.stringify(profile));
      session.disconnect();
    }
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
    const str = (n: string) => ({
      name: n,
      type: 'string' as const,
      multiValued: false,
      caseExact: false,
      mutable: true,
      returned: 'default' as const,
      sub: [],
    });
    const schema = {
      name: 'User' as const,
      endpoint: '/Users' as const,
      urn: 'urn:ietf:params:scim:schemas:core:2.0:User',
      attrs: [str('userName'), str('externalId'), str('displayName')],
      extensions: new Map(),
    };
    const eq = (i: number): FilterNode => ({
      kind: 'compare',
      path: 'userName',
      op: 'eq',
      value: name(i),
    });
    await time('listDirectoryUsers (groups)', (i) =>
      listDirectoryUsers(
        call,
        { schema, filter: eq(i), startIndex: 1, count: 10 },
        { withGroups: true },
      ),
    );
    await time('listDirectoryUsers (no groups)', (i) =>
      listDirectoryUsers(call, { schema, filter: eq(i), startIndex: 1, count: 10 }),
    );
    await time('listDirectoryUsers (count only)', (i) =>
      listDirectoryUsers(call, { schema, filter: eq(i), startIndex: 1, count: 0 }),
    );
    const cols = sql`m.user_id, m.scim_user_name, m.external_id, m.scim_doc, m.status, m.created_at, m.updated_at, (extract(epoch from m.updated_at) * 1000000)::bigint::text as micros`;
    const w = (i: number) =>
      sql`m.org_id = ${org.id} and m.scim_user_name is not null and lower(m.scim_user_name) = ${name(i)}`;
    await time('SQL page only', (i) =>
      sql`select ${cols} from members m where ${w(i)} order by m.user_id || '' limit 10`.execute(
        db,
      ),
    );
    await time('SQL page + groups subquery', (i) =>
      sql`select ${cols}, (select coalesce(json_agg(json_build_object('id', g.id, 'name', g.name) order by g.id), '[]'::json)
           from group_members gm join groups g on g.org_id = gm.org_id and g.id = gm.group_id
          where gm.org_id = ${org.id} and gm.member_id = m.user_id and g.scim_managed) as groups
        from members m where ${w(i)} order by m.user_id || '' limit 10`.execute(db),
    );
    await time('SQL groups alone', (i) =>
      sql`select gm.member_id, g.id, g.name from group_members gm join groups g on g.org_id = gm.org_id and g.id = gm.group_id
          where gm.org_id = ${org.id} and gm.member_id in (${`usr_bench${String((i * 7919) % TOTAL).padStart(8, '0')}`}) and g.scim_managed order by g.id`.execute(
        db,
      ),
    );
    await time('directoryUserGroups (1 user)', (i) =>
      directoryUserGroups(call, {
        userIds: [`usr_bench${String((i * 7919) % TOTAL).padStart(8, '0')}`],
      }),
    );
    await time('select 1', () => sql`select 1`.execute(db));
    await time('scim token row by id', () =>
      db
        .selectFrom('scim_tokens')
        .selectAll()
        .where('id', '=', issued.scimToken.id)
        .executeTakeFirst(),
    );
    await time('SQL count of a userName eq', (i) =>
      sql`select count(*)::text as n from members m where m.org_id = ${org.id} and m.scim_user_name is not null and lower(m.scim_user_name) = ${name(i)}`.execute(
        db,
      ),
    );
  } finally {
    await server.close();
    await fresh?.drop();
  }
}

await main();
