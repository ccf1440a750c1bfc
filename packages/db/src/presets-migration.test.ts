/**
 * Migration 0014_presets (issue 12 R1): stored preset versions; an org names the version it
 * follows, and only one that exists; moving an org to another version adds a journal entry (so
 * engines reload in full) like a change of preset does; down restores the schema.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatedb } from './create-db.js';
import { journalEntries, migrateTo, openAtMigration, testBackends } from './testing.js';

describe.each(testBackends())('migration 0014_presets on $name', (backend) => {
  let g: Gatedb;
  let db: Kysely<unknown>;
  beforeAll(async () => {
    ({ gatedb: g, db } = await openAtMigration(backend, '0013_scope_avatar'));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
  });

  it('R1 C6: versions are keyed, orgs point only at existing ones, a version move is journalled; down restores', async () => {
    await sql`insert into orgs (id, name, slug, preset) values ('org_a', 'A', 'a', 'docs-app')`.execute(
      db,
    );
    await migrateTo(db, '0014_presets');
    await sql`insert into presets (key, version, document, source, applied_by)
      values ('docs-app', 1, '{}', 'api', 'instance_admin')`.execute(db);
    await expect(
      sql`insert into presets (key, version, document, source, applied_by)
        values ('docs-app', 1, '{}', 'api', 'instance_admin')`.execute(db),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      sql`update orgs set preset_version = 2 where id = 'org_a'`.execute(db),
    ).rejects.toMatchObject({ code: '23503' });
    const before = await journalEntries(db);
    await sql`update orgs set preset_version = 1, revision = revision + 1 where id = 'org_a'`.execute(
      db,
    );
    expect(await journalEntries(db)).toBe(before + 1);
    await sql`update orgs set name = 'A2' where id = 'org_a'`.execute(db);
    expect(await journalEntries(db)).toBe(before + 1);

    await migrateTo(db, '0013_scope_avatar');
    const cols = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_name = 'orgs'`.execute(db);
    expect(cols.rows.map((c) => c.column_name)).not.toContain('preset_version');
    await sql`update orgs set preset = 'idnow' where id = 'org_a'`.execute(db);
    expect(await journalEntries(db)).toBe(before + 2);
  });
});
