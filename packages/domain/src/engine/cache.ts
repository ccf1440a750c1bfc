/**
 * Engines cached per org, rebuilt when the org revision moves (C6). Writes in this process
 * invalidate directly; writes in other processes arrive by PostgreSQL NOTIFY on
 * `gatehouse_revisions` with payload `orgId:revision`. The cache holds at most `maxBytes` of
 * engines (by `Engine.estimatedBytes`), dropping the least recently used org's engine first
 * (`GATEHOUSE_ENGINE_CACHE_MB`); a dropped org is loaded again on its next check.
 */
import { createEngine, deriveEngine, type Engine } from '@gatehouse/core';
import { type Database, type DB, MISSED_NOTICES, type Transaction } from '@gatehouse/db';
import { DomainError, notFound } from '../errors.js';
import type { PresetStore } from '../rules/index.js';
import { catchUp, type JournalHead, loadTimed } from './snapshot-delta.js';

/** The channel revision notices travel on. */
export const REVISION_CHANNEL = 'gatehouse_revisions';

/** The default budget of an engine cache: 512 MiB. */
export const DEFAULT_ENGINE_CACHE_BYTES = 512 * 1024 * 1024;

/** Per-org engine cache with single-flight loading, bounded by bytes (least recently used out). */
export class EngineCache {
  /** In order of use, least recent first (a Map keeps insertion order). */
  private readonly engines = new Map<string, Engine>();
  /** `estimatedBytes` of the cached engines, summed. */
  private bytes = 0;
  /** The org used last: a run of checks on one org moves nothing. */
  private lastUsed: string | undefined;
  /** The budget in bytes. */
  readonly maxBytes: number;
  /** Engines dropped to stay within the budget. */
  evictions = 0;
  /** Highest revision heard of per org (from writes here or NOTIFY). */
  private readonly latest = new Map<string, number>();
  /** Per org, revisions between which no credential changed (`noteCredentialsKept`). */
  private readonly credentialSpans = new Map<string, { from: number; to: number }>();
  private readonly loading = new Map<string, Promise<Engine>>();
  /** Database time each engine's snapshot reflects (for the journal's coverage). */
  private readonly asOf = new WeakMap<Engine, number>();
  /** Engines built so far (for tests and metrics). */
  builds = 0;
  /** Of those, built from the whole org rather than caught up through the journal. */
  fullLoads = 0;
  /**
   * Of the caught-up ones, derived from the cached engine (`deriveEngine`: only the subjects
   * the write touched are rebuilt, unless the write changed roles, scopes or many subjects).
   */
  derived = 0;
  /**
   * Of the derived ones, read from the catch-up's patch (issue 15: the cost of what changed, no
   * pass over the org); the others scanned the snapshot or were built in full.
   */
  patched = 0;
  /** Revisions this process has seen orgs move by (writes here and NOTIFY): a write counter. */
  revisionsSeen = 0;
  /** Moves when notices may have been missed: caches keyed on revisions must start over. */
  epoch = 0;

  constructor(
    private readonly db: DB,
    /** The presets org snapshots are built with. */
    private readonly presets: PresetStore,
    options: { readonly maxBytes?: number | undefined } = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_ENGINE_CACHE_BYTES;
  }

  /** Bytes the cached engines hold (estimated), and how many there are. */
  get usage(): { readonly bytes: number; readonly engines: number } {
    return { bytes: this.bytes, engines: this.engines.size };
  }

  /** Marks `orgId` most recently used. */
  private touch(orgId: string, engine: Engine): void {
    if (this.lastUsed === orgId) return;
    this.lastUsed = orgId;
    this.engines.delete(orgId);
    this.engines.set(orgId, engine);
  }

  /** Caches `engine` as its org's, then drops least recently used others while over budget. */
  private keep(engine: Engine): void {
    const prev = this.engines.get(engine.orgId);
    if (prev) {
      this.bytes -= prev.estimatedBytes;
      this.engines.delete(engine.orgId);
    }
    this.engines.set(engine.orgId, engine);
    this.lastUsed = engine.orgId;
    this.bytes += engine.estimatedBytes;
    for (const [orgId, old] of this.engines) {
      if (this.bytes <= this.maxBytes) break;
      if (orgId === engine.orgId) continue;
      this.engines.delete(orgId);
      this.bytes -= old.estimatedBytes;
      this.evictions++;
    }
  }

  /** Drops an org's cached engine. */
  private drop(orgId: string): void {
    const prev = this.engines.get(orgId);
    if (!prev) return;
    this.engines.delete(orgId);
    this.bytes -= prev.estimatedBytes;
    if (this.lastUsed === orgId) this.lastUsed = undefined;
  }

  /** Records that `orgId` reached `revision` (called after commits and on NOTIFY). */
  noteRevision(orgId: string, revision: number): void {
    const before = this.latest.get(orgId) ?? 0;
    if (revision > before) {
      this.latest.set(orgId, revision);
      if (before > 0) this.revisionsSeen += revision - before;
    }
  }

  /**
   * Issue 15: records that this process's write taking the org from revision `from` to `to`
   * changed no credential (no API client or SCIM token created, rotated, revoked or renamed;
   * see `WriteDraft.changesCredentials`). The org row lock orders every write, so nothing else
   * happened in between; consecutive such writes extend one span.
   */
  noteCredentialsKept(orgId: string, from: number, to: number): void {
    const span = this.credentialSpans.get(orgId);
    this.credentialSpans.set(
      orgId,
      span && span.to === from ? { from: span.from, to } : { from, to },
    );
  }

  /**
   * Whether a credential of the org verified at `revision` still holds as far as this process
   * knows: the org has not moved past that revision, or only through this process's own writes
   * that changed no credential. Any other write (another process's, heard by NOTIFY, or one
   * that changed a credential) means it must be read again.
   */
  credentialsCurrent(orgId: string, revision: number): boolean {
    const known = this.latest.get(orgId);
    if (known === undefined || known <= revision) return true;
    const span = this.credentialSpans.get(orgId);
    return span !== undefined && span.from <= revision && known <= span.to;
  }

  /** Handles a NOTIFY payload `orgId:revision`; ignores malformed ones. */
  onNotify(payload: string): void {
    if (payload === MISSED_NOTICES) {
      // Notices may have been lost while LISTEN was down: rebuild every engine on next use.
      this.engines.clear();
      this.bytes = 0;
      this.lastUsed = undefined;
      this.epoch++;
      return;
    }
    const i = payload.lastIndexOf(':');
    const rev = Number(payload.slice(i + 1));
    if (i > 0 && Number.isInteger(rev)) this.noteRevision(payload.slice(0, i), rev);
  }

  /** Drops an org's engine (org deleted). */
  forget(orgId: string): void {
    this.drop(orgId);
    this.latest.delete(orgId);
    this.credentialSpans.delete(orgId);
  }

  /**
   * An engine for the org at least at `minRevision` and at least at the latest revision heard
   * of. Asking for a revision the org has not reached is an INVALID error.
   */
  async get(orgId: string, minRevision = 0): Promise<Engine> {
    const want = Math.max(minRevision, this.latest.get(orgId) ?? 0);
    const cached = this.engines.get(orgId);
    if (cached && cached.revision >= want) {
      this.touch(orgId, cached);
      return cached;
    }
    if (minRevision > 0 && cached && cached.revision < minRevision) {
      // Maybe a write in another process whose NOTIFY has not arrived yet: read the truth.
      const row = await this.db
        .selectFrom('orgs')
        .select('revision')
        .where('id', '=', orgId)
        .executeTakeFirst();
      if (!row) throw notFound(`organization ${orgId}`);
      if (row.revision < minRevision) {
        throw new DomainError(
          'INVALID',
          `organization ${orgId} is at revision ${row.revision}; revision ${minRevision} does not exist yet`,
        );
      }
      this.noteRevision(orgId, row.revision);
    }
    let engine = await this.load(orgId);
    // A load that was already in flight may predate the revision asked for: load once more.
    if (engine.revision < minRevision) engine = await this.load(orgId);
    if (engine.revision < minRevision) {
      throw new DomainError(
        'INVALID',
        `organization ${orgId} is at revision ${engine.revision}; revision ${minRevision} does not exist yet`,
      );
    }
    return engine;
  }

  /** The highest revision of the org heard of in this process (writes, NOTIFY, loads). */
  knownRevision(orgId: string): number | undefined {
    return this.latest.get(orgId);
  }

  /** The cached engine, whatever its revision. */
  peek(orgId: string): Engine | undefined {
    return this.engines.get(orgId);
  }

  /** Keeps an engine built elsewhere if it is newer. */
  offer(engine: Engine): void {
    const cur = this.engines.get(engine.orgId);
    if (!cur || cur.revision < engine.revision) this.keep(engine);
  }

  /**
   * The org's engine at the revision `trx` sees (labelled `asRevision` when given): the cached
   * engine caught up through the snapshot journal and derived from it when it can be, else built
   * from a full load. Offered to the cache.
   */
  async build(trx: Transaction<Database>, orgId: string, asRevision?: number): Promise<Engine> {
    const epoch = this.epoch;
    const cached = this.engines.get(orgId);
    const built = await this.compute(trx, orgId, cached, asRevision);
    // Notices missed while building: the cache started over; keep the engine out of it.
    if (epoch === this.epoch) this.offer(built.engine);
    return built.engine;
  }

  /**
   * The engine a write is about to commit, from inside its transaction: `base` (the write's
   * pre-write engine) caught up with what the write changed. Not offered to the cache: the
   * transaction may still roll back. `affected` names the subjects whose rows, assignments or
   * memberships changed, or is null when the engine was built from a full load. `keep()`, called
   * once the transaction has committed, offers the engine to the cache.
   */
  async draft(
    trx: Transaction<Database>,
    base: Engine,
    asRevision: number,
    /** The database clock the write read when it locked the org (saves reading it again). */
    nowMs?: number,
    /**
     * `base` is an earlier write's draft in the same batch (issue 15 group commit), already at
     * `asRevision`: catch up through the journal at that revision all the same.
     */
    sameRevision = false,
    /** With `sameRevision`: the `mark` of `base`'s draft (only later journal entries are read). */
    after?: number,
  ): Promise<{
    engine: Engine;
    affected: ReadonlySet<string> | null;
    /** The highest journal `seq` this catch-up read, for the batch's next write. */
    mark: number | undefined;
    keep(): void;
  }> {
    const epoch = this.epoch;
    const head = nowMs === undefined ? undefined : { revision: asRevision, ms: nowMs };
    const built = await this.compute(trx, base.orgId, base, asRevision, head, sameRevision, after);
    return {
      ...built,
      keep: () => {
        if (epoch === this.epoch) this.offer(built.engine);
      },
    };
  }

  private async compute(
    trx: Transaction<Database>,
    orgId: string,
    cached: Engine | undefined,
    asRevision?: number,
    head?: JournalHead,
    sameRevision = false,
    after?: number,
  ): Promise<{ engine: Engine; affected: ReadonlySet<string> | null; mark: number | undefined }> {
    const at = cached && this.asOf.get(cached);
    let timed =
      cached && at !== undefined
        ? await catchUp(
            trx,
            orgId,
            { snapshot: cached.snapshot, at },
            { asRevision, head, sameRevision, after },
          )
        : null;
    if (timed && cached && timed.snapshot === cached.snapshot) {
      return { engine: cached, affected: new Set(), mark: timed.mark };
    }
    if (!timed) {
      timed = await loadTimed(trx, orgId, this.presets);
      this.fullLoads++;
    }
    // A catch-up labels its (lazily patched) snapshot already; spreading it would copy the org.
    const snapshot =
      asRevision === undefined || timed.snapshot.revision === asRevision
        ? timed.snapshot
        : { ...timed.snapshot, revision: asRevision };
    // The caught-up snapshot keeps every unchanged row of `cached.snapshot` (the very objects)
    // and the same scope and role arrays when those did not change, as deriveEngine needs.
    const engine =
      cached && timed.affected
        ? deriveEngine(cached, snapshot, timed.affected)
        : createEngine(snapshot);
    if (cached && timed.affected) this.derived++;
    if (engine.madeBy === 'patch') this.patched++;
    this.builds++;
    this.asOf.set(engine, timed.at);
    return { engine, affected: timed.affected ?? null, mark: timed.mark };
  }

  private load(orgId: string): Promise<Engine> {
    let p = this.loading.get(orgId);
    if (!p) {
      p = this.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute((trx) => this.build(trx, orgId))
        .then((engine) => {
          this.noteRevision(orgId, engine.revision);
          return engine;
        })
        .finally(() => this.loading.delete(orgId));
      this.loading.set(orgId, p);
    }
    return p;
  }
}
