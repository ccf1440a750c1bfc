/**
 * The SAML metadata refresh worker (issue 13): SAML connections whose IdP settings come from a
 * metadata URL are fetched again every `GATEHOUSE_SAML_METADATA_REFRESH_SECONDS`, so a signing
 * certificate the IdP rotates in its metadata is picked up; a fetch that fails is recorded on
 * the connection and logged, and the connection keeps the certificates it had. Off when the
 * variable is unset or 0. Every process ticks; the `job_claims` row lets one run a pass at a
 * time, at most every `min(interval, 5 min)`.
 */
import { runSamlMetadataRefresh, type Services } from '@gatehouse/domain';
import type { Logger } from 'pino';
import { type PeriodicJob, startPeriodicJob } from './periodic-job.js';

/** Most time between passes (each pass fetches the connections due by then). */
const MAX_PASS_INTERVAL_MS = 300_000;

/** What the worker needs. */
export interface SamlMetadataRefreshOptions {
  readonly services: Services;
  readonly logger: Logger;
  /** Time between two fetches of one connection's URL; 0 disables the worker. */
  readonly intervalMs: number;
}

/**
 * Starts the worker: a tick at start and then every `min(pass interval, 1 min)`.
 *
 * @example
 * const refresh = startSamlMetadataRefresh({ services, logger, intervalMs: 3_600_000 });
 * await refresh.stop();
 */
export function startSamlMetadataRefresh(options: SamlMetadataRefreshOptions): PeriodicJob {
  const { services, intervalMs } = options;
  const passIntervalMs = Math.min(intervalMs, MAX_PASS_INTERVAL_MS);
  return startPeriodicJob({
    name: 'saml_metadata_refresh',
    logger: options.logger,
    intervalMs: intervalMs <= 0 ? 0 : passIntervalMs,
    async pass({ owner, log }) {
      const started = Date.now();
      const result = await runSamlMetadataRefresh(services, { intervalMs, passIntervalMs, owner });
      if (!result) return;
      for (const c of result.changed) {
        log.info(c, `SAML metadata of ${c.connectionId} changed: ${c.fields.join(', ')}`);
      }
      for (const f of result.failed) {
        log.warn(f, `SAML metadata of ${f.connectionId} could not be refreshed: ${f.error}`);
      }
      for (const e of result.errors) {
        log.error(e, `could not record the SAML metadata of ${e.connectionId}: ${e.error}`);
      }
      if (result.checked > 0 || result.errors.length > 0) {
        log.info(
          {
            checked: result.checked,
            changed: result.changed.length,
            failed: result.failed.length,
            errors: result.errors.length,
            ms: Date.now() - started,
          },
          'SAML metadata refresh pass done',
        );
      }
    },
  });
}
