/**
 * Engines cached per org, rebuilt when the org revision moves (C6). Writes in this process
 * invalidate directly; writes in other processes arrive by PostgreSQL NOTIFY on
 * `gatehouse_revisions` with payload `orgId:revision`.
 */
import { createEngine, type Engine } from '@gatehouse/core';
import { type DB, MISSED_NOTICES } from '@gatehouse/db';
import { DomainError, notFound } from './errors.js';
import { loadSnapshot } from './snapshot-loader.js';

/** The channel revision notices travel on. */
export const REVISION_CHANNEL = 'gatehouse_revisions';

/** Per-org engine cache with single-flight loading. */
export class EngineCache {
  private readonly engines = new Map<string, Engine>();
  /** Highest revision heard of per org (from writes here or NOTIFY). */
  private readonly latest = new Map<string, number>();
  private readonly loading = new Map<string, Promise<Engine>>();
  /** Engines built so far (for tests and metrics). */
  builds = 0;
  /** Moves when notices may have been missed: caches keyed on revisions must start over. */
  epoch = 0;

  constructor(private readonly db: DB) {}

  /** Records that `orgId` reached `revision` (called after commits and on NOTIFY). */
  noteRevision(orgId: string, revision: number): void {
    if (revision > (this.latest.get(orgId) ?? 0)) this.latest.set(orgId, revision);
  }

  /** Handles a NOTIFY payload `orgId:revision`; ignores malformed ones. */
  onNotify(payload: string): void {
    if (payload === MISSED_NOTICES) {
      // Notices may have been lost while LISTEN was down: rebuild every engine on next use.
      this.engines.clear();
      this.epoch++;
      return;
    }
    const i = payload.lastIndexOf(':');
    const rev = Number(payload.slice(i + 1));
    if (i > 0 && Number.isInteger(rev)) this.noteRevision(payload.slice(0, i), rev);
  }

  /** Drops an org's engine (org deleted). */
  forget(orgId: string): void {
    this.engines.delete(orgId);
    this.latest.delete(orgId);
  }

  /**
   * An engine for the org at least at `minRevision` and at least at the latest revision heard
   * of. Asking for a revision the org has not reached is an INVALID error.
   */
  async get(orgId: string, minRevision = 0): Promise<Engine> {
    const want = Math.max(minRevision, this.latest.get(orgId) ?? 0);
    const cached = this.engines.get(orgId);
    if (cached && cached.revision >= want) return cached;
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

  /** Keeps an engine built elsewhere (inside a write transaction) if it is newer. */
  offer(engine: Engine): void {
    const cur = this.engines.get(engine.orgId);
    if (!cur || cur.revision < engine.revision) this.engines.set(engine.orgId, engine);
  }

  private load(orgId: string): Promise<Engine> {
    let p = this.loading.get(orgId);
    if (!p) {
      p = loadSnapshot(this.db, orgId)
        .then((snap) => {
          const engine = createEngine(snap);
          this.builds++;
          this.offer(engine);
          this.noteRevision(orgId, engine.revision);
          return engine;
        })
        .finally(() => this.loading.delete(orgId));
      this.loading.set(orgId, p);
    }
    return p;
  }
}
