/**
 * The loop every background worker of the server runs (audit retention, domain re-checks): a
 * tick at start and then every `min(interval, 1 min)`, at most one pass in flight per process,
 * a failed pass logged and retried at the next tick, and a stop that waits for the pass in
 * progress. Which process runs a pass is the job's own business (the `job_claims` row).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';

/** A running worker. */
export interface PeriodicJob {
  /** False when the interval is 0. */
  readonly enabled: boolean;
  /** Runs a tick now (the pass claims the job if due); resolves when it is done. */
  tick(): Promise<void>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/** What a worker gives the loop. */
export interface PeriodicJobOptions {
  /** The job's name in the log (`job` field) and in the failure message. */
  readonly name: string;
  readonly logger: Logger;
  /** Time between passes; 0 disables the worker. */
  readonly intervalMs: number;
  /**
   * One pass: `owner` names this process in the job claim; `log` is the job's child logger.
   * A thrown error is logged as the pass failing.
   */
  readonly pass: (ctx: { readonly owner: string; readonly log: Logger }) => Promise<void>;
}

/**
 * Starts the loop for one job.
 *
 * @example
 * const job = startPeriodicJob({ name: 'audit_retention', logger, intervalMs, pass: ({ owner, log }) => ... });
 * await job.stop();
 */
export function startPeriodicJob(options: PeriodicJobOptions): PeriodicJob {
  const { intervalMs, name } = options;
  if (intervalMs <= 0) {
    return { enabled: false, tick: async () => undefined, stop: async () => undefined };
  }
  const owner = `pid${process.pid}-${randomBytes(4).toString('hex')}`;
  const log = options.logger.child({ job: name });
  let stopped = false;
  let running: Promise<void> | null = null;

  function tick(): Promise<void> {
    if (stopped) return Promise.resolve();
    running ??= options
      .pass({ owner, log })
      .catch((err: unknown) => {
        if (!stopped) log.error({ err }, `${name.replace(/_/g, ' ')} pass failed`);
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  const timer = setInterval(tick, Math.min(intervalMs, 60_000));
  timer.unref();
  void tick();
  return {
    enabled: true,
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
