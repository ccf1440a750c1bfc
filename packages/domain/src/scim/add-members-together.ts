/**
 * Issue 15: SCIM group PATCHes that only add members, queued together, run as ONE set-based step
 * (../write-batch.ts). One statement reads every group's version, finds the org's users among
 * each PATCH's ids, inserts the memberships and moves every group's version; each item then
 * queues exactly the audit and event its own `changeDirectoryGroup` would. Only the common case
 * runs here: each item patches a different directory group that exists, at the version it asks
 * for (if any), with ids that are all users of the org. Anything else throws, and the writes go
 * one by one, each getting its own answer (not found, version mismatch, not users...).
 */
import { sql } from '@gatehouse/db';
import { type BatchItem, NotBatchable, type WriteBatch } from '../write-batch.js';
import type { DirectoryGroup } from './directory-groups.js';
import { listed } from './listed-ids.js';
import { type DirectoryGroupRow, toDirectoryGroup } from './rows.js';
import { versionOf } from './version.js';

/** What one PATCH adding members asks: the group, the ids, and `ifVersion` (If-Match). */
export interface AddMembersInput {
  readonly groupId: string;
  readonly userIds: readonly string[];
  readonly ifVersion?: string | undefined;
}

/** The batch spec `changeDirectoryGroup` hands a write that only adds members. */
export function addMembersBatch(
  input: AddMembersInput,
): WriteBatch<AddMembersInput, DirectoryGroup> {
  return { key: 'scim.group.addMembers', input, run: addMembersTogether };
}

/** One row of the statement's answer: the group as it now is, and what the PATCH found. */
interface Added extends DirectoryGroupRow {
  readonly ord: number;
  readonly before_micros: string | null;
  readonly found: number;
  readonly added: string[] | null;
}

/** The set-based run (see the file comment). */
async function addMembersTogether(
  items: readonly BatchItem<AddMembersInput>[],
): Promise<DirectoryGroup[]> {
  const w0 = items[0]!.w;
  const orgId = w0.orgId;
  const groups = new Set<string>();
  const rows = items.map(({ w, input }, ord) => {
    w.authorize('groups.manage', orgId);
    if (groups.has(input.groupId)) throw new NotBatchable('two items patch one group');
    groups.add(input.groupId);
    return { ord, group_id: input.groupId, ids: [...new Set(input.userIds)] };
  });
  const { rows: out } = await sql<Added>`
    with input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as i(ord int, group_id text, ids text[])
    ),
    grp as (
      select g.id, (extract(epoch from g.updated_at) * 1000000)::bigint::text as micros
        from groups g
       where g.org_id = ${orgId} and g.scim_managed
         and g.id in (select group_id from input)
    ),
    found as (
      select i.ord, i.group_id, m.user_id
        from input i
        cross join lateral unnest(i.ids) as u(id)
        join members m on m.org_id = ${orgId} and m.user_id = u.id
    ),
    ins as (
      insert into group_members (org_id, group_id, member_id)
      select ${orgId}, f.group_id, f.user_id
        from found f join grp on grp.id = f.group_id
       order by f.ord
      on conflict do nothing
      returning group_id, member_id
    ),
    touched as (
      update groups set updated_at = clock_timestamp()
       where org_id = ${orgId} and id in (select id from grp)
      returning id, name, external_id, created_at, updated_at,
                (extract(epoch from updated_at) * 1000000)::bigint::text as micros
    )
    select i.ord, grp.micros as before_micros,
           (select count(*)::int from found f where f.ord = i.ord) as found,
           (select array_agg(member_id) from ins where ins.group_id = i.group_id) as added,
           t.id, t.name, t.external_id, t.created_at, t.updated_at, t.micros
      from input i
      left join grp on grp.id = i.group_id
      left join touched t on t.id = i.group_id
     order by i.ord`.execute(w0.trx);
  // Throwing after the statement rolls it back with the whole pass (the batch runs again).
  if (out.length !== items.length) throw new NotBatchable('a group matched twice');
  return out.map((r, k) => {
    const { w, input } = items[k]!;
    const asked = rows[k]!.ids;
    if (r.ord !== k || r.before_micros === null || !r.id) {
      throw new NotBatchable('not a directory group');
    }
    if (input.ifVersion !== undefined && versionOf(r.before_micros) !== input.ifVersion) {
      throw new NotBatchable('a version mismatch');
    }
    if (r.found < asked.length) throw new NotBatchable('ids that are not users');
    // In the order asked, as the audit and the event list them.
    const inserted = new Set(r.added ?? []);
    const added = asked.filter((id) => inserted.has(id));
    if (added.length > 0) {
      w.audit({
        action: 'GroupMembersAdded',
        entityType: 'group',
        entityId: input.groupId,
        scopeId: orgId,
        after: listed(added),
      });
      w.emit('group.members_added', { groupId: input.groupId, ...listed(added) });
    }
    return toDirectoryGroup(r);
  });
}
