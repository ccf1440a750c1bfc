/**
 * The ingest phase of `bench:scim` (users, then groups, then group PATCHes over HTTP), run in the
 * bench's process or, with `--client-process`, in a child process of its own
 * (`./scim-client.ts`), as an identity provider is another machine: then the server's process
 * pays only for the server.
 */
import { createScimClient, ScimError, type ScimUser, scimFilter } from '@gatehouse/sdk';
import { leanFetch } from './lean-fetch.js';

/** What the ingest phase needs. */
export interface IngestPlan {
  readonly url: string;
  readonly token: string;
  readonly users: number;
  readonly groups: number;
  readonly members: number;
  readonly patches: number;
  readonly patchMembers: number;
  readonly concurrency: number;
  /**
   * The client's HTTP: `fetch` (Node's global fetch) or `lean` (node:http, ./lean-fetch.ts,
   * less client CPU on the server's cores); default `fetch`.
   */
  readonly client?: 'fetch' | 'lean' | undefined;
}

/** What it measured: latencies (sorted, ms) and seconds per phase, and the users' ids. */
export interface IngestResult {
  readonly ids: string[];
  readonly userLat: number[];
  readonly usersSec: number;
  readonly groupLat: number[];
  readonly groupsSec: number;
  readonly patchLat: number[];
  readonly patchSec: number;
  readonly patchCount: number;
  readonly retries: number;
  /** CPU (user + system) of the process that ran the ingest, in ms. */
  readonly cpuMs: number;
}

/** The enterprise extension's URN. */
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** The departments users are spread over (a filter of the lookups phase). */
export const DEPARTMENTS = [
  'Engineering',
  'Sales',
  'Marketing',
  'Support',
  'Finance',
  'Legal',
  'HR',
  'Ops',
];

/** Deterministic PRNG (mulberry32): the same run picks the same users. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `task(i)` for i in [0, n) with `limit` in flight; returns each task's latency in ms. */
export async function pool(
  n: number,
  limit: number,
  task: (i: number) => Promise<void>,
): Promise<number[]> {
  const latencies = new Array<number>(n);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t = performance.now();
      await task(i);
      latencies[i] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return latencies.sort((x, y) => x - y);
}

export function user(i: number): ScimUser {
  const name = `user${i}@bench.example`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName: name,
    externalId: `ext-${i}`,
    displayName: `User ${i}`,
    name: { givenName: `Given${i}`, familyName: `Family${i % 1000}` },
    active: true,
    emails: [{ value: name, type: 'work', primary: true }],
    [ENTERPRISE]: {
      employeeNumber: String(100000 + i),
      department: DEPARTMENTS[i % DEPARTMENTS.length],
    },
  };
}

/**
 * A `fetch` that retries an idempotent GET once when its connection dropped, and how many it
 * retried. PGlite runs in the server's thread: a long statement (bulk seeding, a snapshot load)
 * stalls the event loop, and the keep-alive timers of client and server can then fire in either
 * order. Creates are retried by their callers, the way an IdP does.
 */
export function retryingFetch(base: typeof fetch = fetch): {
  fetch: typeof fetch;
  retries(): number;
} {
  let retries = 0;
  return {
    fetch: async (input, init) => {
      try {
        return await base(input, init);
      } catch (e) {
        if ((init?.method ?? 'GET') !== 'GET') throw e;
        retries++;
        return base(input, init);
      }
    },
    retries: () => retries,
  };
}

/** Runs the ingest phase against the server at `plan.url`. */
export async function runIngest(plan: IngestPlan): Promise<IngestResult> {
  const USERS = plan.users;
  const GROUPS = plan.groups;
  const MEMBERS = plan.members;
  const PATCHES = plan.patches;
  const PATCH_MEMBERS = plan.patchMembers;
  const CONCURRENCY = plan.concurrency;
  const retrying = retryingFetch(plan.client === 'lean' ? leanFetch(CONCURRENCY) : fetch);
  let retries = 0;
  const cpu0 = process.cpuUsage();
  const scim = createScimClient({ url: plan.url, token: plan.token, fetch: retrying.fetch });
  // 1. Ingest over HTTP.
  const ids: string[] = new Array(USERS);
  /**
   * As an IdP does: a request whose connection dropped is retried, and a 409 on the retry
   * means the first attempt went through (found again by userName). Server and client share
   * this process's event loop, so a long pause can race the keep-alive timeouts.
   */
  const create = async (i: number): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await scim.users.create(user(i))).id!;
      } catch (e) {
        if (e instanceof ScimError && e.status === 409 && attempt > 0) {
          const found = await scim.users.list({
            filter: scimFilter.eq('userName', user(i).userName),
          });
          return found.Resources[0]!.id!;
        }
        if (e instanceof ScimError || attempt >= 3) throw e;
        retries++;
      }
    }
  };
  let t0 = performance.now();
  const userLat = await pool(USERS, CONCURRENCY, async (i) => {
    ids[i] = await create(i);
    if ((i + 1) % 1000 === 0) process.stdout.write(`  ${i + 1} users\r`);
  });
  const usersSec = (performance.now() - t0) / 1000;
  const rand = prng(42);
  t0 = performance.now();
  const groupIds: string[] = [];
  const groupLat = await pool(GROUPS, CONCURRENCY, async (g) => {
    const members = new Set<string>();
    while (members.size < Math.min(MEMBERS, USERS)) members.add(ids[Math.floor(rand() * USERS)]!);
    const group = {
      displayName: `Group ${g}`,
      externalId: `grp-${g}`,
      members: [...members].map((value) => ({ value })),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        groupIds.push((await scim.groups.create(group)).id!);
        return;
      } catch (e) {
        if (e instanceof ScimError && e.status === 409 && attempt > 0) return; // it went through
        if (e instanceof ScimError || attempt >= 3) throw e;
        retries++;
      }
    }
  });
  const groupsSec = (performance.now() - t0) / 1000;
  // Group PATCHes, each adding PATCH_MEMBERS users (mostly not yet members) to one group.
  const patchCount = groupIds.length ? PATCHES : 0;
  t0 = performance.now();
  const patchLat = await pool(patchCount, CONCURRENCY, async (p) => {
    const add = new Set<string>();
    while (add.size < Math.min(PATCH_MEMBERS, USERS)) add.add(ids[Math.floor(rand() * USERS)]!);
    await scim.groups.patch(groupIds[p % groupIds.length]!, [
      { op: 'add', path: 'members', value: [...add].map((value) => ({ value })) },
    ]);
  });
  const patchSec = (performance.now() - t0) / 1000;
  retries += retrying.retries();
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    ids,
    userLat,
    usersSec,
    groupLat,
    groupsSec,
    patchLat,
    patchSec,
    patchCount,
    retries,
    cpuMs,
  };
}
