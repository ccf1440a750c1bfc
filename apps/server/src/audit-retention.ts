/**
 * The audit retention worker (A4): every org with `auditRetentionDays` set loses the entries
 * older than that, automatically, leaving a signed checkpoint so its chain still verifies (the
 * same prune as `gatehouse audit prune`); the same pass deletes sessions that ended more than 30
 * days ago. Every process ticks; the `job_claims` row lets one of
 * them run a pass per interval (`GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS`, default an hour, 0
 * off), so several server processes never prune at once.
 */
import { runAuditRetention, type Services } from '@gatehouse/domain';
import type { Logger } from 'pino';
import { type PeriodicJob, startPeriodicJob } from './periodic-job.js';

/** Default time between passes: an hour. */
export const DEFAULT_AUDIT_PRUNE_INTERVAL_MS = 3_600_000;

/** What the worker needs. */
export interface AuditRetentionOptions {
  readonly services: Services;
  readonly logger: Logger;
  /** At most one pass per this many milliseconds across processes; 0 disables the worker. */
  readonly intervalMs: number;
  /** How long a claim holds without renewal; default 10 minutes. */
  readonly leaseMs?: number | undefined;
}

/** A running worker. */
export type AuditRetention = PeriodicJob;

/**
 * Starts the worker: a tick at start and then every `min(interval, 1 min)`, so a process
 * notices soon when the pass another process would have run is due.
 *
 * @example
 * const retention = startAuditRetention({ services, logger, intervalMs: 3_600_000 });
 * // ... later
 * await retention.stop();
 */
export function startAuditRetention(options: AuditRetentionOptions): AuditRetention {
  const { services, intervalMs } = options;
  return startPeriodicJob({
    name: 'audit_retention',
    logger: options.logger,
    intervalMs,
    async pass({ owner, log }) {
      const started = Date.now();
      const result = await runAuditRetention(services, {
        intervalMs,
        leaseMs: options.leaseMs,
        owner,
      });
      if (!result) return;
      const entries = result.pruned.reduce((n, p) => n + p.pruned, 0);
      for (const p of result.pruned) {
        log.info(p, `audit retention pruned ${p.pruned} entries of ${p.orgId}`);
      }
      for (const f of result.failed) {
        log.error(f, `audit retention could not prune ${f.orgId}: ${f.error}`);
      }
      log.info(
        {
          checked: result.checked,
          prunedOrgs: result.pruned.length,
          entries,
          failed: result.failed.length,
          sessionsSwept: result.sessionsSwept,
          mfaSwept: result.mfaSwept,
          ms: Date.now() - started,
        },
        'audit retention pass done',
      );
    },
  });
}
