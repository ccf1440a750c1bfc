/**
 * The unit of work every change of access goes through (DESIGN "The way a write flows"), as one
 * transaction: lock the org row and bump its revision → load the pre-write engine → the use case
 * authorizes, validates and writes → the engine the write would leave is derived, and the two
 * access rules and the invariants are checked on it (./access-rules.ts; seed 004's "every user
 * owns an organization" across orgs, ./rules/ownership.ts) → audit entries → outbox events →
 * NOTIFY (delivered on commit) → a personal org for each user who joined a seed 004 org owning
 * none, each as its own write in the same transaction. Any error rolls back everything; on
 * commit the derived engines are the cache's. With group commit (issue 15, ./group-commit.ts, on
 * unless `groupCommit: false`) concurrent `orgWrite`s on one org share the transaction, the lock
 * and the revision, and a failing write is rolled back to its own savepoint; like writes that
 * say how (`batch`, ./write-batch.ts) run as one set-based step.
 */

import { type Engine, type Environment, missingPermissions, type Preset } from '@gatehouse/core';
import { type Database, sql, type Transaction } from '@gatehouse/db';
import { type AuditInput, auditChainHash, auditRows, GENESIS_HASH } from './audit/index.js';
import type { OrgCall } from './call.js';
import { type Caller, principalId, principalOrg } from './context.js';
import { pruneJournal, REVISION_CHANNEL } from './engine/index.js';
import { DomainError, forbidden, notFound } from './errors.js';
import { groupCommitWrite } from './group-commit.js';
import { lockOrgHead, type OrgHead } from './org-head.js';
import {
  assertAccessRules,
  assertEveryUserOwnsAnOrg,
  assertInvariants,
  assertOutranks,
  preparePersonalOrg,
} from './rules/index.js';
import type { Services } from './services.js';
import type { BatchItem, WriteBatch } from './write-batch.js';

/** Every this many revisions, a write prunes its org's old snapshot-journal entries. */
const JOURNAL_PRUNE_EVERY = 250;

/** What a use case gets inside its transaction. */
export interface OrgWrite {
  readonly trx: Transaction<Database>;
  readonly orgId: string;
  /** The revision this write will commit as. */
  readonly revision: number;
  /** The org's state before this write. */
  readonly engine: Engine;
  /** The org's preset. */
  readonly preset: Preset;
  readonly caller: Caller;
  /** Throws FORBIDDEN unless the caller (and the user it acts for) holds `permission` at `scope`. */
  authorize(permission: string, scopeId: string, environment?: Environment): void;
  /**
   * Throws FORBIDDEN unless every acting subject holds, at every scope, everything `subjectId`
   * holds there: asked before acting on a subject without changing its access (rotating its
   * key, changing its email, ending its sessions). Changes of access are checked by the write
   * itself.
   */
  authorizeTarget(subjectId: string): void;
  /**
   * Throws FORBIDDEN unless every acting subject holds each of `permissions` at `scopeId` (for
   * checks without an environment): what defining a role, or minting a credential that stands
   * above members, asks for.
   */
  authorizeHolding(permissions: Iterable<string>, scopeId: string): void;
  /** Throws FORBIDDEN unless the caller may give (or take) `role` at `scope` (R6). */
  authorizeAssign(q: {
    role: string;
    scopeId: string;
    subjectId?: string;
    environment?: Environment | null;
  }): void;
  /** Records an audit entry, written at the end of the transaction. */
  audit(entry: AuditInput): void;
  /** Queues an outbox event, written at the end of the transaction. */
  emit(type: string, payload: Record<string, unknown>): void;
}

/** An audit entry a write appended: its place in the org's chain. */
export interface WrittenAudit {
  readonly seq: number;
  readonly id: string;
  readonly hash: string;
}

/** The result of a write: what the use case returned and the revision it committed as (C6). */
export interface WriteResult<T> {
  readonly result: T;
  readonly revision: number;
}

/**
 * Audit entity types of changes a cached credential may depend on: API clients and SCIM tokens
 * (created, renamed, rotated, revoked) and the org itself.
 */
const CREDENTIAL_ENTITIES: ReadonlySet<string> = new Set(['api_client', 'scim_token', 'org']);

/** canAssign denials that mean the request itself is wrong, whoever asks. */
const MODEL_CODES = new Set([
  'unknown_role',
  'unknown_scope',
  'role_not_allowed_here',
  'outside_group_limits',
]);

/**
 * Runs `fn` as one write on `orgId`: through the org's group-commit queue (./group-commit.ts),
 * or alone in its own transaction with `groupCommit: false` or `prepare`. `prepare` runs first in
 * the same transaction (org creation).
 */
export async function orgWrite<T, I = never>(
  call: OrgCall,
  fn: (w: OrgWrite) => Promise<T>,
  options: {
    prepare?: (trx: Transaction<Database>) => Promise<void>;
    /** How this write may run set-based with like writes queued behind it (./write-batch.ts). */
    batch?: WriteBatch<I, T>;
  } = {},
): Promise<WriteResult<T>> {
  if (!options.prepare && call.services.options?.groupCommit !== false) {
    return groupCommitWrite(call, fn, options.batch as WriteBatch<unknown, T> | undefined);
  }
  const written = await call.services.db.transaction().execute(async (trx) => {
    await options.prepare?.(trx);
    return orgWriteIn(trx, call, fn);
  });
  written.afterCommit();
  return { result: written.result, revision: written.revision };
}

/** An org write done inside a transaction its caller runs. */
export interface WriteInTransaction<T> extends WriteResult<T> {
  /** Call once the transaction has committed: the derived engines become the cache's. */
  afterCommit(): void;
}

/**
 * `orgWrite` inside a transaction the caller runs and commits, for a change that spans several
 * orgs as one transaction (`preset apply` moves every org of a preset). Lock orgs in one order
 * (by id) when writing several.
 */
export async function orgWriteIn<T>(
  trx: Transaction<Database>,
  call: OrgCall,
  fn: (w: OrgWrite) => Promise<T>,
  options: {
    /**
     * The write moves the org onto a new version of its preset and changes nobody's roles: the
     * seed 004 ownership rule, which compares who holds the owner role before and after, is
     * not asked (a renamed owner role keeps its holders).
     */
    modelMove?: boolean;
  } = {},
): Promise<WriteInTransaction<T>> {
  const { services, caller, orgId } = call;
  const done = await runOrgWrite(services, trx, caller, orgId, fn, options.modelMove ?? false);
  const personal = await givePersonalOrgs(services, trx, caller, done);
  const committed = [done, ...personal];
  return {
    result: done.result,
    revision: done.revision,
    afterCommit: () => {
      // The org row lock took it from revision - 1 to revision; personal orgs are new.
      if (!done.changesCredentials) {
        services.engines.noteCredentialsKept(done.orgId, done.revision - 1, done.revision);
      }
      for (const w of committed) {
        services.engines.noteRevision(w.orgId, w.revision);
        w.keep();
      }
    },
  };
}

/**
 * Seed 004: an org of their own for each user who joined `done`'s org owning no org of its
 * preset (./rules/personal-org.ts), written as the system with the triggering call's source and
 * request id. Its org row is new, so its lock waits for nobody (no lock-order cycle with the
 * joined org's); its first write checks it like any other and needs no further one (the user
 * joins it as Owner).
 */
export async function givePersonalOrgs(
  services: Services,
  trx: Transaction<Database>,
  caller: Caller,
  done: RunWrite<unknown>,
): Promise<RunWrite<void>[]> {
  const system: Caller = {
    principal: { kind: 'system' },
    source: caller.source,
    requestId: caller.requestId,
  };
  const out: RunWrite<void>[] = [];
  for (const userId of done.unowned) {
    const org = await preparePersonalOrg(trx, {
      userId,
      preset: done.preset,
      joinedOrgId: done.orgId,
    });
    out.push(await runOrgWrite(services, trx, system, org.orgId, org.write));
  }
  return out;
}

/** One org's write inside a transaction, with what to do once it has committed. */
export interface RunWrite<T> extends WriteResult<T> {
  readonly orgId: string;
  readonly preset: Preset;
  /** Seed 004: users who joined owning no org of the preset. */
  readonly unowned: readonly string[];
  /** Whether the write changed a credential (`WriteDraft.changesCredentials`). */
  readonly changesCredentials: boolean;
  /** Offers the derived engine to the cache (after the commit). */
  keep(): void;
}

async function runOrgWrite<T>(
  services: Services,
  trx: Transaction<Database>,
  caller: Caller,
  orgId: string,
  fn: (w: OrgWrite) => Promise<T>,
  modelMove = false,
): Promise<RunWrite<T>> {
  assertOrgAccess(caller, orgId);
  const { head, engine, preset } = await openOrgWrite(services, trx, caller, orgId);
  const revision = head.revision;
  const step = await writeStep(services, trx, {
    caller,
    head,
    orgId,
    engine,
    preset,
    fn,
    modelMove,
  });
  await pruneNow(trx, orgId, revision);
  await finishWrites(trx, head, [step.draft], { notify: true });
  return step;
}

/**
 * The start of every write of what engines read: the org row locked and its revision bumped
 * (`head`), the engine before the write and the org's preset.
 */
export async function openOrgWrite(
  services: Services,
  trx: Transaction<Database>,
  caller: Caller,
  orgId: string,
): Promise<{ head: OrgHead; engine: Engine; preset: Preset }> {
  const head = await lockOrgHead(trx, caller, orgId, true);
  if (!head) throw notFound(`organization ${orgId}`);
  const engine = await engineBefore(services, trx, orgId, head.revision - 1);
  const preset = await services.presetStore.resolve(trx, head.preset, head.presetVersion);
  return { head, engine, preset };
}

/** A write checked but not yet finished: its draft (audits, events) and the engine it leaves. */
export interface WriteStep<T> extends RunWrite<T> {
  readonly draft: WriteDraft;
  /** The engine the write leaves (not yet the cache's). */
  readonly after: Engine;
  /**
   * The highest journal `seq` its catch-up read (migration 0025): the batch's next write reads
   * only the entries after it (undefined: read the revision's entries in full).
   */
  readonly journalMark: number | undefined;
}

/** Where a step runs: the org locked (`head`) whose state is `engine`. */
interface StepAt {
  readonly head: OrgHead;
  readonly orgId: string;
  readonly engine: Engine;
  readonly preset: Preset;
  readonly modelMove?: boolean;
  /** `engine` is an earlier write's of the same batch (issue 15 group commit). */
  readonly sameRevision?: boolean;
  /** With `sameRevision`: the `journalMark` of the write that left `engine`. */
  readonly journalAfter?: number | undefined;
}

/** What a checked step leaves, whatever it wrote. */
type Checked = Omit<WriteStep<unknown>, 'result' | 'draft'>;

/**
 * One write on an org already locked (`head`) whose state is `engine`: the use case, the engine
 * it leaves, the two access rules, the invariants and seed 004's ownership rule. Writes nothing
 * of its own beyond what `fn` writes; `finishWrites` writes its audits and events. `sameRevision`:
 * `engine` is an earlier write's of the same batch (issue 15 group commit).
 */
export async function writeStep<T>(
  services: Services,
  trx: Transaction<Database>,
  q: StepAt & { readonly caller: Caller; readonly fn: (w: OrgWrite) => Promise<T> },
): Promise<WriteStep<T>> {
  const draft = new WriteDraft(trx, q.head, q.orgId, q.engine, q.preset, q.caller);
  const result = await q.fn(draft);
  const checked = await checkStep(services, trx, q, [draft]);
  return { ...checked, result, draft };
}

/**
 * Like writes run as ONE step (./write-batch.ts): each caller gets its own draft on the same
 * engine, `batch.run` writes them all, and what they leave together is caught up and checked
 * once. Returns each write's step, in order; they share the engine left and its checks.
 */
export async function writeBatchStep<I, T>(
  services: Services,
  trx: Transaction<Database>,
  q: StepAt & {
    readonly items: readonly { readonly caller: Caller; readonly input: I }[];
    readonly run: WriteBatch<I, T>['run'];
  },
): Promise<WriteStep<T>[]> {
  const items: BatchItem<I>[] = q.items.map((i) => ({
    w: new WriteDraft(trx, q.head, q.orgId, q.engine, q.preset, i.caller),
    input: i.input,
  }));
  const drafts = items.map((i) => i.w as WriteDraft);
  const results = await q.run(items);
  if (results.length !== items.length) throw new Error('a batch run answered the wrong count');
  const checked = await checkStep(services, trx, q, drafts);
  return drafts.map((draft, k) => ({
    ...checked,
    changesCredentials: draft.changesCredentials,
    result: results[k] as T,
    draft,
  }));
}

/** The engine `drafts` leave, caught up from the journal, and every rule checked on it. */
async function checkStep(
  services: Services,
  trx: Transaction<Database>,
  q: StepAt,
  drafts: readonly WriteDraft[],
): Promise<Checked> {
  const { head, orgId, engine, preset } = q;
  const revision = head.revision;
  const after = await services.engines.draft(
    trx,
    engine,
    revision,
    head.ms,
    q.sameRevision,
    q.journalAfter,
  );
  const actors =
    drafts.length === 1 ? drafts[0]!.actors : [...new Set(drafts.flatMap((d) => d.actors))];
  assertAccessRules({ before: engine, after: after.engine, affected: after.affected, actors });
  assertInvariants(engine, after.engine);
  const unowned = q.modelMove
    ? []
    : await assertEveryUserOwnsAnOrg({
        trx,
        orgId,
        preset,
        before: engine,
        after: after.engine,
        affected: after.affected,
      });
  return {
    revision,
    orgId,
    preset,
    unowned,
    keep: after.keep,
    changesCredentials: drafts.some((d) => d.changesCredentials),
    after: after.engine,
    journalMark: after.mark,
  };
}

/** The snapshot journal keeps an hour; an occasional writer (every JOURNAL_PRUNE_EVERY) trims it. */
export async function pruneNow(
  trx: Transaction<Database>,
  orgId: string,
  revision: number,
): Promise<void> {
  if (revision % JOURNAL_PRUNE_EVERY === 0) await pruneJournal(trx, orgId);
}

/**
 * Runs `fn` as a write on `orgId` that changes nothing the engine reads (sessions: login, logout,
 * revoke): the org row is locked (`FOR UPDATE`), so it is ordered with every other write of the
 * org (the audit chain; a login against a deactivation), authorized against the current engine,
 * audited and its events queued, but the revision does not move: engines are not invalidated and
 * nobody is notified. `revision` in the result is the org's current one. Writing anything the
 * snapshot holds through it would leave engines stale; use `orgWrite` for those.
 */
export async function orgEventWrite<T>(
  call: OrgCall,
  fn: (w: OrgWrite) => Promise<T>,
): Promise<WriteResult<T> & { readonly audited: readonly WrittenAudit[] }> {
  assertOrgAccess(call.caller, call.orgId);
  return call.services.db.transaction().execute((trx) => orgEventWriteIn(trx, call, fn));
}

/**
 * `orgEventWrite` inside a transaction its caller runs, for a change of something outside every
 * org that each org it touches records (a user's new password ends their sessions in every org,
 * audited in each). Lock orgs in one order (by id) when writing several, and before any other
 * row the transaction locks.
 */
export async function orgEventWriteIn<T>(
  trx: Transaction<Database>,
  call: OrgCall,
  fn: (w: OrgWrite) => Promise<T>,
): Promise<WriteResult<T> & { readonly audited: readonly WrittenAudit[] }> {
  const { caller, orgId, services } = call;
  assertOrgAccess(caller, orgId);
  const head = await lockOrgHead(trx, caller, orgId, false);
  if (!head) throw notFound(`organization ${orgId}`);
  const engine = await engineBefore(services, trx, orgId, head.revision);
  const preset = await services.presetStore.resolve(trx, head.preset, head.presetVersion);
  const draft = new WriteDraft(trx, head, orgId, engine, preset, caller);
  const result = await fn(draft);
  const audited = await finishWrites(trx, head, [draft], { notify: false });
  return { result, revision: head.revision, audited };
}

/** The `OrgWrite` a use case fills: authorization against the engine, queued audit and events. */
export class WriteDraft implements OrgWrite {
  private readonly audits: AuditInput[] = [];
  private readonly events: Array<{ type: string; payload: Record<string, unknown> }> = [];
  /** The acting subjects (empty for the instance admin, the system and SCIM). */
  readonly actors: readonly string[];

  readonly revision: number;

  constructor(
    readonly trx: Transaction<Database>,
    readonly head: OrgHead,
    readonly orgId: string,
    readonly engine: Engine,
    readonly preset: Preset,
    readonly caller: Caller,
  ) {
    this.revision = head.revision;
    this.actors = actingSubjects(caller, engine);
  }

  authorize(permission: string, scopeId: string, environment?: Environment): void {
    // An unknown scope is NOT_FOUND for everyone, before any permission question.
    if (!this.engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
    for (const subject of this.actors) {
      const d = this.engine.check({ subject, permission, scope: scopeId, environment });
      if (!d.allowed) throw forbidden(d.reason);
    }
  }

  authorizeTarget(subjectId: string): void {
    assertOutranks(this.engine, this.actors, subjectId);
  }

  authorizeHolding(permissions: Iterable<string>, scopeId: string): void {
    const wanted = [...permissions];
    for (const actor of this.actors) {
      const missing = missingPermissions(this.engine, actor, scopeId, null, wanted);
      if (missing.length > 0) {
        throw forbidden(
          `${actor} does not hold ${missing.join(', ')} at ${scopeId}, so it cannot hand ${missing.length > 1 ? 'them' : 'it'} on`,
          { code: 'escalation', scopeId, missing },
        );
      }
    }
  }

  authorizeAssign(q: {
    role: string;
    scopeId: string;
    subjectId?: string;
    environment?: Environment | null;
  }): void {
    const engine = this.engine;
    // A subject created in this very write is not in the pre-write engine yet; group limits
    // only matter for existing groups.
    const subject = q.subjectId && engine.hasSubject(q.subjectId) ? q.subjectId : undefined;
    const ask = (actor: string) =>
      engine.canAssign({
        actor,
        role: q.role,
        scope: q.scopeId,
        environment: q.environment ?? null,
        subject,
      });
    for (const actor of this.actors.length > 0 ? this.actors : ['']) {
      const d = ask(actor);
      if (d.allowed) continue;
      if (MODEL_CODES.has(d.code)) throw new DomainError('INVALID', d.reason);
      // Instance admin and system pass every actor check (their probe actor is '').
      if (this.actors.length > 0) throw forbidden(d.reason);
    }
  }

  audit(entry: AuditInput): void {
    this.audits.push(entry);
  }

  emit(type: string, payload: Record<string, unknown>): void {
    this.events.push({ type, payload });
  }

  /** The queued audit rows, chained on from `chain` (which they move on). */
  auditRows(chain: { seq: number; prevHash: string }) {
    const { orgId, revision, caller, head } = this;
    const rows = auditRows(
      {
        orgId,
        actorId: principalId(caller.principal),
        actorLabel: head.actorLabel,
        onBehalfOf: caller.onBehalfOf ?? null,
        source: caller.source,
        requestId: caller.requestId ?? null,
        revision,
      },
      this.audits,
      chain,
    );
    const last = rows.at(-1);
    if (last) {
      chain.seq = last.seq;
      chain.prevHash = last.hash;
    }
    return rows;
  }

  /** The queued outbox events as rows, stamped with the org and revision. */
  outboxRows() {
    const { orgId, revision } = this;
    return this.events.map((e) => ({
      org_id: orgId,
      type: e.type,
      payload: JSON.stringify({ ...e.payload, orgId, revision }),
      revision,
    }));
  }

  /** Whether the write queued any audit entry. */
  get audited(): boolean {
    return this.audits.length > 0;
  }

  /**
   * Whether the write changed a credential or the org itself: every such change is audited
   * under one of CREDENTIAL_ENTITIES. Other writes keep verified credentials cached
   * (`EngineCache.noteCredentialsKept`).
   */
  get changesCredentials(): boolean {
    return this.audits.some((a) => CREDENTIAL_ENTITIES.has(a.entityType));
  }
}

/**
 * Writes the audit entries and outbox events the drafts queued (in their order, one chain),
 * stamped with their revision, moves the org's audit sequence from `head` (the org row as
 * locked) and (with `notify`) announces the revision: one statement.
 */
export async function finishWrites(
  trx: Transaction<Database>,
  head: OrgHead,
  drafts: readonly WriteDraft[],
  options: { notify: boolean },
): Promise<WrittenAudit[]> {
  const orgId = drafts[0]?.orgId;
  if (orgId === undefined) return [];
  const chain = {
    seq: head.audit.seq,
    prevHash: drafts.some((d) => d.audited)
      ? await auditChainHash(trx, orgId, head.audit)
      : GENESIS_HASH,
  };
  const rows = drafts.flatMap((d) => d.auditRows(chain));
  const outbox = drafts.flatMap((d) => d.outboxRows());
  const notice = options.notify ? `${orgId}:${head.revision}` : null;
  if (rows.length === 0 && outbox.length === 0 && notice === null) return [];
  // Data-modifying CTEs run to completion whether or not the main query reads them.
  let q = trx;
  if (rows.length > 0) {
    q = q
      .with('audited', (db) => db.insertInto('audit_log').values(rows))
      .with('sequenced', (db) =>
        db
          .updateTable('orgs')
          .set({ audit_seq: head.audit.seq + rows.length, audit_hash: rows.at(-1)!.hash })
          .where('id', '=', orgId),
      ) as unknown as Transaction<Database>;
  }
  if (outbox.length > 0) {
    q = q.with('queued', (db) =>
      db.insertInto('outbox').values(outbox),
    ) as unknown as Transaction<Database>;
  }
  await q
    .selectNoFrom(
      notice === null
        ? sql<null>`null`.as('notified')
        : sql<null>`pg_notify(${REVISION_CHANNEL}, ${notice})`.as('notified'),
    )
    .execute();
  return rows.map((r) => ({ seq: r.seq, id: r.id, hash: r.hash }));
}

/**
 * Tenant isolation: an API client, SCIM directory or user session only ever reaches its own org
 * (as NOT_FOUND, leaking nothing).
 */
export function assertOrgAccess(caller: Caller, orgId: string): void {
  const p = caller.principal;
  if (principalOrg(p) !== null && principalOrg(p) !== orgId) {
    throw notFound(`organization ${orgId}`);
  }
}

/**
 * The engine subjects that must be allowed: the client, and the user it acts for; a user session
 * is checked as its user, and only as them.
 */
export function actingSubjects(caller: Caller, engine: Engine): string[] {
  const out: string[] = [];
  if (caller.principal.kind === 'user') {
    if (caller.onBehalfOf && caller.onBehalfOf !== caller.principal.userId) {
      throw forbidden('a user session acts only as its own user');
    }
    return [caller.principal.userId];
  }
  if (caller.principal.kind === 'client') out.push(caller.principal.clientId);
  if (caller.onBehalfOf) {
    if (engine.subject(caller.onBehalfOf)?.type !== 'user') {
      throw forbidden(`user ${caller.onBehalfOf} is not a member of this organization`);
    }
    out.push(caller.onBehalfOf);
  }
  return out;
}

/** The org's engine at `revision`: the cached one if it is there, else built (and cached). */
async function engineBefore(
  services: Services,
  trx: Transaction<Database>,
  orgId: string,
  revision: number,
): Promise<Engine> {
  const cached = services.engines.peek(orgId);
  if (cached && cached.revision === revision) return cached;
  return services.engines.build(trx, orgId, revision);
}
