/**
 * Audit states as the exact text that is hashed (issue 10 §3). `audit_log.before` / `after` were
 * jsonb, which re-normalizes what it stores (key order, whitespace, number forms) and refuses
 * some valid JSON strings (`\u0000`, lone surrogates): the chain had to hash a re-parsed value,
 * and a product event with such a string failed. They become `text` holding one canonical JSON
 * serialization (packages/domain canonical-json.ts), hashed byte for byte as stored.
 *
 * Existing entries keep verifying: their jsonb converts to its text form, and `hash_version = 1`
 * tells verification to hash them as before (parse, sort keys). New entries are version 2.
 */
import { type Kysely, sql } from 'kysely';

/** Converts the columns and adds `hash_version`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_log
    alter column before type text using before::text,
    alter column after type text using after::text`.execute(db);
  // Existing rows are version 1; rows written from now on, version 2.
  await sql`alter table audit_log add column hash_version smallint not null default 1`.execute(db);
  await sql`alter table audit_log alter column hash_version set default 2`.execute(db);
}

/** Back to jsonb (fails on entries holding text jsonb refuses, such as `\u0000`). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_log drop column hash_version`.execute(db);
  await sql`alter table audit_log
    alter column before type jsonb using before::jsonb,
    alter column after type jsonb using after::jsonb`.execute(db);
}
