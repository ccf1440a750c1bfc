/**
 * Claims of periodic jobs shared by several server processes (the audit retention job): one row
 * per job. A process runs the job only after it claimed the row with one conditional UPSERT:
 * the previous run started at least the job's interval ago and no live lease is held. The lease
 * lapses by itself when a process dies mid-run. A row rather than an advisory lock because
 * PGlite has one connection: a lock held on it would block the job's own queries.
 */
import { type Kysely, sql } from 'kysely';

/** Adds the table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_claims')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_finished_at', 'timestamptz')
    .execute();
}

/** Removes it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_claims').execute();
}
