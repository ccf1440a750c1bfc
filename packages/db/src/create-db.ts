/**
 * `createDb()`: PostgreSQL when given a `postgres://` URL, otherwise PGlite in a data folder or
 * in memory. Both speak the same SQL through Kysely's PostgreSQL compiler.
 */
import { Kysely, sql } from 'kysely';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import { resilientListen } from './dialects/pg-listener.js';
import { pgliteDialect } from './dialects/pglite.js';
import { postgresDialect } from './dialects/postgres.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';

/** The database handle every package passes around. */
export type DB = Kysely<Database>;

/**
 * A notification listener: called with each payload sent on the channel, and with `*` when
 * notices may have been missed (the LISTEN connection was lost and re-established).
 */
export type Listener = (payload: string) => void;

/** A database and what the rest of the system needs beside queries. */
export interface Gatedb {
  readonly db: DB;
  readonly kind: 'postgres' | 'pglite';
  /** LISTEN on a channel; resolves to an unsubscribe function. */
  listen(channel: string, listener: Listener): Promise<() => Promise<void>>;
  /** The lock on the PGlite data folder (this process is its only user); none otherwise. */
  readonly dataDirLock?: DataDirLock | undefined;
  /** Closes the database and releases the data folder's lock. */
  close(): Promise<void>;
}

/** Where the data lives. */
export interface CreateDbOptions {
  /** `postgres://…` selects a PostgreSQL server. */
  readonly url?: string | undefined;
  /**
   * PGlite data folder; omitted means in memory. Ignored when `url` is set. The folder is locked
   * for this process (`lockDataDir`): opening a folder another live process holds throws
   * `DataDirLockedError`.
   */
  readonly dataDir?: string | undefined;
  /** Who opens the folder, shown to a process refused by its lock (e.g. `gatehouse migrate`). */
  readonly owner?: string | undefined;
  /** Run migrations before returning; default true. */
  readonly migrate?: boolean;
  /** pg pool size. */
  readonly poolSize?: number;
}

/**
 * Opens the database and (by default) migrates it.
 *
 * @example
 * const { db, close } = await createDb({ url: process.env.DATABASE_URL, dataDir: '.gatehouse/data' });
 */
export async function createDb(options: CreateDbOptions = {}): Promise<Gatedb> {
  let handle: Gatedb;
  if (options.url && /^postgres(ql)?:\/\//.test(options.url)) {
    const { dialect, pool } = postgresDialect({
      url: options.url,
      ...(options.poolSize ? { max: options.poolSize } : {}),
    });
    const db = new Kysely<Database>({ dialect });
    handle = {
      db,
      kind: 'postgres',
      listen: (channel, listener) => resilientListen(pool, channel, listener),
      close: () => db.destroy(),
    };
  } else if (options.url) {
    throw new Error(
      `DATABASE_URL must start with postgres:// or postgresql://, got "${options.url}"`,
    );
  } else {
    const onDisk = options.dataDir && !options.dataDir.startsWith('memory://');
    const lock = onDisk ? await lockDataDir(options.dataDir!, { owner: options.owner }) : undefined;
    let opened: Awaited<ReturnType<typeof pgliteDialect>>;
    try {
      opened = await pgliteDialect({ dataDir: options.dataDir });
    } catch (e) {
      lock?.release();
      throw e;
    }
    const { dialect, pglite } = opened;
    const db = new Kysely<Database>({ dialect });
    handle = {
      db,
      kind: 'pglite',
      dataDirLock: lock,
      async listen(channel, listener) {
        const unsub = await pglite.listen(channel, listener);
        return async () => unsub();
      },
      async close() {
        try {
          await db.destroy();
          if (!pglite.closed) await pglite.close();
        } finally {
          lock?.release();
        }
      },
    };
  }
  if (options.migrate !== false) {
    try {
      await migrateToLatest(handle.db as Kysely<unknown>);
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
  }
  return handle;
}

/**
 * Refreshes the query planner's statistics (`ANALYZE`). PostgreSQL's autovacuum does this by
 * itself; PGlite has none, so the server runs it after enough writes.
 */
export async function analyze(gatedb: Gatedb): Promise<void> {
  await sql`analyze`.execute(gatedb.db);
}
