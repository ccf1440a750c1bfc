/** Runs migrations with Kysely's Migrator (on start-up and by `gatehouse migrate`). */
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrations } from './migrations/index.js';

/** The outcome of a migration run. */
export interface MigrateResult {
  readonly applied: string[];
}

/** Brings the schema up to date; throws with the failing migration's name on error. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<MigrateResult> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Work developed side by side numbers its migrations in advance; one that lands after a
    // higher-numbered one was applied still runs (each adds its own tables and columns).
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return { applied: (results ?? []).map((r) => r.migrationName) };
}
