/**
 * Synthetic audit entries for tests and benchmarks: appends `count` entries to an org's log in
 * ONE statement (a recursive CTE computing each SHA-256 from the previous one, exactly as
 * `entryHash` does for version 2 entries), so a 100k-entry log with a valid chain takes seconds,
 * not minutes.
 * Not for production data: every entry is a `Flow Created` by `system`.
 */
import { type DB, sql } from '@gatehouse/db';
import { GENESIS_HASH } from './append.js';

/** Appends the entries after the org's last one and moves `orgs.audit_seq`; returns the new last seq. */
export async function appendSyntheticAudit(
  db: DB,
  orgId: string,
  count: number,
  options: { start?: Date } = {},
): Promise<number> {
  if (!/^[a-z]+_[0-9a-z]+$/.test(orgId)) throw new Error(`unexpected org id ${orgId}`);
  return db.transaction().execute(async (trx) => {
    const org = await trx
      .selectFrom('orgs')
      .select('audit_seq')
      .where('id', '=', orgId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const last = await trx
      .selectFrom('audit_log')
      .select('hash')
      .where('org_id', '=', orgId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const first = org.audit_seq + 1;
    const end = org.audit_seq + count;
    // Whole milliseconds, as JavaScript dates round-trip.
    const start = new Date(Math.floor((options.start ?? new Date()).getTime()));
    const at = sql`(${start.toISOString()}::timestamptz + (c.seq - ${first}) * interval '1 millisecond')`;
    const canon = (
      seq: ReturnType<typeof sql>,
    ) => sql`'["' || ${orgId}::text || '",' || ${seq} || ',"aud_syn' || lpad(${seq}::text, 12, '0') || '","'
      || to_char((${start.toISOString()}::timestamptz + (${seq} - ${first}) * interval '1 millisecond') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      || '","system",null,null,"Flow Created","Flow","flow_' || ${seq} || '","' || ${orgId}::text
      || '",null,"{\\"n\\":' || ${seq} || '}","system",null,1]'`;
    const digest = (prev: ReturnType<typeof sql>, seq: ReturnType<typeof sql>) =>
      sql`encode(sha256(convert_to(${prev} || ${canon(seq)}, 'UTF8')), 'hex')`;
    const prev0 = last?.hash ?? GENESIS_HASH;
    await sql`
      insert into audit_log (org_id, seq, id, at, actor_id, actor_label, on_behalf_of, action,
        entity_type, entity_id, scope_id, before, after, source, request_id, revision,
        prev_hash, hash)
      with recursive c(seq, prev_hash, hash) as (
        select ${first}::bigint, ${prev0}::text, ${digest(sql`${prev0}::text`, sql`${first}::bigint`)}
        union all
        select c.seq + 1, c.hash, ${digest(sql`c.hash`, sql`(c.seq + 1)`)} from c where c.seq < ${end}
      )
      select ${orgId}, c.seq, 'aud_syn' || lpad(c.seq::text, 12, '0'), ${at}, 'system', null, null,
        'Flow Created', 'Flow', 'flow_' || c.seq, ${orgId}, null, '{"n":' || c.seq || '}',
        'system', null, 1, c.prev_hash, c.hash
      from c`.execute(trx);
    await trx
      .updateTable('orgs')
      .set((eb) => ({
        audit_seq: end,
        audit_hash: eb
          .selectFrom('audit_log')
          .select('hash')
          .where('org_id', '=', orgId)
          .where('seq', '=', end),
      }))
      .where('id', '=', orgId)
      .execute();
    return end;
  });
}
