/**
 * A LISTEN that survives its connection: PostgreSQL may end it (restart, failover, a proxy's
 * idle timeout). The connection is then dropped, the listener is told that notices may have been
 * missed (payload `*`), and LISTEN is re-established with backoff.
 */
import type pg from 'pg';

/** Payload passed to a listener when notifications may have been missed. */
export const MISSED_NOTICES = '*';

/** LISTENs on `channel` through `pool`; resolves once listening, to a stop function. */
export async function resilientListen(
  pool: pg.Pool,
  channel: string,
  listener: (payload: string) => void,
): Promise<() => Promise<void>> {
  const quoted = `"${channel.replace(/"/g, '""')}"`;
  let current: { client: pg.PoolClient; release(destroy: boolean): void } | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;

  const connect = async (): Promise<void> => {
    const c = await pool.connect();
    let released = false;
    const conn = {
      client: c,
      release(destroy: boolean) {
        if (released) return;
        released = true;
        c.release(destroy);
      },
    };
    const onLost = () => {
      if (released) return;
      conn.release(true);
      if (current === conn) current = null;
      if (stopped) return;
      listener(MISSED_NOTICES);
      schedule();
    };
    c.on('error', onLost);
    c.on('end', onLost);
    c.on('notification', (msg) => {
      if (msg.channel === channel) listener(msg.payload ?? '');
    });
    try {
      await c.query(`LISTEN ${quoted}`);
    } catch (e) {
      conn.release(true); // the caller (start-up, or the retry loop) decides what comes next
      throw e;
    }
    current = conn;
    delay = 100;
  };
  const schedule = () => {
    retry = setTimeout(() => {
      connect().then(
        () => listener(MISSED_NOTICES),
        () => {
          delay = Math.min(delay * 2, 5_000);
          if (!stopped && !current) schedule();
        },
      );
    }, delay);
    retry.unref();
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const conn = current;
    current = null;
    if (conn) {
      await conn.client.query(`UNLISTEN ${quoted}`).catch(() => {});
      conn.release(false);
    }
  };
}
