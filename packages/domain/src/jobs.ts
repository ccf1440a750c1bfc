/**
 * Periodic jobs shared by several server processes: a process runs a job only after claiming
 * its `job_claims` row, which one conditional UPSERT grants to at most one process per interval
 * (the previous run started at least `intervalMs` ago, and no unexpired lease is held). Times
 * come from the database clock, so processes with skewed clocks agree. Works the same on PGlite
 * (one connection, where an advisory lock held for the run would block the run's own queries)
 * and PostgreSQL.
 */
import { type DB, sql } from '@gatehouse/db';

/** How a job is claimed. */
export interface JobClaimOptions {
  /** Who claims (process id and a random part): only the holder renews or releases. */
  readonly owner: string;
  /** The job runs at most once per this many milliseconds, across all processes. */
  readonly intervalMs: number;
  /** How long a claim holds without renewal (a process that dies lets it lapse). */
  readonly leaseMs: number;
}

const seconds = (ms: number) => sql`make_interval(secs => ${ms / 1000}::double precision)`;

/** Claims job `name` if it is due and free; true when this caller now holds it. */
export async function claimJob(db: DB, name: string, o: JobClaimOptions): Promise<boolean> {
  const { rows } = await sql<{ name: string }>`
    insert into job_claims (name, locked_by, locked_until, last_started_at)
    values (${name}, ${o.owner}, now() + ${seconds(o.leaseMs)}, now())
    on conflict (name) do update
       set locked_by = excluded.locked_by,
           locked_until = excluded.locked_until,
           last_started_at = excluded.last_started_at
     where (job_claims.locked_until is null or job_claims.locked_until < now())
       and job_claims.last_started_at <= now() - ${seconds(o.intervalMs)}
    returning name`.execute(db);
  return rows.length === 1;
}

/** Extends the holder's lease by `leaseMs` from now; false when the claim was lost. */
export async function renewJob(
  db: DB,
  name: string,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const r = await db
    .updateTable('job_claims')
    .set({ locked_until: sql<Date>`now() + ${seconds(leaseMs)}` })
    .where('name', '=', name)
    .where('locked_by', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Releases the holder's claim and records when the run finished. */
export async function finishJob(db: DB, name: string, owner: string): Promise<void> {
  await db
    .updateTable('job_claims')
    .set({ locked_by: null, locked_until: null, last_finished_at: sql<Date>`now()` })
    .where('name', '=', name)
    .where('locked_by', '=', owner)
    .execute();
}
