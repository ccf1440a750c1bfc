/**
 * Issue 15 group commit: concurrent `orgWrite`s on one org in this process queue up, and the
 * first becomes the leader. It opens ONE transaction, locks the org and bumps its revision ONCE,
 * then runs the queued writes (up to GROUP_COMMIT_MAX, counting those that arrive meanwhile) one
 * after another, each on the engine the previous successful write left, checked exactly as a
 * write alone is (access rules, invariants, seed 004). The first pass is optimistic: no
 * savepoints (they were one round trip per write). If the first write fails the transaction is
 * rolled back, its caller gets its error and the leader starts again with the others; if a later
 * one fails, the whole pass is rolled back and the batch runs again with each later write inside
 * its own SAVEPOINT: one that throws is rolled back to it alone and its caller gets its own error
 * (its rows, journal entries, audits and events are gone), the others go on. A write's code may
 * so run twice; nothing of the first run outlives its rolled-back transaction. At the end one statement
 * writes the audit rows of every successful write in order, the outbox events and the NOTIFY;
 * then COMMIT, and each successful caller gets its result with the batch's revision. If COMMIT
 * or anything outside a savepoint fails, every caller of the batch gets that error and nothing
 * of the batch is kept.
 */
import type { Engine } from '@gatehouse/core';
import { type Database, sql, type Transaction } from '@gatehouse/db';
import type { OrgCall } from './call.js';
import { type OrgHead, readActorLabel } from './org-head.js';
import {
  assertOrgAccess,
  finishWrites,
  givePersonalOrgs,
  type OrgWrite,
  openOrgWrite,
  pruneNow,
  type RunWrite,
  type WriteResult,
  type WriteStep,
  writeBatchStep,
  writeStep,
} from './org-write.js';
import type { Services } from './services.js';
import type { WriteBatch } from './write-batch.js';

/** The most writes one batch takes (PostgreSQL keeps 64 subtransactions per backend cheaply). */
export const GROUP_COMMIT_MAX = 64;

/** A queued write and how to answer its caller. */
interface Pending {
  readonly call: OrgCall;
  readonly fn: (w: OrgWrite) => Promise<unknown>;
  /** How it may run set-based with like writes (./write-batch.ts). */
  readonly batch: WriteBatch<unknown, unknown> | undefined;
  resolve(r: WriteResult<unknown>): void;
  reject(e: unknown): void;
}

/** One org's queue in one process. */
interface OrgQueue {
  readonly pending: Pending[];
  running: boolean;
}

/** Queues per services object (one per process, more in tests), per org. */
const queues = new WeakMap<Services, Map<string, OrgQueue>>();

/**
 * Counters for tests and the benchmark: batches committed, the writes they carried, and the
 * batches run again with savepoints after a write failed in the optimistic pass.
 */
export const groupCommitStats = {
  batches: 0,
  writes: 0,
  largest: 0,
  replays: 0,
  /** Writes that committed as part of a set-based run (./write-batch.ts). */
  batched: 0,
};

/** `orgWrite` through the org's queue: resolves once the batch that carried it has committed. */
export function groupCommitWrite<T>(
  call: OrgCall,
  fn: (w: OrgWrite) => Promise<T>,
  batch?: WriteBatch<unknown, T>,
): Promise<WriteResult<T>> {
  assertOrgAccess(call.caller, call.orgId);
  let byOrg = queues.get(call.services);
  if (!byOrg) {
    byOrg = new Map();
    queues.set(call.services, byOrg);
  }
  let q = byOrg.get(call.orgId);
  if (!q) {
    q = { pending: [], running: false };
    byOrg.set(call.orgId, q);
  }
  const queue = q;
  const done = new Promise<WriteResult<T>>((resolve, reject) => {
    queue.pending.push({
      call,
      fn,
      batch: batch as WriteBatch<unknown, unknown> | undefined,
      resolve: resolve as (r: WriteResult<unknown>) => void,
      reject,
    });
  });
  if (!queue.running) void lead(call.services, call.orgId, queue, byOrg);
  return done;
}

/** The leader: runs batches while writes are queued. */
async function lead(
  services: Services,
  orgId: string,
  q: OrgQueue,
  byOrg: Map<string, OrgQueue>,
): Promise<void> {
  q.running = true;
  try {
    while (q.pending.length > 0) {
      // One turn of the event loop first: writes whose requests are already in (their bodies
      // read in the same turn) join this batch. PGlite runs a whole transaction without
      // yielding to I/O, so without it no write ever reached a batch in progress.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await runBatch(services, orgId, q).catch(() => {
        // runBatch answers its callers itself; nothing may stop the queue.
      });
    }
  } finally {
    q.running = false;
    if (q.pending.length === 0) byOrg.delete(orgId);
  }
}

/** A write taken into a batch, and how it went. */
interface Taken {
  readonly p: Pending;
  ok?: WriteStep<unknown>;
  personal?: RunWrite<void>[];
  error?: unknown;
}

/** One transaction carrying one or more queued writes (see the file comment). */
async function runBatch(services: Services, orgId: string, q: OrgQueue): Promise<void> {
  const taken: Taken[] = [];
  let revision = 0;
  try {
    try {
      // Optimistic: no savepoints. A later write that fails rolls the whole batch back, and the
      // batch runs again, each later write in its own savepoint.
      revision = await attempt(services, orgId, q, taken, false);
    } catch (e) {
      if (!(e instanceof ReplayWithSavepoints)) throw e;
      for (const t of taken) {
        t.ok = undefined;
        t.personal = undefined;
        t.error = undefined;
      }
      groupCommitStats.replays++;
      revision = await attempt(services, orgId, q, taken, true);
    }
  } catch (e) {
    // The first write failed (in a replay, the others had not run yet): it alone gets its
    // error, the others go back to the head of the queue for the next batch.
    const first = taken[0];
    if (first?.error !== undefined && first.ok === undefined) {
      first.p.reject(first.error);
      q.pending.unshift(...taken.slice(1).map((t) => t.p));
      return;
    }
    // Nothing of the batch is kept: every caller gets the error (a write that failed on its
    // own gets its own).
    for (const t of taken) t.p.reject(t.error ?? e);
    // The transaction did not even start (no connection): the first queued caller gets why,
    // so a queue cannot spin on a database that is down.
    if (taken.length === 0) q.pending.shift()?.reject(e);
    return;
  }
  groupCommitStats.batches++;
  groupCommitStats.writes += taken.length;
  groupCommitStats.largest = Math.max(groupCommitStats.largest, taken.length);
  try {
    const kept = taken.filter((t) => t.ok);
    // The batch took the org from revision - 1 to revision (one lock, one bump).
    if (!kept.some((t) => t.ok!.changesCredentials)) {
      services.engines.noteCredentialsKept(orgId, revision - 1, revision);
    }
    services.engines.noteRevision(orgId, revision);
    // The last successful write's engine is the batch's; earlier ones are older at its label.
    kept.at(-1)?.ok?.keep();
    for (const t of kept) {
      for (const w of t.personal ?? []) {
        services.engines.noteRevision(w.orgId, w.revision);
        w.keep();
      }
    }
  } finally {
    // Committed: every caller is answered even if offering an engine to the cache failed.
    for (const t of taken) {
      if (t.ok) t.p.resolve({ result: t.ok.result, revision });
      else t.p.reject(t.error);
    }
  }
}

/** Thrown out of an optimistic pass when a later write failed: the batch runs again. */
class ReplayWithSavepoints extends Error {}

/**
 * One pass of a batch in one transaction: the writes of `taken` (a replay), then the queued ones
 * as they are taken (those arriving meanwhile included). `savepoints`:
 * each write after the first runs in its own savepoint and a failure is rolled back to it alone;
 * without, a failure of any but the first throws `ReplayWithSavepoints`. Only a pass without
 * savepoints runs like writes set-based (./write-batch.ts); if such a run fails, whichever its
 * place, the batch runs again with savepoints and every write on its own. Returns the revision.
 */
async function attempt(
  services: Services,
  orgId: string,
  q: OrgQueue,
  taken: Taken[],
  savepoints: boolean,
): Promise<number> {
  let revision = 0;
  const replay = taken.length > 0;
  await services.db.transaction().execute(async (trx) => {
    if (!replay) taken.push({ p: q.pending.shift()! });
    const leader = taken[0]!.p.call;
    const opened = await openOrgWrite(services, trx, leader.caller, orgId);
    const { head, preset } = opened;
    revision = head.revision;
    let engine: Engine = opened.engine;
    // After the first step: the engine is the batch's own, and the next step catches up only
    // the journal entries after the previous one's.
    let sameRevision = false;
    let journalMark: number | undefined;
    // A replay runs the writes taken so far again, then goes on taking queued ones.
    const next = (i: number): Taken | undefined => {
      if (i < taken.length) return taken[i];
      if (q.pending.length === 0 || taken.length >= GROUP_COMMIT_MAX) return undefined;
      const t: Taken = { p: q.pending.shift()! };
      taken.push(t);
      return t;
    };
    for (let i = 0, t = next(0); t; t = next(i)) {
      const own = await headFor(trx, head, leader, t.p.call);
      const at = { head: own, orgId, engine, preset, sameRevision, journalAfter: journalMark };
      const run = savepoints ? [] : likeWrites(q, taken, i);
      if (run.length > 1) {
        // Set-based: one step for the whole run; if it fails, everything runs again one by one.
        try {
          const steps = await writeBatchStep(services, trx, {
            ...at,
            items: run.map((r) => ({ caller: r.p.call.caller, input: r.p.batch!.input })),
            run: t.p.batch!.run,
          });
          const last = steps.at(-1)!;
          run[0]!.personal = await givePersonalOrgs(services, trx, t.p.call.caller, last);
          steps.forEach((step, k) => {
            run[k]!.ok = step;
          });
          engine = last.after;
          journalMark = last.journalMark;
        } catch {
          throw new ReplayWithSavepoints();
        }
        groupCommitStats.batched += run.length;
        sameRevision = true;
        i += run.length;
        continue;
      }
      // The first write needs no savepoint: if it fails, nothing else ran in the transaction.
      const savepoint = sql.raw(`group_write_${i}`);
      if (savepoints && i > 0) await sql`savepoint ${savepoint}`.execute(trx);
      try {
        const step = await writeStep(services, trx, { ...at, caller: t.p.call.caller, fn: t.p.fn });
        t.personal = await givePersonalOrgs(services, trx, t.p.call.caller, step);
        t.ok = step;
        engine = step.after;
        journalMark = step.journalMark;
      } catch (e) {
        t.error = e;
        t.ok = undefined;
        t.personal = undefined;
        if (i === 0) throw e;
        if (!savepoints) throw new ReplayWithSavepoints();
        await sql`rollback to savepoint ${savepoint}`.execute(trx);
      }
      sameRevision = true;
      i++;
    }
    await pruneNow(trx, orgId, revision);
    const drafts = taken.flatMap((t) => (t.ok ? [t.ok.draft] : []));
    await finishWrites(trx, head, drafts, { notify: true });
  });
  return revision;
}

/**
 * The run of like writes starting at `taken[i]` (./write-batch.ts): it and the queued writes
 * right behind it with the same batch key and the same caller, taken into the batch. Fewer than
 * two: none to run set-based.
 */
function likeWrites(q: OrgQueue, taken: Taken[], i: number): Taken[] {
  const first = taken[i]!;
  const key = first.p.batch?.key;
  if (key === undefined) return [];
  const like = (p: Pending) => p.batch?.key === key && sameCaller(first.p.call, p.call);
  let end = i + 1;
  while (end < taken.length && like(taken[end]!.p)) end++;
  if (end === taken.length) {
    while (taken.length < GROUP_COMMIT_MAX && q.pending[0] && like(q.pending[0])) {
      taken.push({ p: q.pending.shift()! });
    }
    end = taken.length;
  }
  return taken.slice(i, end);
}

/**
 * The head a batched write sees: the batch's (revision, audit head, clock), with its own caller's
 * label (read only when its credential differs from the leader's).
 */
async function headFor(
  trx: Transaction<Database>,
  head: OrgHead,
  leader: OrgCall,
  call: OrgCall,
): Promise<OrgHead> {
  assertOrgAccess(call.caller, call.orgId);
  if (samePrincipal(leader, call)) return head;
  return { ...head, actorLabel: await readActorLabel(trx, call.caller) };
}

/** Whether two calls act with the same credential (so audit entries name them alike). */
function samePrincipal(a: OrgCall, b: OrgCall): boolean {
  return JSON.stringify(a.caller.principal) === JSON.stringify(b.caller.principal);
}

/** Whether two calls act alike: the same credential, for the same user, from the same source. */
function sameCaller(a: OrgCall, b: OrgCall): boolean {
  return (
    samePrincipal(a, b) &&
    (a.caller.onBehalfOf ?? null) === (b.caller.onBehalfOf ?? null) &&
    a.caller.source === b.caller.source
  );
}
