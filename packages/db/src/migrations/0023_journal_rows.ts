/**
 * Issue 15: `journal_rows(org, since, limit)`, the journal catch-up of a write in one call (used
 * by `@gatehouse/domain`'s `engine/journal-rows.ts`). It returns, as JSON, the distinct keys
 * journaled for the org at revision `since` or later (at most `limit` + 1) and, when there are
 * at most `limit` of them and none is an `org` key, the current rows behind them per kind, in
 * the columns the snapshot readers select. A PL/pgSQL function, so each connection plans its
 * statement once (`force_generic_plan`): sent as one ad-hoc statement, planning its eight
 * subqueries cost more on PGlite than the three statements it replaces.
 *
 * Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, sql } from 'kysely';

/** Creates the function. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function journal_rows(p_org text, p_since bigint, p_limit int)
    returns table(changes json, scope json, member json, "group" json, client json,
      membership json, assignment json, role json)
    language plpgsql stable set plan_cache_mode = force_generic_plan as $fn$
    #variable_conflict use_column
    begin
      return query
        with k as materialized (
          select distinct entity, key from snapshot_changes
           where org_id = p_org and revision >= p_since
           limit p_limit + 1),
        go as (select count(*) <= p_limit and not bool_or(entity = 'org') as go from k)
        select
          coalesce((select json_agg(k) from k), '[]'::json) as changes,
          (select json_agg(json_build_object('id', s.id, 'parent_id', s.parent_id, 'kind', s.kind,
              'name', s.name))
             from scopes s where (select go from go) and s.org_id = p_org
              and s.id in (select key from k where entity = 'scope')) as scope,
          (select json_agg(json_build_object('user_id', m.user_id, 'status', m.status,
              'email', u.email))
             from members m join users u on u.id = m.user_id
            where (select go from go) and m.org_id = p_org
              and m.user_id in (select key from k where entity = 'member')) as member,
          (select json_agg(json_build_object('id', g.id, 'name', g.name, 'limited_to', g.limited_to))
             from groups g where (select go from go) and g.org_id = p_org
              and g.id in (select key from k where entity = 'group')) as "group",
          (select json_agg(json_build_object('id', c.id, 'name', c.name, 'revoked_at', c.revoked_at))
             from api_clients c where (select go from go) and c.org_id = p_org
              and c.id in (select key from k where entity = 'client')) as client,
          (select json_agg(json_build_object('group_id', gm.group_id, 'member_id', gm.member_id))
             from group_members gm where (select go from go) and gm.org_id = p_org
              and (gm.group_id, gm.member_id) in (
                select substr(key, 1, strpos(key, ' ') - 1), substr(key, strpos(key, ' ') + 1)
                  from k where entity = 'membership')) as membership,
          (select json_agg(json_build_object('id', a.id, 'subject_id', a.subject_id,
              'role_key', a.role_key, 'scope_id', a.scope_id, 'environment', a.environment))
             from assignments a where (select go from go) and a.org_id = p_org
              and a.id in (select key from k where entity = 'assignment')) as assignment,
          (select json_agg(r) from roles r where (select go from go) and r.org_id = p_org
              and r.key in (select key from k where entity = 'role')) as role;
    end $fn$`.execute(db);
}

/** Drops the function. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function journal_rows(text, bigint, int)`.execute(db);
}
