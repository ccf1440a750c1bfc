/**
 * The snapshot journal: which rows of an org's engine snapshot changed at which revision, so a
 * process holding the engine at revision k catches up by reading only what changed since k
 * instead of the whole org (a write used to reload every member of the org).
 *
 * Triggers on every table the snapshot reads (scopes, members, users' email, groups,
 * group_members, assignments, roles, api_clients, orgs' preset) append `(org_id, revision,
 * entity, key)`, where `revision` is the org's revision when the row changed: inside a write
 * that is the revision the write commits as (the org row is bumped first). Rows written outside
 * a write (seeding scripts) carry the org's current revision, which is why readers ask for
 * `revision >= k`: a journal entry is only a key to re-read, so reading one twice is harmless.
 *
 * Entries older than an hour are pruned by writers; a cached engine older than that reloads in
 * full. Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Tables and how each names the changed snapshot row. */
const TRACKED: ReadonlyArray<{ table: string; entity: string; key: string }> = [
  { table: 'scopes', entity: 'scope', key: 'id' },
  { table: 'members', entity: 'member', key: 'user_id' },
  { table: 'groups', entity: 'group', key: 'id' },
  { table: 'api_clients', entity: 'client', key: 'id' },
  { table: 'assignments', entity: 'assignment', key: 'id' },
  { table: 'roles', entity: 'role', key: 'key' },
  { table: 'group_members', entity: 'membership', key: "group_id || ' ' || member_id" },
];

/** Adds the journal table, its trigger functions and triggers. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('snapshot_changes')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('snapshot_changes_org_revision')
    .on('snapshot_changes')
    .columns(['org_id', 'revision'])
    .execute();

  for (const t of TRACKED) {
    const fn = sql.raw(`gatehouse_journal_${t.table}`);
    const keyOf = (row: 'new' | 'old') =>
      sql.raw(t.key.replace(/\b(group_id|member_id|user_id|id|key)\b/g, `${row}.$1`));
    await sql`
      create function ${fn}() returns trigger language plpgsql as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then
          insert into snapshot_changes (org_id, revision, entity, key)
          select old.org_id, o.revision, ${sql.lit(t.entity)}, ${keyOf('old')}
            from orgs o where o.id = old.org_id;
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
          insert into snapshot_changes (org_id, revision, entity, key)
          select new.org_id, o.revision, ${sql.lit(t.entity)}, ${keyOf('new')}
            from orgs o where o.id = new.org_id;
        end if;
        return null;
      end $$`.execute(db);
    await sql`
      create trigger ${sql.raw(`${t.table}_journal`)}
        after insert or update or delete on ${sql.table(t.table)}
        for each row execute function ${fn}()`.execute(db);
  }

  // A user's email is the member's label in every org they belong to.
  await sql`
    create function gatehouse_journal_users() returns trigger language plpgsql as $$
    begin
      insert into snapshot_changes (org_id, revision, entity, key)
      select m.org_id, o.revision, 'member', new.id
        from members m join orgs o on o.id = m.org_id
       where m.user_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger users_journal after update of email on users
      for each row when (old.email is distinct from new.email)
      execute function gatehouse_journal_users()`.execute(db);

  // A preset change changes everything: readers reload in full.
  await sql`
    create function gatehouse_journal_orgs() returns trigger language plpgsql as $$
    begin
      insert into snapshot_changes (org_id, revision, entity, key)
      values (new.id, new.revision, 'org', new.id);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger orgs_journal after update of preset on orgs
      for each row when (old.preset is distinct from new.preset)
      execute function gatehouse_journal_orgs()`.execute(db);
}

/** Drops the triggers, functions and table. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [...TRACKED.map((x) => x.table), 'users', 'orgs']) {
    await sql`drop trigger if exists ${sql.raw(`${t}_journal`)} on ${sql.table(t)}`.execute(db);
    await sql`drop function if exists ${sql.raw(`gatehouse_journal_${t}`)}()`.execute(db);
  }
  await db.schema.dropTable('snapshot_changes').execute();
}
