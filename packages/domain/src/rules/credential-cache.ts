/**
 * Verified bearer credentials (API client keys, SCIM tokens), kept per `Services` and keyed by
 * the presented secret's hash, so a request does not cost a database round trip (issue 15).
 *
 * An entry holds while its org has not moved past the revision it was verified at (rotate and
 * revoke are org writes, so they bump it; this process notes its own commits before the write
 * returns, other processes hear of it by NOTIFY) other than through this process's own writes
 * that changed no credential (`EngineCache.credentialsCurrent`: an ingest's writes do not make
 * every next request read its token again), no notices were missed (the engine cache's epoch),
 * and for at most LAST_USED_RESOLUTION_MS, so last use is still recorded about once a minute.
 */
import type { Services } from '../services.js';
import { LAST_USED_RESOLUTION_MS } from './credential-rows.js';

/** What a cache entry was verified as: the credential's org and whatever its caller keeps. */
interface Entry<T> {
  readonly value: T;
  readonly orgId: string;
  readonly revision: number;
  readonly epoch: number;
  readonly at: number;
}

/** Most entries one cache keeps; the oldest is dropped first. */
const MAX_ENTRIES = 10_000;

/** A cache of verified credentials of one kind (one per kind, shared by every `Services`). */
export class CredentialCache<T> {
  private readonly maps = new WeakMap<Services, Map<string, Entry<T>>>();

  private mapOf(s: Services): Map<string, Entry<T>> {
    let m = this.maps.get(s);
    if (!m) {
      m = new Map();
      this.maps.set(s, m);
    }
    return m;
  }

  /** The value verified for `hash`, if that verification still holds; else undefined. */
  get(s: Services, hash: string): T | undefined {
    const m = this.maps.get(s);
    const e = m?.get(hash);
    if (!e) return undefined;
    const fresh =
      e.epoch === s.engines.epoch &&
      s.engines.credentialsCurrent(e.orgId, e.revision) &&
      Date.now() - e.at < LAST_USED_RESOLUTION_MS;
    if (fresh) return e.value;
    m!.delete(hash);
    return undefined;
  }

  /**
   * Keeps `value`, verified at `now` against the org's row at `revision` (read in the same
   * statement as the credential). Notes that revision, so a later write is seen.
   */
  set(s: Services, hash: string, orgId: string, revision: number, value: T, now: number): void {
    s.engines.noteRevision(orgId, revision);
    const m = this.mapOf(s);
    m.delete(hash);
    if (m.size >= MAX_ENTRIES) m.delete(m.keys().next().value!);
    m.set(hash, { value, orgId, revision, epoch: s.engines.epoch, at: now });
  }

  /** Forgets `hash` (a refused credential). */
  delete(s: Services, hash: string): void {
    this.maps.get(s)?.delete(hash);
  }
}
