/**
 * Issue 15: the journal names the subject an assignment leaves. When an assignment is deleted
 * (or moved to another subject) the journal used to hold only its id, so a catch-up had to find
 * the old row in the cached snapshot, a pass over every assignment of the org, to learn whose
 * access changed. Now the trigger also appends `('assignee', <old subject id>)`, and a catch-up
 * costs what changed (`@gatehouse/domain` `engine/snapshot-delta.ts`).
 *
 * A catch-up reads entries at its snapshot's revision or later; entries written before this
 * migration are older than any snapshot a process reads after it, so none lacks the new key.
 * Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Replaces the assignments journal function with one that also journals the old subject. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await journalFunction(db, true);
}

/** Restores the function of migration 0005. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await journalFunction(db, false);
}

/** `gatehouse_journal_assignments`, journaling the subject an assignment leaves or not. */
async function journalFunction(db: Kysely<unknown>, assignee: boolean): Promise<void> {
  const leaves = assignee
    ? sql`
        if tg_op = 'DELETE' or old.subject_id is distinct from new.subject_id then
          insert into snapshot_changes (org_id, revision, entity, key)
          select old.org_id, o.revision, 'assignee', old.subject_id
            from orgs o where o.id = old.org_id;
        end if;`
    : sql``;
  await sql`
    create or replace function gatehouse_journal_assignments() returns trigger
    language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        insert into snapshot_changes (org_id, revision, entity, key)
        select old.org_id, o.revision, 'assignment', old.id
          from orgs o where o.id = old.org_id;
        ${leaves}
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        insert into snapshot_changes (org_id, revision, entity, key)
        select new.org_id, o.revision, 'assignment', new.id
          from orgs o where o.id = new.org_id;
      end if;
      return null;
    end $$`.execute(db);
}
