/**
 * Migration 0012_email_secrets: emails already handled lose the link tokens their stored copies
 * kept (log-only mode kept them, cancelled and failed ones too); pending ones keep theirs until
 * delivered.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatedb } from './create-db.js';
import { migrateTo, openAtMigration, testBackends } from './testing.js';

describe.each(testBackends())('migration 0012_email_secrets on $name', (backend) => {
  let g: Gatedb;
  let db: Kysely<unknown>;
  beforeAll(async () => {
    ({ gatedb: g, db } = await openAtMigration(backend, '0011_audit_canonical_text'));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
  });

  it('blanks link tokens in every email no longer pending', async () => {
    const link = (t: string) => `https://x.test/invitations/accept?token=${t}`;
    for (const [id, status] of [
      ['email_1', 'logged'],
      ['email_2', 'sent'],
      ['email_3', 'cancelled'],
      ['email_4', 'failed'],
      ['email_5', 'pending'],
    ]) {
      const t = `tok_${id}_abcdefghijklmnopqrstuvwxyz0123456789`;
      await sql`insert into emails (id, to_address, subject, text, html, kind, status)
        values (${id}, 'a@x.test', 'Hi', ${`Accept: ${link(t)}\nbye`},
          ${`<a href="${link(t)}&x=1">Accept</a>`}, 'invitation', ${status})`.execute(db);
    }
    await migrateTo(db, '0012_email_secrets');
    const { rows } = await sql<{ id: string; text: string; html: string }>`
      select id, text, html from emails order by id`.execute(db);
    for (const r of rows.slice(0, 4)) {
      expect(r.text).toBe(`Accept: ${link('[redacted]')}\nbye`);
      expect(r.html).toBe(`<a href="${link('[redacted]')}&x=1">Accept</a>`);
    }
    expect(rows[4]!.text).toContain('token=tok_email_5_');
  });
});
