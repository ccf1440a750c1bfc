/**
 * Issue 15: SCIM provisionings queued together run as ONE set-based step (../write-batch.ts).
 * One statement finds or creates every user, inserts every member row with its directory
 * columns and grants every default role; each item then queues exactly the audits and events
 * its own `provisionDirectoryUser` would, in the same order. Only the common case runs here: a
 * new, active member per item, with an email, userName and externalId no other item of the run
 * has. Anything else (an adoption, an inactive user, a taken value, a user created meanwhile by
 * another transaction) throws, and the run's writes go one by one, each getting its own answer.
 */
import { newId, sql } from '@gatehouse/db';
import type { OrgWrite } from '../org-write.js';
import { assignmentView, normalizeEmail, noteMemberAdded } from '../rules/index.js';
import { type BatchItem, NotBatchable, type WriteBatch } from '../write-batch.js';
import type { DirectoryUser, DirectoryUserInput } from './directory-users.js';
import { type DirectoryUserRow, summary, toDirectoryUser } from './rows.js';

/** The batch spec `provisionDirectoryUser` hands its write (key, input, set-based run). */
export function provisionBatch(
  input: DirectoryUserInput,
): WriteBatch<DirectoryUserInput, DirectoryUser> {
  return { key: 'scim.provision', input, run: provisionTogether };
}

/** One row of the statement's answer: the user, their new member row, its default role. */
interface Provisioned extends DirectoryUserRow {
  readonly ord: number;
  readonly found_id: string;
  readonly found_email: string;
  readonly created: boolean;
  readonly joined: boolean;
  readonly a_id: string | null;
  readonly a_created_at: Date | string | null;
}

/** The set-based run (see the file comment). */
async function provisionTogether(
  items: readonly BatchItem<DirectoryUserInput>[],
): Promise<DirectoryUser[]> {
  const w0 = items[0]!.w;
  const orgId = w0.orgId;
  const role = defaultRootRole(w0);
  const emails = new Set<string>();
  const names = new Set<string>();
  const externalIds = new Set<string>();
  const once = (set: Set<string>, value: string, what: string) => {
    if (set.has(value)) throw new NotBatchable(`two items share a ${what}`);
    set.add(value);
  };
  const rows = items.map(({ w, input }, ord) => {
    if (!input.active) throw new NotBatchable('an inactive user');
    w.authorize('members.invite', orgId);
    const { email, lower } = normalizeEmail(input.email);
    once(emails, lower, 'email');
    once(names, input.userName.toLowerCase(), 'userName');
    if (input.externalId !== null) once(externalIds, input.externalId, 'externalId');
    if (role) w.authorizeAssign({ role, scopeId: orgId, environment: null });
    w.authorize('members.update', orgId);
    return {
      ord,
      new_id: newId('user'),
      email,
      email_lower: lower,
      name: input.name,
      user_name: input.userName,
      external_id: input.externalId,
      doc: input.doc,
      assignment_id: newId('assignment'),
    };
  });
  const { rows: out } = await sql<Provisioned>`
    with input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as i(
        ord int, new_id text, email text, email_lower text, name text, user_name text,
        external_id text, doc jsonb, assignment_id text)
    ),
    created as (
      insert into users (id, email, email_lower, name, password_hash, last_login_at, updated_at)
      select new_id, email, email_lower, name, null, null, ${new Date()} from input order by ord
      on conflict (email_lower) do nothing
      returning id, email, email_lower
    ),
    found as (
      select id, email, email_lower from users
       where email_lower in (select email_lower from input)
    ),
    who as (
      select i.ord, coalesce(c.id, f.id) as user_id, coalesce(c.email, f.email) as email,
             c.id is not null as created, i.user_name, i.external_id, i.doc, i.assignment_id
        from input i
        left join created c on c.email_lower = i.email_lower
        left join found f on f.email_lower = i.email_lower
    ),
    joined as (
      insert into members (org_id, user_id, status, scim_user_name, external_id, scim_doc, updated_at)
      select ${orgId}, user_id, 'active', user_name, external_id, doc, clock_timestamp()
        from who where user_id is not null order by ord
      on conflict (org_id, user_id) do nothing
      returning user_id, scim_user_name, external_id, scim_doc, status, created_at, updated_at,
                (extract(epoch from updated_at) * 1000000)::bigint::text as micros
    ),
    granted as (
      insert into assignments (org_id, id, subject_id, subject_type, role_key, scope_id, environment)
      select ${orgId}, w.assignment_id, j.user_id, 'user', ${role}::text, ${orgId}, null
        from joined j join who w on w.user_id = j.user_id
       where ${role}::text is not null
       order by w.ord
      on conflict do nothing
      returning id, subject_id, created_at
    )
    select w.ord, w.user_id as found_id, w.email as found_email, w.created,
           j.user_id is not null as joined, j.user_id, j.scim_user_name, j.external_id,
           j.scim_doc, j.status, j.created_at, j.updated_at, j.micros,
           g.id as a_id, g.created_at as a_created_at
      from who w
      left join joined j on j.user_id = w.user_id
      left join granted g on g.subject_id = w.user_id
     order by w.ord`.execute(w0.trx);
  if (out.length !== items.length) throw new NotBatchable('an email matched twice');
  return out.map((r, k) => {
    const { w, input } = items[k]!;
    // Throwing after the statement rolls it back with the whole pass (the batch runs again).
    if (r.ord !== k || !r.found_id) throw new NotBatchable('a user created meanwhile');
    if (!r.joined) throw new NotBatchable('already a member (an adoption)');
    if (w.engine.hasSubject(r.found_id)) throw new NotBatchable('a subject the engine knows');
    if (role && !r.a_id) throw new NotBatchable('the default role was not granted');
    const user = { id: r.found_id, email: r.found_email };
    if (r.created) {
      w.audit({
        action: 'Created',
        entityType: 'user',
        entityId: rows[k]!.new_id,
        after: { email: rows[k]!.email, name: input.name ?? null },
      });
    }
    noteMemberAdded(w, user);
    if (role) {
      const view = assignmentView({
        id: r.a_id!,
        subject_id: user.id,
        subject_type: 'user',
        role_key: role,
        scope_id: orgId,
        environment: null,
        created_at: new Date(r.a_created_at!),
        org_id: orgId,
      });
      w.audit({
        action: 'RoleAssigned',
        entityType: 'assignment',
        entityId: view.id,
        scopeId: orgId,
        after: view,
      });
      w.emit('role.assigned', { ...view });
    }
    w.audit({
      action: 'Provisioned',
      entityType: 'member',
      entityId: user.id,
      scopeId: orgId,
      after: { ...summary(input), doc: input.doc },
    });
    w.emit('scim.user.provisioned', { userId: user.id, ...summary(input) });
    return { ...toDirectoryUser(r), groups: [] };
  });
}

/** The role a newcomer gets at the root (`grantDefaultRole` without `at`), or null. */
function defaultRootRole(w: OrgWrite): string | null {
  const kind = w.engine.snapshot.scopes.find((x) => x.id === w.orgId)?.kind ?? w.preset.rootKind;
  return w.preset.defaultRoles[kind] ?? null;
}
