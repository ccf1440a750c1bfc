/**
 * Watches the SQL a running server issues, to prove what a request reads (S2 filters in the
 * database, S3 big groups patched without loading their members). Every request handled while
 * `watchQueries` is active runs its queries through a Kysely plugin that records, per query,
 * the rows it returned, the tables it names and whether the pre-write engine snapshot of the
 * write path (`org-write` → engine cache / snapshot loader, outside the SCIM code) issued it.
 */
import type { KyselyPlugin, QueryId } from 'kysely';
import type { Env } from './harness.js';

/** One query the server ran. */
export interface SeenQuery {
  /** Rows the database returned (or changed, for a write with `returning`). */
  readonly rows: number;
  /** Table names the query mentions. */
  readonly tables: readonly string[];
  /** Issued while loading the write path's pre-write engine snapshot. */
  readonly engineSnapshot: boolean;
}

/** What `watchQueries` returns: the queries seen so far, and how to stop watching. */
export interface QueryWatch {
  readonly seen: SeenQuery[];
  stop(): void;
}

const ENGINE_FRAMES = /snapshot-loader|snapshot-delta|engine-cache/;

function tablesOf(node: unknown): string[] {
  const out = new Set<string>();
  const text = JSON.stringify(node);
  for (const m of text.matchAll(/"kind":"TableNode","table":\{[^}]*"name":"([a-z_]+)"/g)) {
    out.add(m[1]!);
  }
  // Raw `sql` fragments: table names after from/join/into/update.
  for (const m of text.matchAll(/\b(?:from|join|into|update)\s+([a-z_]+)/gi)) {
    out.add(m[1]!.toLowerCase());
  }
  return [...out];
}

/**
 * Routes the server's SCIM and domain queries through a recorder until `stop()` (the server's
 * `services.db` is swapped for a plugged copy of itself; requests read it per request).
 */
export function watchQueries(env: Env): QueryWatch {
  const services = env.server.services as unknown as { db: Env['server']['services']['db'] };
  const original = services.db;
  const pending = new WeakMap<QueryId, Omit<SeenQuery, 'rows'>>();
  const seen: SeenQuery[] = [];
  const recorder: KyselyPlugin = {
    transformQuery(args) {
      pending.set(args.queryId, {
        tables: tablesOf(args.node),
        engineSnapshot: ENGINE_FRAMES.test(new Error().stack ?? ''),
      });
      return args.node;
    },
    async transformResult(args) {
      const q = pending.get(args.queryId);
      if (q) seen.push({ ...q, rows: args.result.rows.length });
      return args.result;
    },
  };
  services.db = original.withPlugin(recorder);
  return {
    seen,
    stop() {
      services.db = original;
    },
  };
}
