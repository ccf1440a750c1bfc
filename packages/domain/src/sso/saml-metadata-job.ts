/**
 * The background refresh of SAML metadata URLs: every connection whose IdP settings come from a
 * URL is fetched again once its interval has passed. What the IdP publishes now replaces the
 * entity id, SSO URL and certificates (a write of its org as the system, audited
 * `MetadataRefreshed`); a fetch that fails is recorded on the connection (`idpMetadata.error`)
 * and the settings stay as they were, so the connection keeps signing people in with the
 * certificates it had. The first failure after a success is audited (`MetadataRefreshFailed`),
 * not every one. An unchanged document only records when it was checked. The `job_claims` row
 * lets one server process run a pass at a time.
 */
import { randomBytes } from 'node:crypto';
import { sql } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { DomainError } from '../errors.js';
import { claimJob, finishJob, renewJob } from '../jobs.js';
import { orgEventWrite, orgWrite } from '../org-write.js';
import type { Services } from '../services.js';
import { loadSamlSettings } from './connection-view.js';
import { idpSideOf, metadataChanges } from './refresh-saml-metadata.js';
import { type FetchedSamlMetadata, fetchSamlMetadata } from './saml-metadata-url.js';

/** The job's name in `job_claims`. */
export const SAML_METADATA_REFRESH_JOB = 'saml_metadata_refresh';
/** Most connections one pass fetches; the rest wait for the next pass. */
const PASS_LIMIT = 500;

const SYSTEM: Caller = {
  principal: { kind: 'system' },
  source: 'system',
  requestId: 'saml-metadata-refresh',
};

/** One connection of a pass. */
interface Ref {
  readonly orgId: string;
  readonly connectionId: string;
  readonly url: string;
}

/** What one pass did. */
export interface SamlMetadataPass {
  /** Connections fetched. */
  readonly checked: number;
  /** Connections whose IdP settings changed, and which. */
  readonly changed: ReadonlyArray<Ref & { readonly fields: readonly string[] }>;
  /** Connections whose fetch failed (settings kept), with why. */
  readonly failed: ReadonlyArray<Ref & { readonly error: string }>;
  /** Connections whose result could not be recorded, with why. */
  readonly errors: ReadonlyArray<Ref & { readonly error: string }>;
}

/**
 * Fetches every URL-backed SAML connection not checked for `intervalMs` (never-checked first,
 * at most 500 per pass) and records each result (see the module comment). One that fails is
 * reported and the others go on.
 */
export async function refreshDueSamlMetadata(
  s: Services,
  opts: { intervalMs: number; afterEach?: (() => Promise<void>) | undefined },
): Promise<SamlMetadataPass> {
  const now = s.options?.now?.() ?? new Date();
  const due = await s.db
    .selectFrom('sso_saml_settings')
    .select(['org_id', 'connection_id', 'metadata_url'])
    .where('metadata_url', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('metadata_checked_at', 'is', null),
        eb('metadata_checked_at', '<=', new Date(now.getTime() - opts.intervalMs)),
      ]),
    )
    .orderBy(sql`metadata_checked_at nulls first`)
    .orderBy('connection_id')
    .limit(PASS_LIMIT)
    .execute();
  const out = {
    checked: 0,
    changed: [] as Array<Ref & { fields: string[] }>,
    failed: [] as Array<Ref & { error: string }>,
    errors: [] as Array<Ref & { error: string }>,
  };
  for (const d of due) {
    const ref: Ref = { orgId: d.org_id, connectionId: d.connection_id, url: d.metadata_url! };
    let fetched: FetchedSamlMetadata | null = null;
    let error = '';
    try {
      fetched = await fetchSamlMetadata(s, ref.url);
    } catch (e) {
      error = e instanceof DomainError ? e.message : `unexpected: ${(e as Error).message}`;
    }
    try {
      if (fetched) {
        const fields = await recordSuccess(s, ref, fetched);
        if (fields === null) continue;
        if (fields.length > 0) out.changed.push({ ...ref, fields });
      } else {
        if (!(await recordFailure(s, ref, error, now))) continue;
        out.failed.push({ ...ref, error });
      }
      out.checked++;
    } catch (e) {
      out.errors.push({ ...ref, error: e instanceof Error ? e.message : String(e) });
    }
    await opts.afterEach?.();
  }
  return out;
}

/**
 * Applies a fetched document: the changed fields (an audited write when any), [] when nothing
 * changed, null when the connection is gone or its URL changed meanwhile.
 */
async function recordSuccess(
  s: Services,
  ref: Ref,
  fetched: FetchedSamlMetadata,
): Promise<string[] | null> {
  const cur = await s.db
    .selectFrom('sso_saml_settings')
    .selectAll()
    .where('org_id', '=', ref.orgId)
    .where('connection_id', '=', ref.connectionId)
    .executeTakeFirst();
  if (!cur || cur.metadata_url !== ref.url) return null;
  const first = metadataChanges(cur, fetched);
  if (first.changed.length === 0) {
    await s.db
      .updateTable('sso_saml_settings')
      .set(first.set)
      .where('org_id', '=', ref.orgId)
      .where('connection_id', '=', ref.connectionId)
      .where('metadata_url', '=', ref.url)
      .execute();
    return [];
  }
  const { result } = await orgWrite(
    { services: s, caller: SYSTEM, orgId: ref.orgId },
    async (w) => {
      const x = await loadSamlSettings(w.trx, w.orgId, ref.connectionId).catch(() => null);
      if (!x || x.metadata_url !== ref.url) return null;
      const { changed, set } = metadataChanges(x, fetched);
      await w.trx
        .updateTable('sso_saml_settings')
        .set(set)
        .where('org_id', '=', w.orgId)
        .where('connection_id', '=', ref.connectionId)
        .execute();
      w.audit({
        action: 'MetadataRefreshed',
        entityType: 'sso_connection',
        entityId: ref.connectionId,
        scopeId: w.orgId,
        before: idpSideOf(x),
        after: { ...idpSideOf(set), metadataUrl: ref.url, changed },
      });
      w.emit('sso.connection.updated', { connectionId: ref.connectionId });
      return changed;
    },
  );
  return result;
}

/**
 * Records a failed fetch, keeping the settings; audited when the last fetch had succeeded. False
 * when the connection is gone or its URL changed meanwhile.
 */
async function recordFailure(s: Services, ref: Ref, error: string, now: Date): Promise<boolean> {
  const { result } = await orgEventWrite(
    { services: s, caller: SYSTEM, orgId: ref.orgId },
    async (w) => {
      const x = await loadSamlSettings(w.trx, w.orgId, ref.connectionId).catch(() => null);
      if (!x || x.metadata_url !== ref.url) return false;
      await w.trx
        .updateTable('sso_saml_settings')
        .set({ metadata_checked_at: now, metadata_error: error.slice(0, 500) })
        .where('org_id', '=', w.orgId)
        .where('connection_id', '=', ref.connectionId)
        .execute();
      if (x.metadata_error === null) {
        w.audit({
          action: 'MetadataRefreshFailed',
          entityType: 'sso_connection',
          entityId: ref.connectionId,
          scopeId: w.orgId,
          after: { metadataUrl: ref.url, error: error.slice(0, 500) },
        });
      }
      return true;
    },
  );
  return result;
}

/** How the periodic job runs. */
export interface SamlMetadataRefreshOptions {
  /** Time between two fetches of one connection's URL. */
  readonly intervalMs: number;
  /** At most one pass per this many milliseconds, across every process; default `intervalMs`. */
  readonly passIntervalMs?: number | undefined;
  /** How long a claim holds without renewal; default 10 minutes. */
  readonly leaseMs?: number | undefined;
  /** Names this process in the claim; default a random id. */
  readonly owner?: string | undefined;
}

/**
 * One tick of the periodic job: claims it (null when another process holds it or the last pass
 * is too recent), refreshes the due connections renewing the lease as it goes, releases it.
 *
 * @example
 * const pass = await runSamlMetadataRefresh(services, { intervalMs: 3_600_000 });
 */
export async function runSamlMetadataRefresh(
  s: Services,
  o: SamlMetadataRefreshOptions,
): Promise<SamlMetadataPass | null> {
  const owner = o.owner ?? `pid${process.pid}-${randomBytes(4).toString('hex')}`;
  const leaseMs = o.leaseMs ?? 600_000;
  const intervalMs = o.passIntervalMs ?? o.intervalMs;
  if (!(await claimJob(s.db, SAML_METADATA_REFRESH_JOB, { owner, intervalMs, leaseMs }))) {
    return null;
  }
  let renewedAt = Date.now();
  try {
    return await refreshDueSamlMetadata(s, {
      intervalMs: o.intervalMs,
      afterEach: async () => {
        if (Date.now() - renewedAt < leaseMs / 3) return;
        renewedAt = Date.now();
        await renewJob(s.db, SAML_METADATA_REFRESH_JOB, owner, leaseMs);
      },
    });
  } finally {
    await finishJob(s.db, SAML_METADATA_REFRESH_JOB, owner);
  }
}
