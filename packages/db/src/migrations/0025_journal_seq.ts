/**
 * Issue 15 group commit: the journal's entries get an increasing `seq`, and `journal_rows` takes
 * `p_after` and returns `mark`. Every write of one batch commits at the same revision, so a
 * later write's catch-up read, by revision alone, the keys of every write before it in the batch
 * again (write k of a batch re-read k writes' keys and rows). Now each catch-up returns the
 * highest `seq` it saw (`mark`) and the next write of the batch reads only entries after it:
 * its own. Only entries of the batch's own transaction are filtered by `seq` (the caller still
 * asks for the batch's revision, which no other transaction writes while the org row is locked),
 * so sequence values taken by concurrent transactions out of commit order do not matter.
 * `p_after` null reads as before. Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';
import { up as journalRowsBefore } from './0023_journal_rows.js';

/** Adds `snapshot_changes.seq` and replaces `journal_rows` with its `p_after` form. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table snapshot_changes add column seq bigint generated always as identity`.execute(
    db,
  );
  await sql`drop function journal_rows(text, bigint, int)`.execute(db);
  await createJournalRows(db);
}

/** Creates this migration's `journal_rows(p_org, p_since, p_limit, p_after)` (also 0026's down). */
export async function createJournalRows(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function journal_rows(p_org text, p_since bigint, p_limit int, p_after bigint)
    returns table(mark bigint, changes json, scope json, member json, "group" json, client json,
      membership json, assignment json, role json)
    language plpgsql stable
    set plan_cache_mode = force_generic_plan
    set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off
    as $fn$
    #variable_conflict use_column
    begin
      return query
        with k as materialized (
          select distinct entity, key from snapshot_changes
           where org_id = p_org and revision >= p_since and seq > coalesce(p_after, -1)
           limit p_limit + 1),
        go as (select count(*) <= p_limit and not bool_or(entity = 'org') as go from k)
        select
          (select max(seq) from snapshot_changes
            where org_id = p_org and revision >= p_since and seq > coalesce(p_after, -1)) as mark,
          coalesce((select json_agg(k) from k), '[]'::json) as changes,
          (select json_agg(json_build_object('id', s.id, 'parent_id', s.parent_id,
              'kind', s.kind, 'name', s.name))
             from k, lateral (select * from scopes s
                               where s.org_id = p_org and s.id = k.key offset 0) s
            where k.entity = 'scope' and (select go from go)) as scope,
          (select json_agg(json_build_object('user_id', m.user_id, 'status', m.status,
              'email', m.email))
             from k, lateral (select m.user_id, m.status, u.email
                                from members m join users u on u.id = m.user_id
                               where m.org_id = p_org and m.user_id = k.key offset 0) m
            where k.entity = 'member' and (select go from go)) as member,
          (select json_agg(json_build_object('id', g.id, 'name', g.name,
              'limited_to', g.limited_to))
             from k, lateral (select * from groups g
                               where g.org_id = p_org and g.id = k.key offset 0) g
            where k.entity = 'group' and (select go from go)) as "group",
          (select json_agg(json_build_object('id', c.id, 'name', c.name,
              'revoked_at', c.revoked_at))
             from k, lateral (select * from api_clients c
                               where c.org_id = p_org and c.id = k.key offset 0) c
            where k.entity = 'client' and (select go from go)) as client,
          (select json_agg(json_build_object('group_id', gm.group_id,
              'member_id', gm.member_id))
             from k, lateral (select * from group_members gm
                               where gm.org_id = p_org
                                 and gm.group_id = substr(k.key, 1, strpos(k.key, ' ') - 1)
                                 and gm.member_id = substr(k.key, strpos(k.key, ' ') + 1)
                              offset 0) gm
            where k.entity = 'membership' and (select go from go)) as membership,
          (select json_agg(json_build_object('id', a.id, 'subject_id', a.subject_id,
              'role_key', a.role_key, 'scope_id', a.scope_id, 'environment', a.environment))
             from k, lateral (select * from assignments a
                               where a.org_id = p_org and a.id = k.key offset 0) a
            where k.entity = 'assignment' and (select go from go)) as assignment,
          (select json_agg(r)
             from k, lateral (select * from roles r
                               where r.org_id = p_org and r.key = k.key offset 0) r
            where k.entity = 'role' and (select go from go)) as role;
    end $fn$`.execute(db);
}

/** Restores migration 0023's `journal_rows` and drops the column. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function journal_rows(text, bigint, int, bigint)`.execute(db);
  await journalRowsBefore(db);
  await sql`alter table snapshot_changes drop column seq`.execute(db);
}
