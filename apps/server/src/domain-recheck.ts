/**
 * The domain re-verification worker (I3): verified domains whose next check is due are looked up
 * again; `GATEHOUSE_DOMAIN_RECHECK_MAX_FAILURES` failures in a row (default 3) send one back to
 * `failed`, and its policies stop applying (the same checks as `domains.verify`, recorded as the
 * system). Every process ticks; the `job_claims` row lets one of them run a pass at a time, at
 * most every `min(GATEHOUSE_DOMAIN_RECHECK_SECONDS, 5 min)`; 0 turns it off.
 */
import { runDomainRecheck, type Services } from '@gatehouse/domain';
import type { Logger } from 'pino';
import { type PeriodicJob, startPeriodicJob } from './periodic-job.js';

/** Most time between passes (each pass checks the domains due by then). */
const MAX_PASS_INTERVAL_MS = 300_000;

/** What the worker needs. */
export interface DomainRecheckOptions {
  readonly services: Services;
  readonly logger: Logger;
  /** Time between re-checks of one domain; 0 disables the worker. */
  readonly intervalMs: number;
  /** How long a claim holds without renewal; default 10 minutes. */
  readonly leaseMs?: number | undefined;
}

/** A running worker. */
export type DomainRecheck = PeriodicJob;

/**
 * Starts the worker: a tick at start and then every `min(pass interval, 1 min)`.
 *
 * @example
 * const recheck = startDomainRecheck({ services, logger, intervalMs: 86_400_000 });
 * await recheck.stop();
 */
export function startDomainRecheck(options: DomainRecheckOptions): DomainRecheck {
  const { services, intervalMs } = options;
  const passIntervalMs = Math.min(intervalMs, MAX_PASS_INTERVAL_MS);
  return startPeriodicJob({
    name: 'domain_recheck',
    logger: options.logger,
    intervalMs: intervalMs <= 0 ? 0 : passIntervalMs,
    async pass({ owner, log }) {
      const started = Date.now();
      const result = await runDomainRecheck(services, {
        intervalMs: passIntervalMs,
        leaseMs: options.leaseMs,
        owner,
      });
      if (!result) return;
      for (const f of result.failing)
        log.warn(f, `domain ${f.domain} failed a re-check: ${f.error}`);
      for (const d of result.demoted) {
        log.warn(d, `domain ${d.domain} is no longer verified: ${d.error}`);
      }
      for (const e of result.errors) log.error(e, `could not re-check ${e.domainId}: ${e.error}`);
      if (result.checked > 0 || result.errors.length > 0) {
        log.info(
          {
            checked: result.checked,
            verified: result.verified,
            failing: result.failing.length,
            demoted: result.demoted.length,
            errors: result.errors.length,
            ms: Date.now() - started,
          },
          'domain re-verification pass done',
        );
      }
    },
  });
}
