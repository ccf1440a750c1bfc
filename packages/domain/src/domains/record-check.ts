/**
 * I3: what one DNS check does to a domain, shared by `verifyDomain` and the re-verification
 * job. A success verifies (or keeps verified) and schedules the next re-check. A failure is
 * recorded; a verified domain counts it, and at `recheckMaxFailures` failures in a row it goes
 * back to `failed` and its policies stop applying. A pending or failed domain stays as it is.
 */
import type { OrgDomainRow } from '@gatehouse/db';
import type { OrgWrite } from '../org-write.js';
import type { Services } from '../services.js';
import { verifiedElsewhere } from './claim.js';
import type { CheckOutcome } from './dns.js';
import { domainClock, recheckIntervalMs, recheckMaxFailures } from './rows.js';

/** Applies `outcome` to `row` inside the write `w`; returns the row as it now is. */
export async function recordCheck(
  s: Services,
  w: OrgWrite,
  row: OrgDomainRow,
  outcome: CheckOutcome,
): Promise<OrgDomainRow> {
  const now = domainClock(s);
  const next = new Date(now.getTime() + recheckIntervalMs(s));
  const base = w.trx
    .updateTable('org_domains')
    .where('org_id', '=', w.orgId)
    .where('id', '=', row.id)
    .returningAll();
  const entity = { entityType: 'domain', entityId: row.id, scopeId: w.orgId } as const;
  if (outcome.ok) {
    if (row.status !== 'verified') {
      const other = await w.trx
        .selectFrom('org_domains')
        .select('id')
        .where('domain', '=', row.domain)
        .where('status', '=', 'verified')
        .where('org_id', '<>', w.orgId)
        .executeTakeFirst();
      if (other) throw verifiedElsewhere(row.domain);
    }
    const updated = await base
      .set({
        status: 'verified',
        verified_at: row.status === 'verified' ? row.verified_at : now,
        last_checked_at: now,
        last_error: null,
        failed_checks: 0,
        next_check_at: next,
      })
      .executeTakeFirstOrThrow();
    if (row.status !== 'verified' || row.failed_checks > 0) {
      w.audit({
        ...entity,
        action: 'Verified',
        before: { status: row.status, failedChecks: row.failed_checks },
        after: { status: 'verified', domain: row.domain },
      });
    }
    if (row.status !== 'verified')
      w.emit('domain.verified', { domainId: row.id, domain: row.domain });
    return updated;
  }
  const failedChecks = row.status === 'verified' ? row.failed_checks + 1 : row.failed_checks;
  const demoted = row.status === 'verified' && failedChecks >= recheckMaxFailures(s);
  const updated = await base
    .set({
      status: demoted ? 'failed' : row.status,
      last_checked_at: now,
      last_error: outcome.error,
      failed_checks: demoted ? 0 : failedChecks,
      next_check_at: row.status === 'verified' && !demoted ? next : null,
    })
    .executeTakeFirstOrThrow();
  w.audit({
    ...entity,
    action: demoted ? 'Unverified' : 'VerificationFailed',
    before: { status: row.status, failedChecks: row.failed_checks },
    after: {
      status: updated.status,
      failedChecks,
      reason: outcome.reason,
      error: outcome.error,
    },
  });
  if (demoted) {
    w.emit('domain.failed', {
      domainId: row.id,
      domain: row.domain,
      failedChecks,
      error: outcome.error,
    });
  }
  return updated;
}
