/**
 * Issue 15: `journal_rows` runs only the lookups a catch-up needs. The function of migration
 * 0025 was one statement of eighteen subplans: the keys (a sort and unique over the journal
 * entries), a second scan of the same entries for `mark`, and a lateral lookup for each of the
 * seven kinds of row, all set up (nine tables and their indexes opened and locked) and run on
 * every call, though a write's catch-up has keys of one or two kinds (a SCIM provisioning: its
 * member and its assignment). EXPLAIN ANALYZE of its cached generic plan on a 2,000-user ingest
 * (8,000 journal entries, PostgreSQL 15): 0.12 ms to execute for the three entries of a batched
 * write, 0.28 ms for the first write of a batch (which rereads the previous batch's entries);
 * pg_stat_statements under load: 0.55 ms a call, 38% of all statement time.
 *
 * Now one scan of the entries gives the keys (grouped), `mark` and each kind's keys as an array,
 * and each kind's rows are read by their own small statement, run only when the kind has keys.
 * Each statement is still planned once per connection, generic, by key lookups (`offset 0`
 * laterals, sequential scans, hash and merge joins off), as migration 0023 explains. The result
 * is the same row: `mark` (the highest `seq` read), `changes` (distinct keys, at most
 * `p_limit` + 1), and the current rows behind them per kind unless there are more than `p_limit`
 * keys or an `org` key. Runs the same on PGlite and PostgreSQL 15.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { createJournalRows } from './0025_journal_seq.js';

/** Replaces `journal_rows` with the form that reads only the kinds of rows that changed. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop function journal_rows(text, bigint, int, bigint)`.execute(db);
  await createJournalRowsByKind(db, BY_ORG);
}

/** The conditions a changed member and scope row are found by: here, by org and key. */
export const BY_ORG = {
  member: sql`m.org_id = p_org and m.user_id = k.key`,
  scope: sql`s.org_id = p_org and s.id = k.key`,
};

/**
 * Creates this migration's `journal_rows`; `match` holds the conditions a member and a scope row
 * of key `k.key` are found by (migration 0027 changes only them).
 */
export async function createJournalRowsByKind(
  db: Kysely<unknown>,
  match: { readonly member: RawBuilder<unknown>; readonly scope: RawBuilder<unknown> },
): Promise<void> {
  await sql`
    create or replace function journal_rows(p_org text, p_since bigint, p_limit int, p_after bigint)
    returns table(mark bigint, changes json, scope json, member json, "group" json, client json,
      membership json, assignment json, role json)
    language plpgsql stable
    set plan_cache_mode = force_generic_plan
    set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off
    as $fn$
    #variable_conflict use_column
    declare
      v_count int;
      v_org boolean;
      v_scope text[];
      v_member text[];
      v_group text[];
      v_client text[];
      v_membership text[];
      v_assignment text[];
      v_role text[];
    begin
      select max(k.seq),
             coalesce(json_agg(json_build_object('entity', k.entity, 'key', k.key)), '[]'::json),
             count(*), coalesce(bool_or(k.entity = 'org'), false),
             array_agg(k.key) filter (where k.entity = 'scope'),
             array_agg(k.key) filter (where k.entity = 'member'),
             array_agg(k.key) filter (where k.entity = 'group'),
             array_agg(k.key) filter (where k.entity = 'client'),
             array_agg(k.key) filter (where k.entity = 'membership'),
             array_agg(k.key) filter (where k.entity = 'assignment'),
             array_agg(k.key) filter (where k.entity = 'role')
        into mark, changes, v_count, v_org, v_scope, v_member, v_group, v_client, v_membership,
             v_assignment, v_role
        from (select c.entity, c.key, max(c.seq) as seq
                from snapshot_changes c
               where c.org_id = p_org and c.revision >= p_since
                 and c.seq > coalesce(p_after, -1)
               group by c.entity, c.key
               order by c.entity, c.key
               limit p_limit + 1) k;
      if v_count > p_limit or v_org then
        -- No rows: the caller loads in full. The mark covers every entry, not only those listed.
        select max(c.seq) into mark from snapshot_changes c
         where c.org_id = p_org and c.revision >= p_since and c.seq > coalesce(p_after, -1);
        return next;
        return;
      end if;
      if v_scope is not null then
        select json_agg(json_build_object('id', s.id, 'parent_id', s.parent_id, 'kind', s.kind,
                 'name', s.name))
          into scope
          from unnest(v_scope) k(key),
               lateral (select * from scopes s where ${match.scope} offset 0) s;
      end if;
      if v_member is not null then
        select json_agg(json_build_object('user_id', m.user_id, 'status', m.status,
                 'email', m.email))
          into member
          from unnest(v_member) k(key),
               lateral (select m.user_id, m.status, u.email
                          from members m join users u on u.id = m.user_id
                         where ${match.member} offset 0) m;
      end if;
      if v_group is not null then
        select json_agg(json_build_object('id', g.id, 'name', g.name, 'limited_to', g.limited_to))
          into "group"
          from unnest(v_group) k(key),
               lateral (select * from groups g where g.org_id = p_org and g.id = k.key offset 0) g;
      end if;
      if v_client is not null then
        select json_agg(json_build_object('id', c.id, 'name', c.name,
                 'revoked_at', c.revoked_at))
          into client
          from unnest(v_client) k(key),
               lateral (select * from api_clients c
                         where c.org_id = p_org and c.id = k.key offset 0) c;
      end if;
      if v_membership is not null then
        select json_agg(json_build_object('group_id', gm.group_id, 'member_id', gm.member_id))
          into membership
          from unnest(v_membership) k(key),
               lateral (select * from group_members gm
                         where gm.org_id = p_org
                           and gm.group_id = substr(k.key, 1, strpos(k.key, ' ') - 1)
                           and gm.member_id = substr(k.key, strpos(k.key, ' ') + 1)
                        offset 0) gm;
      end if;
      if v_assignment is not null then
        select json_agg(json_build_object('id', a.id, 'subject_id', a.subject_id,
                 'role_key', a.role_key, 'scope_id', a.scope_id, 'environment', a.environment))
          into assignment
          from unnest(v_assignment) k(key),
               lateral (select * from assignments a
                         where a.org_id = p_org and a.id = k.key offset 0) a;
      end if;
      if v_role is not null then
        select json_agg(r)
          into role
          from unnest(v_role) k(key),
               lateral (select * from roles r where r.org_id = p_org and r.key = k.key offset 0) r;
      end if;
      return next;
    end $fn$`.execute(db);
}

/** Restores migration 0025's `journal_rows`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function journal_rows(text, bigint, int, bigint)`.execute(db);
  await createJournalRows(db);
}
