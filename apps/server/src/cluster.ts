/**
 * Issue 15 "All cores": `GATEHOUSE_WORKERS=N` runs N server processes sharing the port
 * (node:cluster), on PostgreSQL, which they already coordinate through: the org lock orders
 * writes, NOTIFY keeps engines current, job claims run each periodic job in one process at a
 * time. The primary serves nothing. It starts worker 1 alone (it migrates, seeds the demo and
 * writes the start banner), then the others (no demo, no dev IdP), prints the banner once all
 * listen, replaces a worker that dies, and on SIGINT/SIGTERM stops them all.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** What a worker tells the primary once it listens. */
export interface WorkerReady {
  readonly type: 'gatehouse:ready';
  /** Worker 1's start banner (others send none). */
  readonly banner: string | null;
}

/** The index (1-based) of this worker process, or null in a process that is not a worker. */
export function workerIndex(): number | null {
  if (!cluster.isWorker) return null;
  return Number(process.env.GATEHOUSE_WORKER_INDEX ?? '1');
}

/** In a worker: tells the primary this process listens (with the banner from worker 1). */
export function reportReady(banner: string | null): void {
  const msg: WorkerReady = { type: 'gatehouse:ready', banner };
  process.send?.(msg);
}

function fork(index: number): Worker {
  return cluster.fork({
    GATEHOUSE_WORKER_INDEX: String(index),
    // Only worker 1 seeds the demo organization and runs the dev IdP.
    ...(index > 1 ? { GATEHOUSE_DEMO: '0', GATEHOUSE_DEV_IDP: '0' } : {}),
  });
}

function ready(worker: Worker): Promise<WorkerReady> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if ((m as WorkerReady)?.type !== 'gatehouse:ready') return;
      worker.off('exit', onExit);
      worker.off('message', onMessage);
      resolve(m as WorkerReady);
    };
    const onExit = (code: number | null, signal: string | null) => {
      worker.off('message', onMessage);
      reject(new Error(`worker exited (${code ?? signal}) before it listened`));
    };
    worker.on('message', onMessage);
    worker.once('exit', onExit);
  });
}

/**
 * Runs the primary: forks `workers` server processes as described above and resolves once all
 * listen (the banner is printed then). Exits the process when a worker cannot start.
 */
export async function runPrimary(workers: number, logger: Logger): Promise<void> {
  const byIndex = new Map<number, Worker>();
  let stopping = false;
  let banner: string | null = null;
  try {
    const first = fork(1);
    byIndex.set(1, first);
    banner = (await ready(first)).banner;
    const rest = [];
    for (let i = 2; i <= workers; i++) {
      const w = fork(i);
      byIndex.set(i, w);
      rest.push(ready(w));
    }
    await Promise.all(rest);
  } catch (err) {
    // A worker's own message (on its stderr) says why; stop the others.
    for (const w of byIndex.values()) w.process.kill('SIGTERM');
    logger.fatal({ err }, 'Gatehouse did not start');
    process.exit(1);
  }
  const pids = [...byIndex.values()].map((w) => w.process.pid).join(', ');
  console.log(
    `${(banner ?? '').replace(/\n*$/, '')}\n  workers: ${workers} processes share the port (GATEHOUSE_WORKERS; pids ${pids})\n`,
  );
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const index = [...byIndex].find(([, w]) => w === worker)?.[0];
    if (index === undefined) return;
    logger.error({ index, code, signal }, 'a worker died; starting another');
    const next = fork(index);
    byIndex.set(index, next);
    ready(next).catch((err: unknown) => logger.error({ err, index }, 'replacement worker failed'));
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal: sig }, 'shutting down the workers');
      const all = [...byIndex.values()];
      let left = all.length;
      if (left === 0) process.exit(0);
      for (const w of all) {
        w.once('exit', () => {
          left--;
          if (left === 0) process.exit(0);
        });
        w.process.kill('SIGTERM');
      }
    });
  }
}
