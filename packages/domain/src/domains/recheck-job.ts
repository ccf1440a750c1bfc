/**
 * I3: re-verification. Verified domains whose `next_check_at` has passed are looked up again,
 * each as a write of its org by the system (audited with source `system`): a success schedules
 * the next check, a failure counts, and `recheckMaxFailures` failures in a row demote the domain
 * to `failed` (./record-check.ts). The server runs `runDomainRecheck` periodically; the
 * `job_claims` row makes one process run a pass at a time.
 */
import { randomBytes } from 'node:crypto';
import type { Caller } from '../context.js';
import { claimJob, finishJob, renewJob } from '../jobs.js';
import { orgEventWrite } from '../org-write.js';
import type { Services } from '../services.js';
import { checkChallenge, resolverOf } from './dns.js';
import { recordCheck } from './record-check.js';
import { domainClock, loadDomain } from './rows.js';

/** The job's name in `job_claims`. */
export const DOMAIN_RECHECK_JOB = 'domain_recheck';
/** Most domains one pass checks; the rest wait for the next pass. */
const PASS_LIMIT = 1000;

const SYSTEM: Caller = {
  principal: { kind: 'system' },
  source: 'system',
  requestId: 'domain-recheck',
};

/** What one re-verification pass did. */
export interface DomainRecheckPass {
  /** Domains looked up. */
  readonly checked: number;
  /** Domains still verified after their check. */
  readonly verified: number;
  /** Domains whose check failed and that are still verified (not yet at the threshold). */
  readonly failing: ReadonlyArray<{
    orgId: string;
    domainId: string;
    domain: string;
    error: string;
  }>;
  /** Domains that went back to `failed` in this pass. */
  readonly demoted: ReadonlyArray<{
    orgId: string;
    domainId: string;
    domain: string;
    error: string;
  }>;
  /** Domains whose write failed (deleted meanwhile is not an error), with why. */
  readonly errors: ReadonlyArray<{ orgId: string; domainId: string; error: string }>;
}

/**
 * Checks every verified domain due at `now` (at most 1000 per pass, oldest first), one write per
 * domain; one that fails is reported and the others go on. `afterDomain` runs after each
 * (lease renewal).
 */
export async function recheckDueDomains(
  s: Services,
  opts: { now?: Date | undefined; afterDomain?: (() => Promise<void>) | undefined } = {},
): Promise<DomainRecheckPass> {
  const now = opts.now ?? domainClock(s);
  const due = await s.db
    .selectFrom('org_domains')
    .select(['org_id', 'id', 'domain', 'verification_token'])
    .where('status', '=', 'verified')
    .where('next_check_at', '<=', now)
    .orderBy('next_check_at')
    .orderBy('id')
    .limit(PASS_LIMIT)
    .execute();
  const out: {
    checked: number;
    verified: number;
    failing: DomainRecheckPass['failing'][number][];
    demoted: DomainRecheckPass['demoted'][number][];
    errors: DomainRecheckPass['errors'][number][];
  } = { checked: 0, verified: 0, failing: [], demoted: [], errors: [] };
  const resolver = resolverOf(s);
  for (const d of due) {
    const outcome = await checkChallenge(resolver, d.domain, d.verification_token);
    try {
      const { result: row } = await orgEventWrite(
        { services: s, caller: SYSTEM, orgId: d.org_id },
        async (w) => {
          const row = await w.trx
            .selectFrom('org_domains')
            .select('id')
            .where('org_id', '=', d.org_id)
            .where('id', '=', d.id)
            .where('status', '=', 'verified')
            .executeTakeFirst();
          // Deleted or changed while it was looked up: nothing to record.
          if (!row) return null;
          return recordCheck(s, w, await loadDomain(w.trx, d.org_id, d.id), outcome);
        },
      );
      if (row) {
        out.checked++;
        const ref = { orgId: d.org_id, domainId: d.id, domain: d.domain };
        if (row.status === 'verified' && outcome.ok) out.verified++;
        else if (row.status === 'verified' && !outcome.ok)
          out.failing.push({ ...ref, error: outcome.error });
        else if (!outcome.ok) out.demoted.push({ ...ref, error: outcome.error });
      }
    } catch (e) {
      out.errors.push({
        orgId: d.org_id,
        domainId: d.id,
        error: e instanceof Error ? e.message : String(e),
      });
    }
    await opts.afterDomain?.();
  }
  return out;
}

/** How the periodic job runs. */
export interface DomainRecheckJobOptions {
  /** At most one pass per this many milliseconds, across every process. */
  readonly intervalMs: number;
  /** How long a claim holds without renewal; default 10 minutes. */
  readonly leaseMs?: number | undefined;
  /** Names this process in the claim; default a random id. */
  readonly owner?: string | undefined;
}

/**
 * One tick of the periodic job: claims it (null when another process holds it or the last pass
 * is younger than `intervalMs`), re-checks the due domains renewing the lease as it goes,
 * releases it.
 *
 * @example
 * const pass = await runDomainRecheck(services, { intervalMs: 300_000 });
 */
export async function runDomainRecheck(
  s: Services,
  o: DomainRecheckJobOptions,
): Promise<DomainRecheckPass | null> {
  const owner = o.owner ?? `pid${process.pid}-${randomBytes(4).toString('hex')}`;
  const leaseMs = o.leaseMs ?? 600_000;
  if (!(await claimJob(s.db, DOMAIN_RECHECK_JOB, { owner, intervalMs: o.intervalMs, leaseMs }))) {
    return null;
  }
  let renewedAt = Date.now();
  try {
    return await recheckDueDomains(s, {
      afterDomain: async () => {
        if (Date.now() - renewedAt < leaseMs / 3) return;
        renewedAt = Date.now();
        await renewJob(s.db, DOMAIN_RECHECK_JOB, owner, leaseMs);
      },
    });
  } finally {
    await finishJob(s.db, DOMAIN_RECHECK_JOB, owner);
  }
}
