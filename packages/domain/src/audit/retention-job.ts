/**
 * Automatic audit retention (A4): every org with `auditRetentionDays` set and entries older than
 * that is pruned by `pruneAudit` (verified, signed checkpoint, audited as the system). The
 * server runs `runAuditRetention` periodically; the `job_claims` row makes one run per interval
 * across all processes.
 */
import { randomBytes } from 'node:crypto';
import { sql } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { clock } from '../invitations/index.js';
import { claimJob, finishJob, renewJob } from '../jobs.js';
import { sweepMfa } from '../mfa/index.js';
import type { Services } from '../services.js';
import { sweepEndedSessions } from '../sessions/index.js';
import { sweepSsoAttempts } from '../sso/index.js';
import { pruneAudit, retentionDays } from './prune.js';

/** The job's name in `job_claims`. */
export const AUDIT_RETENTION_JOB = 'audit_retention';

const SYSTEM: Caller = {
  principal: { kind: 'system' },
  source: 'system',
  requestId: 'audit-retention',
};
const ORG_BATCH = 500;

/** What one retention pass did. */
export interface RetentionPass {
  /** Orgs with a retention setting that were looked at. */
  readonly checked: number;
  /** Orgs pruned, with how many entries went. */
  readonly pruned: ReadonlyArray<{ orgId: string; pruned: number; throughSeq: number | null }>;
  /** Orgs that could not be pruned (a broken chain, a bad setting), with why. */
  readonly failed: ReadonlyArray<{ orgId: string; error: string }>;
  /** Sessions that ended more than 30 days ago, deleted by the same pass (`sweepEndedSessions`). */
  readonly sessionsSwept?: number;
  /** SSO attempts and codes expired over a day ago, deleted by the same pass. */
  readonly ssoSwept?: number;
  /** MFA sign-in challenges and pending enrollments dead for over a day (`sweepMfa`). */
  readonly mfaSwept?: number;
}

/**
 * Prunes every org whose retention setting makes some entries due, one write per org; an org
 * that fails is reported and the others go on. `afterOrg` runs after each org (lease renewal).
 */
export async function pruneDueOrgs(
  s: Services,
  opts: { now?: Date | undefined; afterOrg?: (() => Promise<void>) | undefined } = {},
): Promise<RetentionPass> {
  const now = opts.now ?? clock(s);
  const pruned: Array<{ orgId: string; pruned: number; throughSeq: number | null }> = [];
  const failed: Array<{ orgId: string; error: string }> = [];
  let checked = 0;
  let after = '';
  for (;;) {
    const orgs = await s.db
      .selectFrom('orgs')
      .select(['id', 'settings'])
      .where(sql`settings->>'auditRetentionDays'`, 'is not', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(ORG_BATCH)
      .execute();
    for (const org of orgs) {
      checked++;
      try {
        const days = retentionDays(org.settings);
        if (days === null) continue;
        const due = await s.db
          .selectFrom('audit_log')
          .select('seq')
          .where('org_id', '=', org.id)
          .where('at', '<', new Date(now.getTime() - days * 86_400_000))
          .limit(1)
          .executeTakeFirst();
        if (!due) continue;
        const { result } = await pruneAudit(
          { services: s, caller: SYSTEM, orgId: org.id },
          { now },
        );
        if (result.pruned > 0) {
          pruned.push({ orgId: org.id, pruned: result.pruned, throughSeq: result.throughSeq });
        }
      } catch (e) {
        failed.push({ orgId: org.id, error: e instanceof Error ? e.message : String(e) });
      }
      await opts.afterOrg?.();
    }
    if (orgs.length < ORG_BATCH) break;
    after = orgs[orgs.length - 1]!.id;
  }
  return { checked, pruned, failed };
}

/** How the periodic job runs. */
export interface RetentionJobOptions {
  /** At most one pass per this many milliseconds, across every process. */
  readonly intervalMs: number;
  /** How long a claim holds without renewal; default 10 minutes. */
  readonly leaseMs?: number | undefined;
  /** Names this process in the claim; default a random id. */
  readonly owner?: string | undefined;
}

/**
 * One tick of the periodic job: claims it (null when another process holds it or the last pass
 * is younger than the interval), prunes the due orgs renewing the lease as it goes, sweeps
 * sessions that ended more than 30 days ago, releases it.
 */
export async function runAuditRetention(
  s: Services,
  o: RetentionJobOptions,
): Promise<RetentionPass | null> {
  const owner = o.owner ?? `pid${process.pid}-${randomBytes(4).toString('hex')}`;
  const leaseMs = o.leaseMs ?? 600_000;
  if (!(await claimJob(s.db, AUDIT_RETENTION_JOB, { owner, intervalMs: o.intervalMs, leaseMs }))) {
    return null;
  }
  let renewedAt = Date.now();
  try {
    const pass = await pruneDueOrgs(s, {
      afterOrg: async () => {
        if (Date.now() - renewedAt < leaseMs / 3) return;
        renewedAt = Date.now();
        await renewJob(s.db, AUDIT_RETENTION_JOB, owner, leaseMs);
      },
    });
    // The same housekeeping pass: session rows of users who never logged in again.
    return {
      ...pass,
      sessionsSwept: await sweepEndedSessions(s),
      ssoSwept: await sweepSsoAttempts(s),
      mfaSwept: await sweepMfa(s),
    };
  } finally {
    await finishJob(s.db, AUDIT_RETENTION_JOB, owner);
  }
}
