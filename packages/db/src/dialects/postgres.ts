/** PostgreSQL server dialect: a `pg` pool on `DATABASE_URL`. */
import { PostgresDialect } from 'kysely';
import pg from 'pg';

// int8 (bigint) columns such as audit sequence numbers fit in a JS number for any real log.
pg.types.setTypeParser(20, (v) => Number(v));

/** Options for the PostgreSQL dialect. */
export interface PostgresOptions {
  readonly url: string;
  /** Pool size; default 10. */
  readonly max?: number;
  /** Told about errors of idle pooled connections (already discarded by the pool). */
  readonly onIdleError?: (err: Error) => void;
}

/** A Kysely dialect over a `pg` pool, and the pool itself (for LISTEN clients). */
export function postgresDialect(options: PostgresOptions): {
  dialect: PostgresDialect;
  pool: pg.Pool;
} {
  const pool = new pg.Pool({ connectionString: options.url, max: options.max ?? 10 });
  // An idle pooled connection the server ends (restart, DROP DATABASE ... FORCE) emits 'error' on
  // the pool; without a listener that would crash the process. The next query reconnects.
  pool.on('error', (err) => options.onIdleError?.(err));
  return { dialect: new PostgresDialect({ pool }), pool };
}
