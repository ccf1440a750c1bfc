/**
 * @gatehouse/db/testing — the database backends every storage test runs on: PGlite always, and
 * the real PostgreSQL server when `DATABASE_URL` is set (CI). Each `open()` gives a fresh,
 * migrated, isolated database (a new in-memory PGlite, or a new database on the server, dropped
 * on close).
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, type KyselyPlugin, type RootOperationNode, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { createDb, type Gatedb } from './create-db.js';
import { migrations } from './migrations/index.js';

/** One backend to run a suite on. */
export interface TestBackend {
  readonly name: 'pglite' | 'postgres';
  /** A fresh database, migrated unless `migrate: false` (then see `migrateTo`). */
  open(options?: { migrate?: boolean }): Promise<Gatedb>;
  /** A fresh database's URL (postgres only) for tests that start separate processes. */
  freshUrl?(): Promise<{ url: string; drop(): Promise<void> }>;
}

/** The backends for this run: `[pglite]`, plus `postgres` when `DATABASE_URL` is set. */
export function testBackends(): TestBackend[] {
  const out: TestBackend[] = [
    { name: 'pglite', open: (options) => createDb({ migrate: options?.migrate ?? true }) },
  ];
  const url = process.env.DATABASE_URL;
  if (url) {
    const freshUrl = () => freshPostgresDatabase(url);
    out.push({
      name: 'postgres',
      freshUrl,
      async open(options) {
        const fresh = await freshUrl();
        const handle = await createDb({ url: fresh.url, migrate: options?.migrate ?? true });
        return {
          ...handle,
          async close() {
            await handle.close();
            await fresh.drop();
          },
        };
      },
    });
  }
  return out;
}

/** Creates an empty database on the server behind `baseUrl`; `drop()` removes it. */
export async function freshPostgresDatabase(
  baseUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gh_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Migrates up or down to exactly the named migration (tests of a migration: write rows as an
 * older schema had them, then migrate past it).
 */
export async function migrateTo(db: Kysely<unknown>, name: string): Promise<void> {
  if (!(name in migrations)) throw new Error(`no migration named ${name}`);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateTo(name);
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? name} failed: ${String(error)}`, {
      cause: error,
    });
  }
}

/**
 * A database of `backend` migrated exactly to `name` (a migration's test starts just before
 * it); `db` is untyped, since the schema is an older one.
 */
export async function openAtMigration(
  backend: TestBackend,
  name: string,
): Promise<{ gatedb: Gatedb; db: Kysely<unknown> }> {
  const gatedb = await backend.open({ migrate: false });
  const db = gatedb.db as unknown as Kysely<unknown>;
  await migrateTo(db, name);
  return { gatedb, db };
}

/** How many snapshot journal entries there are (a migration test's "was this journalled?"). */
export async function journalEntries(db: Kysely<unknown>): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from snapshot_changes`.execute(db);
  return Number(rows[0]!.n);
}

/**
 * Counts the statements a Kysely instance executes (`db.withPlugin(counter)`), keeping their
 * kinds for failure messages; each is one round trip (BEGIN and COMMIT are not seen).
 */
export class QueryCounter implements KyselyPlugin {
  kinds: string[] = [];

  /** Statements counted so far. */
  get n(): number {
    return this.kinds.length;
  }

  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    this.kinds.push(args.node.kind);
    return args.node;
  }

  async transformResult<R>(args: { result: R }): Promise<R> {
    return args.result;
  }
}
