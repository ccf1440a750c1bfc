/** I3: a claimed domain as the API shows it, how it is loaded, and who may manage domains. */
import type { DB, DomainStatus, OrgDomainRow } from '@gatehouse/db';
import { notFound } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import type { Services } from '../services.js';
import { type ChallengeRecord, challengeRecord } from './dns.js';

/** Default time between re-checks of a verified domain: 24 hours. */
export const DEFAULT_DOMAIN_RECHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** Default consecutive failed re-checks before a verified domain is `failed`: 3. */
export const DEFAULT_DOMAIN_RECHECK_MAX_FAILURES = 3;

/** A claimed domain as the API shows it. */
export interface DomainView {
  readonly id: string;
  readonly orgId: string;
  /** Lower-cased, punycode for internationalized names. */
  readonly domain: string;
  /** `pending` (never verified), `verified`, or `failed` (lost by failed re-checks). */
  readonly status: DomainStatus;
  /** The TXT record to create (public: anyone can read it in DNS). */
  readonly record: ChallengeRecord;
  readonly createdAt: string;
  readonly verifiedAt: string | null;
  readonly lastCheckedAt: string | null;
  /** Why the last check did not verify; null after a successful one. */
  readonly lastError: string | null;
  /** When a verified domain is checked next. */
  readonly nextCheckAt: string | null;
  /** Consecutive failed re-checks of a verified domain. */
  readonly failedChecks: number;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** A row as the API shows it. */
export function domainView(r: OrgDomainRow): DomainView {
  return {
    id: r.id,
    orgId: r.org_id,
    domain: r.domain,
    status: r.status,
    record: challengeRecord(r.domain, r.verification_token),
    createdAt: new Date(r.created_at).toISOString(),
    verifiedAt: iso(r.verified_at),
    lastCheckedAt: iso(r.last_checked_at),
    lastError: r.last_error,
    nextCheckAt: iso(r.next_check_at),
    failedChecks: r.failed_checks,
  };
}

/** The org's domain `domainId`, or NOT_FOUND (another org's id is not found either). */
export async function loadDomain(
  db: DB | OrgWrite['trx'],
  orgId: string,
  domainId: string,
): Promise<OrgDomainRow> {
  const row = await db
    .selectFrom('org_domains')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', domainId)
    .executeTakeFirst();
  if (!row) throw notFound(`domain ${domainId}`);
  return row;
}

/** `domains.manage` at the org root: what claiming, verifying, deleting and policies ask. */
export function authorizeDomainAdmin(w: OrgWrite): void {
  w.authorize('domains.manage', w.orgId);
}

/** The deployment's clock (tests move it). */
export const domainClock = (s: Services) => s.options?.now?.() ?? new Date();

/** Time between re-checks of a verified domain, as the deployment sets it. */
export const recheckIntervalMs = (s: Services) =>
  s.options?.domainRecheckIntervalMs ?? DEFAULT_DOMAIN_RECHECK_INTERVAL_MS;

/** Failed re-checks in a row that demote a verified domain, as the deployment sets it. */
export const recheckMaxFailures = (s: Services) =>
  Math.max(1, s.options?.domainRecheckMaxFailures ?? DEFAULT_DOMAIN_RECHECK_MAX_FAILURES);
