/**
 * @gatehouse/db/testing — the database backends every storage test runs on: PGlite always, and
 * the real PostgreSQL server when `DATABASE_URL` is set (CI). Each `open()` gives a fresh,
 * migrated, isolated database (a new in-memory PGlite, or a new database on the server, dropped
 * on close).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Gatedb } from './create-db.js';

/** One backend to run a suite on. */
export interface TestBackend {
  readonly name: 'pglite' | 'postgres';
  /** A fresh migrated database. */
  open(): Promise<Gatedb>;
  /** A fresh database's URL (postgres only) for tests that start separate processes. */
  freshUrl?(): Promise<{ url: string; drop(): Promise<void> }>;
}

/** The backends for this run: `[pglite]`, plus `postgres` when `DATABASE_URL` is set. */
export function testBackends(): TestBackend[] {
  const out: TestBackend[] = [{ name: 'pglite', open: () => createDb() }];
  const url = process.env.DATABASE_URL;
  if (url) {
    const freshUrl = () => freshPostgresDatabase(url);
    out.push({
      name: 'postgres',
      freshUrl,
      async open() {
        const fresh = await freshUrl();
        const handle = await createDb({ url: fresh.url });
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
