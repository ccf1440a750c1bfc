/**
 * Presets stored in the database, versioned (issue 12): an instance admin applies a product's
 * own model at run time (`gatehouse preset apply`), and every version stays readable. An org
 * on a stored preset names the version it follows (`orgs.preset_version`; null for the built-in
 * presets and those a process is given in memory); applying a new version moves every org of
 * the key to it in the same transaction. The foreign key keeps an org from pointing at a
 * version that does not exist.
 *
 * The orgs journal trigger (0005) now also fires when `preset_version` changes: a new model
 * changes everything an engine holds, so readers reload in full.
 */
import { type Kysely, sql } from 'kysely';

/** Adds `presets`, `orgs.preset_version` and widens the orgs journal trigger. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('presets')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('applied_by', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('changes', 'jsonb')
    .addPrimaryKeyConstraint('presets_pkey', ['key', 'version'])
    .execute();
  await db.schema.alterTable('orgs').addColumn('preset_version', 'integer').execute();
  await sql`
    alter table orgs add constraint orgs_preset_version_fkey
      foreign key (preset, preset_version) references presets (key, version)`.execute(db);
  await sql`drop trigger orgs_journal on orgs`.execute(db);
  await sql`
    create trigger orgs_journal after update of preset, preset_version on orgs
      for each row when (old.preset is distinct from new.preset
                      or old.preset_version is distinct from new.preset_version)
      execute function gatehouse_journal_orgs()`.execute(db);
}

/** Restores the trigger and drops the column and table. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger orgs_journal on orgs`.execute(db);
  await sql`
    create trigger orgs_journal after update of preset on orgs
      for each row when (old.preset is distinct from new.preset)
      execute function gatehouse_journal_orgs()`.execute(db);
  await sql`alter table orgs drop constraint orgs_preset_version_fkey`.execute(db);
  await db.schema.alterTable('orgs').dropColumn('preset_version').execute();
  await db.schema.dropTable('presets').execute();
}
