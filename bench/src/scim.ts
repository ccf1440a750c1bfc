/**
 * `pnpm --filter @gatehouse/bench bench:scim` (or `pnpm bench:scim` from `bench/`): SCIM 2.0
 * ingest and filter lookups against the real server over HTTP (S1–S3).
 *
 * 1. Ingest: `--users` POST /Users (default 10,000) with `--concurrency` requests in flight,
 *    then `--groups` POST /Groups (default 200) with `--members` members each: users/s,
 *    groups/s, memberships/s and the p50/p99 of one request; then `--patches` group PATCHes
 *    (default 200), each adding `--patch-members` members (default 20) to one of those groups
 *    (issue 15's "PATCH of a group adding 20 members"): PATCHes/s and p50/p99.
 * 2. Lookups at `--total` users (default 100,000): the users beyond the ingested ones are
 *    bulk-inserted in SQL (same document shape), then each filter runs `--lookups` times over
 *    HTTP: p50/p99/max per filter, every one in the database.
 *
 * PGlite in memory by default; a fresh database on the PostgreSQL server when DATABASE_URL is
 * set. Prints a table and writes bench/results/scim.json.
 *
 *   node dist/scim.js [--users 10000] [--groups 200] [--members 50] [--total 100000]
 *     [--lookups 300] [--concurrency 4] [--profile lookups.cpuprofile] [--peer 0]
 *     [--client-process] [--client fetch|lean]
 *
 * `--profile FILE` writes a CPU profile (Chrome DevTools format) of the lookups phase alone;
 * `--peer 0` skips SCIMMY's in-memory peer. `--client-process` runs the ingest's client in a child
 * process (`./scim-client.ts`), as an identity provider is another machine: the server's process
 * then pays only for the server (by default they share one event loop). `--client lean` gives the
 * ingest's client a fetch on node:http (./lean-fetch.ts) that costs it far less CPU than Node's
 * global `fetch`, so that on a machine of two cores the client takes less of the server's share.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from '@gatehouse/db';
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import { groupCommitStats } from '@gatehouse/domain';
import { createGatehouse, createScimClient, scimFilter } from '@gatehouse/sdk';
import { configFromEnv, startServer } from '@gatehouse/server';
import {
  DEPARTMENTS,
  ENTERPRISE,
  type IngestPlan,
  type IngestResult,
  pool,
  prng,
  retryingFetch,
  runIngest,
  user,
} from './scim-ingest.js';
import { scimmyFilterLookups } from './scimmy-peer.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    users: { type: 'string', default: '10000' },
    groups: { type: 'string', default: '200' },
    members: { type: 'string', default: '50' },
    total: { type: 'string', default: '100000' },
    lookups: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '4' },
    patches: { type: 'string', default: '200' },
    'patch-members': { type: 'string', default: '20' },
    /** Also ingest `--users` more users through `POST /Bulk`, this many operations a request. */
    bulk: { type: 'string', default: '100' },
    /** Writes a CPU profile of the lookups phase (server and client: one process) to this file. */
    profile: { type: 'string' },
    /** 0 skips SCIMMY's in-memory peer. */
    peer: { type: 'string', default: '1' },
    /** Runs the ingest's client in a child process (as an IdP is another machine). */
    'client-process': { type: 'boolean', default: false },
    /** The ingest client's HTTP: `fetch` (Node's) or `lean` (node:http, ./lean-fetch.ts). */
    client: { type: 'string', default: 'fetch' },
  },
});
const USERS = Number(values.users);
const GROUPS = Number(values.groups);
const MEMBERS = Number(values.members);
const TOTAL = Math.max(Number(values.total), USERS);
const LOOKUPS = Number(values.lookups);
const CONCURRENCY = Number(values.concurrency);
if (values.client !== 'fetch' && values.client !== 'lean') {
  throw new Error(`--client must be fetch or lean, not ${values.client}`);
}
const BULK = Number(values.bulk);
const PATCHES = Number(values.patches);
const PATCH_MEMBERS = Number(values['patch-members']);
const ADMIN_KEY = 'bench-scim-admin-key-0123456789abcdef0123';

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN;
const fmt = (n: number, d = 1) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
    : '—';

/** The ingest phase run by `./scim-client.ts` in a child process. */
function ingestInChild(plan: IngestPlan): Promise<IngestResult> {
  const child = fork(fileURLToPath(new URL('./scim-client.js', import.meta.url)), [
    JSON.stringify(plan),
  ]);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as IngestResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the ingest client exited with ${code}`));
    });
  });
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
      // Issue 15: GATEHOUSE_GROUP_COMMIT=0 measures writes without group commit.
      ...(process.env.GATEHOUSE_GROUP_COMMIT
        ? { GATEHOUSE_GROUP_COMMIT: process.env.GATEHOUSE_GROUP_COMMIT }
        : {}),
    }),
  );
  const backend = fresh ? 'postgres' : 'pglite';
  try {
    const admin = createGatehouse({ url: server.url, apiKey: ADMIN_KEY });
    const { result: org } = await admin.api.orgs.create.mutate({
      name: 'SCIM bench',
      preset: 'flowcode',
      owner: { email: 'owner@bench.example' },
    });
    const { result: issued } = await admin.api.scimTokens.create.mutate({
      orgId: org.id,
      name: 'bench',
    });
    const retrying = retryingFetch();
    const scim = createScimClient({ url: server.url, token: issued.token, fetch: retrying.fetch });
    console.log(
      `SCIM bench on ${backend}: ${USERS} users, ${GROUPS} groups × ${MEMBERS} members, lookups at ${TOTAL} users`,
    );

    // 1. Ingest over HTTP, in this process or (`--client-process`) in a child of its own.
    const plan: IngestPlan = {
      url: server.url,
      token: issued.token,
      users: USERS,
      groups: GROUPS,
      members: MEMBERS,
      patches: PATCHES,
      patchMembers: PATCH_MEMBERS,
      concurrency: CONCURRENCY,
      client: values.client === 'lean' ? 'lean' : 'fetch',
    };
    const cpu0 = process.cpuUsage();
    const ran = values['client-process'] ? await ingestInChild(plan) : await runIngest(plan);
    const cpu = process.cpuUsage(cpu0);
    const { ids, userLat, usersSec, groupLat, groupsSec, patchLat, patchSec, patchCount } = ran;
    const retries = ran.retries;
    const ingest = {
      users: USERS,
      usersSeconds: usersSec,
      usersPerSecond: USERS / usersSec,
      userP50ms: quantile(userLat, 0.5),
      userP99ms: quantile(userLat, 0.99),
      groups: GROUPS,
      membersPerGroup: MEMBERS,
      groupsSeconds: groupsSec,
      groupsPerSecond: GROUPS / groupsSec,
      membershipsPerSecond: (GROUPS * MEMBERS) / groupsSec,
      groupP50ms: quantile(groupLat, 0.5),
      groupP99ms: quantile(groupLat, 0.99),
      patches: patchCount,
      membersPerPatch: PATCH_MEMBERS,
      patchesPerSecond: patchCount / patchSec,
      patchP50ms: quantile(patchLat, 0.5),
      patchP99ms: quantile(patchLat, 0.99),
      /** Requests retried after a dropped connection (client-side, see `retryingFetch`). */
      retries,
    };
    console.log(
      `ingest: ${fmt(ingest.usersPerSecond)} users/s (p50 ${fmt(ingest.userP50ms)} ms, p99 ${fmt(ingest.userP99ms)} ms); ` +
        `${fmt(ingest.groupsPerSecond)} groups/s, ${fmt(ingest.membershipsPerSecond, 0)} memberships/s`,
    );
    if (patchCount) {
      console.log(
        `group PATCH adding ${PATCH_MEMBERS} members: ${fmt(ingest.patchesPerSecond)}/s (p50 ${fmt(ingest.patchP50ms)} ms, p99 ${fmt(ingest.patchP99ms)} ms)`,
      );
    }
    if (values['client-process']) {
      // The server's own CPU for the whole ingest phase (the client runs in its child).
      const ms = (cpu.user + cpu.system) / 1000;
      const writes = USERS + GROUPS + patchCount;
      console.log(
        `server CPU during ingest: ${fmt(ms, 0)} ms, ${fmt(ms / writes, 2)} ms per write; client (${values.client}) ${fmt(ran.cpuMs / writes, 2)} ms per write`,
      );
    }
    // Issue 15: how the writes were batched (0 batches: group commit off), how many of them ran
    // in a set-based run, and how many batches were replayed one write at a time.
    console.log(
      `group commit: ${groupCommitStats.writes} writes in ${groupCommitStats.batches} batches (largest ${groupCommitStats.largest}); ${groupCommitStats.batched} set-based, ${groupCommitStats.replays} replays`,
    );

    // 2. Grow the directory to TOTAL users in SQL, the same document shape as `user(i)`.
    const db = server.gatedb.db;
    const t0 = performance.now();
    for (let from = USERS; from < TOTAL; from += 20_000) {
      const to = Math.min(TOTAL, from + 20_000) - 1;
      await sql`insert into users (id, email, email_lower, name, updated_at)
        select 'usr_bench' || lpad(i::text, 8, '0'), 'user' || i || '@bench.example',
               'user' || i || '@bench.example', 'User ' || i, now()
          from generate_series(${from}::int, ${to}::int) i`.execute(db);
      await sql`insert into members (org_id, user_id, status, external_id, scim_user_name, scim_doc, updated_at)
        select ${org.id}, 'usr_bench' || lpad(i::text, 8, '0'), 'active', 'ext-' || i,
               'user' || i || '@bench.example',
               jsonb_build_object(
                 'schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User', ${ENTERPRISE}::text),
                 'displayName', 'User ' || i,
                 'name', jsonb_build_object('givenName', 'Given' || i, 'familyName', 'Family' || (i % 1000)),
                 'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@bench.example', 'type', 'work', 'primary', true)),
                 ${ENTERPRISE}::text, jsonb_build_object('employeeNumber', (100000 + i)::text,
                   'department', (array['Engineering','Sales','Marketing','Support','Finance','Legal','HR','Ops'])[(i % 8) + 1])),
               clock_timestamp() - make_interval(secs => ${TOTAL}::int - i)
          from generate_series(${from}::int, ${to}::int) i`.execute(db);
    }
    await sql`analyze members`.execute(db);
    await sql`analyze users`.execute(db);
    const seedSec = (performance.now() - t0) / 1000;
    const count = (await scim.users.list({ count: 0 })).totalResults;
    console.log(
      `directory: ${count} SCIM users (${TOTAL - USERS} seeded in SQL in ${fmt(seedSec)} s)`,
    );

    // 3. Filter lookups over HTTP.
    const pick = prng(7);
    const anyUser = () => Math.floor(pick() * TOTAL);
    const recent = new Date(Date.now() - 60_000).toISOString();
    const filters: Array<{ name: string; filter: () => string; count?: number; expect?: number }> =
      [
        {
          name: 'userName eq',
          filter: () => scimFilter.eq('userName', `USER${anyUser()}@bench.example`),
          expect: 1,
        },
        {
          name: 'externalId eq',
          filter: () => scimFilter.eq('externalId', `ext-${anyUser()}`),
          expect: 1,
        },
        {
          name: 'id eq',
          filter: () => scimFilter.eq('id', ids[Math.floor(pick() * USERS)]!),
          expect: 1,
        },
        {
          name: 'enterprise employeeNumber eq',
          filter: () => scimFilter.eq(`${ENTERPRISE}:employeeNumber`, String(100000 + anyUser())),
          expect: 1,
        },
        {
          name: 'userName eq and active eq true',
          filter: () =>
            scimFilter.and(
              scimFilter.eq('userName', `user${anyUser()}@bench.example`),
              scimFilter.eq('active', true),
            ),
          expect: 1,
        },
        {
          name: 'department eq (page of 100)',
          filter: () =>
            scimFilter.eq(`${ENTERPRISE}:department`, DEPARTMENTS[Math.floor(pick() * 8)]!),
          count: 100,
        },
        {
          name: 'meta.lastModified gt (page of 100)',
          filter: () => scimFilter.gt('meta.lastModified', recent),
          count: 100,
        },
        {
          name: 'emails[type eq "work" and value eq …]',
          filter: () =>
            scimFilter.valuePath(
              'emails',
              `type eq "work" and value eq "user${anyUser()}@bench.example"`,
            ),
          expect: 1,
        },
        {
          name: 'displayName sw (page of 100)',
          filter: () => scimFilter.sw('displayName', `User 9${Math.floor(pick() * 10)}`),
          count: 100,
        },
      ];
    const lookups = [];
    const profiler = values.profile ? await startProfiler() : undefined;
    for (const f of filters) {
      const n = f.name.startsWith('emails') ? Math.max(10, Math.floor(LOOKUPS / 10)) : LOOKUPS;
      await scim.users.list({ filter: f.filter(), count: f.count ?? 10 }); // warm-up
      const samples: number[] = [];
      let total = 0;
      for (let i = 0; i < n; i++) {
        const filter = f.filter();
        const t = performance.now();
        const page = await scim.users.list({ filter, count: f.count ?? 10 });
        samples.push(performance.now() - t);
        total = page.totalResults;
        if (f.expect !== undefined && page.totalResults !== f.expect) {
          throw new Error(`${filter}: ${page.totalResults} results, expected ${f.expect}`);
        }
      }
      samples.sort((x, y) => x - y);
      const r = {
        filter: f.name,
        lookups: n,
        totalResults: total,
        p50ms: quantile(samples, 0.5),
        p99ms: quantile(samples, 0.99),
        maxms: samples[samples.length - 1]!,
      };
      lookups.push(r);
      console.log(
        `  ${r.filter.padEnd(42)} p50 ${fmt(r.p50ms).padStart(7)} ms  p99 ${fmt(r.p99ms).padStart(7)} ms  (${n} lookups, ${total} matches)`,
      );
    }

    if (profiler && values.profile) {
      writeFileSync(values.profile, JSON.stringify(await profiler.stop()));
      console.log(`CPU profile of the lookups: ${values.profile}`);
    }

    // 4. The peer: SCIMMY's in-memory filter over the same 100k documents (no HTTP, no DB).
    const withPeer = values.peer !== '0';
    const { rows: docRows } = await sql<{
      user_id: string;
      scim_user_name: string;
      external_id: string | null;
      scim_doc: Record<string, unknown>;
    }>`select user_id, scim_user_name, external_id, scim_doc from members
        where org_id = ${org.id} and scim_user_name is not null and ${withPeer}`.execute(
      server.gatedb.db,
    );
    const docs = docRows.map((r) => ({
      ...r.scim_doc,
      id: r.user_id,
      userName: r.scim_user_name,
      externalId: r.external_id,
    }));
    const peerRuns = Math.max(10, Math.floor(LOOKUPS / 10));
    const peerFilters: Array<{ name: string; filter: () => string }> = [
      {
        name: 'userName eq',
        filter: () => scimFilter.eq('userName', `user${anyUser()}@bench.example`),
      },
      { name: 'externalId eq', filter: () => scimFilter.eq('externalId', `ext-${anyUser()}`) },
      {
        name: 'emails[type eq "work" and value eq …]',
        filter: () =>
          scimFilter.valuePath(
            'emails',
            `type eq "work" and value eq "user${anyUser()}@bench.example"`,
          ),
      },
    ];
    console.log(
      `peer: SCIMMY's in-memory filter over the same ${docs.length} documents, in process`,
    );
    const peer = [];
    for (const f of withPeer ? peerFilters : []) {
      const r = {
        filter: f.name,
        runs: peerRuns,
        ...scimmyFilterLookups(docs, f.filter, peerRuns),
      };
      const ours = lookups.find((l) => l.filter === f.name);
      peer.push({ ...r, p99Ratio: ours ? r.p99ms / ours.p99ms : null });
      console.log(
        `  ${r.filter.padEnd(42)} p50 ${fmt(r.p50ms).padStart(7)} ms  p99 ${fmt(r.p99ms).padStart(7)} ms  (${r.matches} matches)${ours ? `  Gatehouse p99 is ${fmt(r.p99ms / ours.p99ms)}× faster` : ''}`,
      );
    }

    // 4. The same number of users again through POST /Bulk (RFC 7644 §3.7), BULK a request,
    // after the lookups so their expected counts hold. Each operation is still its own write.
    const bulk = BULK > 0 ? await bulkIngest(server.url, issued.token, USERS, BULK) : null;
    if (bulk) {
      console.log(
        `bulk ingest: ${fmt(bulk.usersPerSecond)} users/s in ${bulk.requests} requests of ${BULK} (${fmt(bulk.usersPerSecond / ingest.usersPerSecond, 2)}× one POST per user)`,
      );
    }

    const result = {
      at: new Date().toISOString(),
      backend,
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '',
      /** 1/5/15-minute load averages at the end (other processes share the CPUs). */
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      concurrency: CONCURRENCY,
      ingest,
      bulk,
      directoryUsers: count,
      lookups,
      /** SCIMMY's in-memory filter over the same documents (p99Ratio: its p99 / Gatehouse's). */
      peer,
      /** All requests retried after a dropped connection, ingest and lookups. */
      retries: retries + retrying.retries(),
    };
    const dir = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      `${dir}scim${backend === 'postgres' ? '-postgres' : ''}.json`,
      `${JSON.stringify(result, null, 2)}\n`,
    );
  } finally {
    await server.close();
    await fresh?.drop();
  }
}

/** Starts V8's CPU profiler in this process; `stop()` returns the profile. */
async function startProfiler(): Promise<{ stop(): Promise<object> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}

/** Ingests `n` new users through `POST /Bulk`, `perRequest` operations a request, CONCURRENCY in flight. */
async function bulkIngest(url: string, token: string, n: number, perRequest: number) {
  const first = 10_000_000;
  const requests = Math.ceil(n / perRequest);
  let failed = 0;
  const t0 = performance.now();
  const lat = await pool(requests, CONCURRENCY, async (r) => {
    const Operations = [];
    for (let i = r * perRequest; i < Math.min(n, (r + 1) * perRequest); i++) {
      Operations.push({ method: 'POST', bulkId: `u${i}`, path: '/Users', data: user(first + i) });
    }
    const res = await fetch(`${url}/scim/v2/Bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations,
      }),
    });
    if (res.status !== 200) throw new Error(`Bulk answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { Operations: Array<{ status: string }> };
    failed += body.Operations.filter((o) => o.status !== '201').length;
  });
  if (failed > 0) throw new Error(`${failed} bulk operations failed`);
  const seconds = (performance.now() - t0) / 1000;
  return {
    users: n,
    perRequest,
    requests,
    seconds,
    usersPerSecond: n / seconds,
    requestP50ms: quantile(lat, 0.5),
    requestP99ms: quantile(lat, 0.99),
  };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
