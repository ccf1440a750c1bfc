/**
 * The member directory (M4) and the org overview (T6).
 *
 * A page is two indexed keyset queries — members (joined to users) and pending invitations —
 * merged on the same sort key, then enriched for the page's rows only (groups, roles, reach).
 * Nothing loads the whole org: search uses the trigram index on `users.email_lower` (migration
 * 0003), filters are `EXISTS` probes on the assignment and group-membership indexes, and the
 * cursor is the last row's (sort key, id).
 *
 * Roles are shown relative to the listed scope, as seed 004 does: an assignment at the scope is
 * `direct` ("Member"), one at an ancestor is `inherited` ("Inherited", with the scope it comes
 * from; from the engine's `accessAt`), and, for the scopes below it, each assignment there is
 * listed as `direct` at its own scope ("roles per scope").
 */
import type { Engine, Environment } from '@gatehouse/core';
import { type DB, sql } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { invalid, notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { type ScopeIndex, scopeIndex } from '../scope-index.js';
import type { Services } from '../services.js';
import { containsPattern } from './audit-log.js';

/** A member's (or invitee's) status (M4). */
export type DirectoryStatus = 'active' | 'deactivated' | 'pending';

/** One role as the directory shows it, relative to the listed scope. */
export interface DirectoryRole {
  readonly assignmentId: string | null;
  /** Role key (`viewer`) and display name (`Viewer`). */
  readonly role: string;
  readonly roleName: string;
  /** Where the assignment is placed. */
  readonly scopeId: string;
  readonly scopeName: string | null;
  readonly environment: Environment | null;
  /** `direct` ("Member") at `scopeId`, or `inherited` ("Inherited") from `scopeId` above. */
  readonly membership: 'direct' | 'inherited';
  /** The group the person holds it through, or null for their own assignment. */
  readonly viaGroup: { readonly id: string; readonly name: string } | null;
}

/** A row of the directory: a member, or a pending invitation. */
export interface DirectoryEntry {
  readonly kind: 'member' | 'invitation';
  /** The user (members); null for an invitation. */
  readonly userId: string | null;
  /** The invitation (pending rows); null for members. */
  readonly invitationId: string | null;
  readonly email: string;
  readonly name: string | null;
  readonly status: DirectoryStatus;
  readonly roles: readonly DirectoryRole[];
  readonly groups: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  readonly mfaEnrolled: boolean;
  /** Their last sign-in to this org (a sign-in to another org does not count). */
  readonly lastLoginAt: string | null;
  /**
   * Scopes they can reach: how many, and the topmost ones (each with everything below it, at
   * most 10 listed). Zero while deactivated or pending.
   */
  readonly reach: {
    readonly count: number;
    readonly roots: ReadonlyArray<{
      readonly id: string;
      readonly name: string;
      readonly kind: string;
    }>;
  };
  /** Pending invitations: when it expires. */
  readonly expiresAt: string | null;
}

/** Filters and paging of the directory. */
export interface DirectoryQuery {
  /** The scope whose members to list (direct and inherited); default the org (everyone). */
  readonly scopeId?: string | undefined;
  /** Part of the email, any case. */
  readonly search?: string | undefined;
  readonly status?: DirectoryStatus | undefined;
  /** Holds this role (own or through a group) at the scope or above; at the org: anywhere. */
  readonly role?: string | undefined;
  readonly groupId?: string | undefined;
  /** Only "Member" (an assignment at the scope itself) or only "Inherited" rows. */
  readonly membership?: 'direct' | 'inherited' | undefined;
  /** `id` (default; about join order) or `email`. */
  readonly sort?: 'id' | 'email' | undefined;
  readonly cursor?: string | undefined;
  /** 1–500, default 50. */
  readonly limit?: number | undefined;
}

/** A page of the directory. */
export interface DirectoryPage {
  readonly scopeId: string;
  readonly revision: number;
  readonly items: DirectoryEntry[];
  readonly nextCursor: string | null;
}

interface Cursor {
  readonly sort: 'id' | 'email';
  readonly key: string;
  readonly id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.key, c.id])).toString('base64url');
}

function decodeCursor(raw: string, sort: 'id' | 'email'): Cursor {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      v[0] === sort &&
      typeof v[1] === 'string' &&
      typeof v[2] === 'string'
    ) {
      return { sort, key: v[1], id: v[2] };
    }
  } catch {
    // fall through
  }
  throw invalid('invalid cursor (it belongs to another query or sort order)');
}

/** Byte order, as `COLLATE "C"` compares. */
function compareKeys(a: { key: string; id: string }, b: { key: string; id: string }): number {
  return Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || (a.id < b.id ? -1 : 1);
}

/**
 * User ids holding an assignment of their own at one of `scopes` (null: anywhere), of `role`
 * (optional): an uncorrelated subquery, so the planner may drive from it (few holders) or probe
 * it per member in page order (many holders).
 */
function ownHolders(db: DB, orgId: string, scopes: readonly string[] | null, role?: string) {
  let q = db
    .selectFrom('assignments as a')
    .select('a.subject_id as id')
    .where('a.org_id', '=', orgId)
    .where('a.subject_type', '=', 'user');
  if (scopes) q = q.where('a.scope_id', 'in', scopes);
  if (role) q = q.where('a.role_key', '=', role);
  return q;
}

/** The same, for assignments held through a group. */
function groupHolders(db: DB, orgId: string, scopes: readonly string[] | null, role?: string) {
  let q = db
    .selectFrom('group_members as gm')
    .innerJoin('assignments as ga', (j) =>
      j.onRef('ga.org_id', '=', 'gm.org_id').onRef('ga.subject_id', '=', 'gm.group_id'),
    )
    .select('gm.member_id as id')
    .where('gm.org_id', '=', orgId);
  if (scopes) q = q.where('ga.scope_id', 'in', scopes);
  if (role) q = q.where('ga.role_key', '=', role);
  return q;
}

/** Up to this many holders are fetched and looked up by key rather than joined. */
const FEW_HOLDERS = 5000;

/**
 * The distinct ids a holders subquery yields when there are at most FEW_HOLDERS of them, else
 * null. Counting first (capped, inside the database) keeps the "many" case from shipping rows.
 */
async function fewIds(
  db: DB,
  holders: ReturnType<typeof ownHolders> | ReturnType<typeof groupHolders>,
): Promise<string[] | null> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from (select 1 from ${holders} as h limit ${FEW_HOLDERS + 1}) as c`.execute(
    db,
  );
  if (Number(rows[0]?.n ?? 0) > FEW_HOLDERS) return null;
  const ids = await sql<{ id: string }>`select distinct h.id from ${holders} as h`.execute(db);
  return ids.rows.map((r) => r.id);
}

interface Plan {
  readonly orgId: string;
  readonly scopeId: string;
  readonly isRoot: boolean;
  /** Scopes an assignment must sit at for a row to be listed (null: no condition). */
  readonly accessScopes: readonly string[] | null;
  /** Exclude rows with an assignment at the scope itself (membership "inherited"). */
  readonly excludeDirect: boolean;
  /** Nothing can match (e.g. "inherited" at the org root). */
  readonly empty: boolean;
}

function plan(engine: Engine, idx: ScopeIndex, orgId: string, q: DirectoryQuery): Plan {
  const scopeId = q.scopeId ?? orgId;
  if (!engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
  const isRoot = scopeId === orgId;
  const chain = idx.ancestorsOrSelf(scopeId);
  let accessScopes: readonly string[] | null = null;
  let excludeDirect = false;
  let empty = false;
  if (q.membership === 'direct') accessScopes = [scopeId];
  else if (q.membership === 'inherited') {
    accessScopes = chain.slice(1);
    excludeDirect = true;
    empty = accessScopes.length === 0;
  } else if (!isRoot) accessScopes = chain;
  return { orgId, scopeId, isRoot, accessScopes, excludeDirect, empty };
}

interface MemberRow {
  readonly key: string;
  readonly id: string;
  readonly kind: 'member';
  readonly user_id: string;
  readonly status: 'active' | 'deactivated';
  readonly email: string;
  readonly name: string | null;
  readonly mfa_enrolled: boolean;
  readonly last_login_at: Date | null;
}

interface InvitationRow {
  readonly key: string;
  readonly id: string;
  readonly kind: 'invitation';
  readonly email: string;
  readonly name: string | null;
  readonly scope_id: string;
  readonly roles: Array<{ role: string; scopeId: string; environment: Environment | null }>;
  readonly expires_at: Date;
}

async function memberRows(
  s: Services,
  p: Plan,
  q: DirectoryQuery,
  sort: 'id' | 'email',
  cursor: Cursor | null,
  take: number,
): Promise<MemberRow[]> {
  if (p.empty || q.status === 'pending') return [];
  const access = p.accessScopes !== null || q.role !== undefined;
  // "Own or through a group" as two semi-joins merged here, not one OR (which PostgreSQL can
  // only run as a filter over every member).
  const ways: Array<'own' | 'group' | null> = access ? ['own', 'group'] : [null];
  const lists = await Promise.all(
    ways.map(async (way) => {
      let query = s.db
        .selectFrom('members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select([
          'm.user_id',
          'm.status',
          'u.email',
          'u.email_lower',
          'u.name',
          'u.mfa_enrolled',
          'm.last_login_at',
        ])
        .where('m.org_id', '=', p.orgId);
      if (q.status) query = query.where('m.status', '=', q.status as 'active' | 'deactivated');
      if (q.search) query = query.where('u.email_lower', 'like', containsPattern(q.search));
      if (way !== null) {
        const holders =
          way === 'own'
            ? ownHolders(s.db, p.orgId, p.accessScopes, q.role)
            : groupHolders(s.db, p.orgId, p.accessScopes, q.role);
        // Few holders (a role in a workspace): fetch them, then look those members up by key.
        // Many (everyone inherits from the org): a semi-join that walks members in page order.
        const few = await fewIds(s.db, holders);
        if (few?.length === 0) return [];
        if (few) query = query.where(sql<boolean>`m.user_id = any(${few}::text[])`);
        else query = query.where('m.user_id', 'in', holders);
      }
      if (p.excludeDirect) {
        const here = [p.scopeId];
        query = query
          .where('m.user_id', 'not in', ownHolders(s.db, p.orgId, here))
          .where('m.user_id', 'not in', groupHolders(s.db, p.orgId, here));
      }
      if (q.groupId) {
        const groupId = q.groupId;
        query = query.where(
          'm.user_id',
          'in',
          s.db
            .selectFrom('group_members as g')
            .select('g.member_id')
            .where('g.org_id', '=', p.orgId)
            .where('g.group_id', '=', groupId),
        );
      }
      if (sort === 'email') {
        if (cursor) {
          query = query.where(
            sql<boolean>`(u.email_lower collate "C", u.id) > (${cursor.key}, ${cursor.id})`,
          );
        }
        query = query.orderBy(sql`u.email_lower collate "C"`).orderBy('u.id');
      } else {
        if (cursor) query = query.where('m.user_id', '>', cursor.id);
        query = query.orderBy('m.user_id');
      }
      return query.limit(take).execute();
    }),
  );
  const seen = new Set<string>();
  const out: MemberRow[] = [];
  for (const r of lists.flat()) {
    if (seen.has(r.user_id)) continue;
    seen.add(r.user_id);
    out.push({
      ...r,
      kind: 'member' as const,
      key: sort === 'email' ? r.email_lower : r.user_id,
      id: r.user_id,
    });
  }
  return out.sort(compareKeys).slice(0, take);
}

async function invitationRows(
  s: Services,
  p: Plan,
  q: DirectoryQuery,
  sort: 'id' | 'email',
  cursor: Cursor | null,
  take: number,
): Promise<InvitationRow[]> {
  // Invitees hold no groups and have no status other than pending.
  if (p.empty || q.groupId || (q.status && q.status !== 'pending')) return [];
  const now = s.options?.now?.() ?? new Date();
  let query = s.db
    .selectFrom('invitations as i')
    .select(['i.id', 'i.email', 'i.email_lower', 'i.name', 'i.scope_id', 'i.roles', 'i.expires_at'])
    .where('i.org_id', '=', p.orgId)
    .where('i.status', '=', 'pending')
    .where('i.expires_at', '>', now);
  if (q.search) query = query.where('i.email_lower', 'like', containsPattern(q.search));
  // An invitee is listed where the invitation will give access: its scope or below.
  if (p.accessScopes) query = query.where('i.scope_id', 'in', p.accessScopes);
  if (q.role) {
    query = query.where(sql<boolean>`i.roles @> ${JSON.stringify([{ role: q.role }])}::jsonb`);
  }
  if (sort === 'email') {
    if (cursor) {
      query = query.where(
        sql<boolean>`(i.email_lower collate "C", i.id) > (${cursor.key}, ${cursor.id})`,
      );
    }
    query = query.orderBy(sql`i.email_lower collate "C"`).orderBy('i.id');
  } else {
    if (cursor) query = query.where('i.id', '>', cursor.id);
    query = query.orderBy('i.id');
  }
  const rows = await query.limit(take).execute();
  return rows.map((r) => ({
    ...r,
    roles: (typeof r.roles === 'string' ? JSON.parse(r.roles) : r.roles) as InvitationRow['roles'],
    kind: 'invitation' as const,
    key: sort === 'email' ? r.email_lower : r.id,
  }));
}

/**
 * M4: one page of the directory of the org or of a scope: members (Active, Deactivated) and
 * pending invitations, with roles per scope (direct "Member" vs "Inherited"), groups, MFA,
 * last login and reach; searchable by email, filterable by status, role, group and scope;
 * stable keyset pagination. Needs `members.read` at the scope.
 *
 * @example
 * const page = await listDirectory(s, caller, orgId, { scopeId: wsId, search: 'ann', status: 'active' });
 * const next = await listDirectory(s, caller, orgId, { scopeId: wsId, search: 'ann', status: 'active', cursor: page.nextCursor! });
 */
export async function listDirectory(
  s: Services,
  caller: Caller,
  orgId: string,
  q: DirectoryQuery = {},
): Promise<DirectoryPage> {
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw invalid('limit must be an integer from 1 to 500');
  }
  if (q.search !== undefined && q.search.length > 320) throw invalid('search is too long');
  const sort = q.sort ?? 'id';
  const cursor = q.cursor ? decodeCursor(q.cursor, sort) : null;
  const engine = await authorizeRead(s, caller, orgId, 'members.read', q.scopeId ?? orgId);
  const idx = scopeIndex(engine);
  const p = plan(engine, idx, orgId, q);
  if (q.groupId && !engine.hasSubject(q.groupId)) throw notFound(`group ${q.groupId}`);
  const [members, invitations] = await Promise.all([
    memberRows(s, p, q, sort, cursor, limit + 1),
    invitationRows(s, p, q, sort, cursor, limit + 1),
  ]);
  const merged = [...members, ...invitations].sort(compareKeys);
  const page = merged.slice(0, limit);
  const last = page[page.length - 1];
  const items = await enrich(s, engine, idx, p, page);
  return {
    scopeId: p.scopeId,
    revision: engine.revision,
    items,
    nextCursor:
      merged.length > limit && last ? encodeCursor({ sort, key: last.key, id: last.id }) : null,
  };
}

async function enrich(
  s: Services,
  engine: Engine,
  idx: ScopeIndex,
  p: Plan,
  page: ReadonlyArray<MemberRow | InvitationRow>,
): Promise<DirectoryEntry[]> {
  const userIds = page.filter((r): r is MemberRow => r.kind === 'member').map((r) => r.user_id);
  const groupRows = userIds.length
    ? await s.db
        .selectFrom('group_members as gm')
        .innerJoin('groups as g', (j) =>
          j.onRef('g.org_id', '=', 'gm.org_id').onRef('g.id', '=', 'gm.group_id'),
        )
        .select(['gm.member_id', 'g.id', 'g.name'])
        .where('gm.org_id', '=', p.orgId)
        .where('gm.member_id', 'in', userIds)
        .orderBy('g.name')
        .execute()
    : [];
  const groupName = new Map(groupRows.map((g) => [g.id, g.name]));
  const subjects = [...new Set([...userIds, ...groupRows.map((g) => g.id)])];
  const assignments = subjects.length
    ? await s.db
        .selectFrom('assignments')
        .select(['id', 'subject_id', 'role_key', 'scope_id', 'environment'])
        .where('org_id', '=', p.orgId)
        .where('subject_id', 'in', subjects)
        .orderBy('id')
        .execute()
    : [];
  const bySubject = new Map<string, typeof assignments>();
  for (const a of assignments) {
    const list = bySubject.get(a.subject_id) ?? [];
    list.push(a);
    bySubject.set(a.subject_id, list);
  }
  const roleName = (key: string) => engine.role(key)?.name ?? key;
  const scopeName = (id: string) => idx.get(id)?.name ?? null;
  return page.map((r): DirectoryEntry => {
    if (r.kind === 'invitation') {
      return {
        kind: 'invitation',
        userId: null,
        invitationId: r.id,
        email: r.email,
        name: r.name,
        status: 'pending',
        roles: r.roles
          .filter(
            (x) =>
              x.scopeId === p.scopeId ||
              idx.isBelow(p.scopeId, x.scopeId) ||
              idx.isBelow(x.scopeId, p.scopeId),
          )
          .map((x) => ({
            assignmentId: null,
            role: x.role,
            roleName: roleName(x.role),
            scopeId: x.scopeId,
            scopeName: scopeName(x.scopeId),
            environment: x.environment,
            membership: idx.isBelow(p.scopeId, x.scopeId) ? 'inherited' : 'direct',
            viaGroup: null,
          })),
        groups: [],
        mfaEnrolled: false,
        lastLoginAt: null,
        reach: { count: 0, roots: [] },
        expiresAt: new Date(r.expires_at).toISOString(),
      };
    }
    const groups = groupRows
      .filter((g) => g.member_id === r.user_id)
      .map((g) => ({ id: g.id, name: g.name }));
    // At the scope and above: the engine's own answer (T3).
    const roles: DirectoryRole[] = engine.accessAt(r.user_id, p.scopeId).map((src) => ({
      assignmentId: src.assignmentId,
      role: src.roleKey,
      roleName: roleName(src.roleKey),
      scopeId: src.scopeId,
      scopeName: scopeName(src.scopeId),
      environment: src.environment,
      membership: src.inherited ? 'inherited' : 'direct',
      viaGroup: src.viaGroup
        ? { id: src.viaGroup, name: groupName.get(src.viaGroup) ?? src.viaGroup }
        : null,
    }));
    // Below the scope: each assignment at its own scope.
    const held = [
      ...(bySubject.get(r.user_id) ?? []).map((a) => ({ a, via: null as string | null })),
      ...groups.flatMap((g) => (bySubject.get(g.id) ?? []).map((a) => ({ a, via: g.id }))),
    ];
    for (const { a, via } of held) {
      if (!idx.isBelow(a.scope_id, p.scopeId)) continue;
      roles.push({
        assignmentId: a.id,
        role: a.role_key,
        roleName: roleName(a.role_key),
        scopeId: a.scope_id,
        scopeName: scopeName(a.scope_id),
        environment: a.environment,
        membership: 'direct',
        viaGroup: via ? { id: via, name: groupName.get(via) ?? via } : null,
      });
    }
    const tops = r.status === 'active' ? idx.topmost(held.map((h) => h.a.scope_id)) : [];
    return {
      kind: 'member',
      userId: r.user_id,
      invitationId: null,
      email: r.email,
      name: r.name,
      status: r.status,
      roles,
      groups,
      mfaEnrolled: r.mfa_enrolled,
      lastLoginAt: r.last_login_at ? new Date(r.last_login_at).toISOString() : null,
      reach: {
        count: tops.reduce((n, id) => n + idx.subtreeSize(id), 0),
        roots: tops.slice(0, 10).map((id) => {
          const n = idx.get(id)!;
          return { id, name: n.name, kind: n.kind };
        }),
      },
      expiresAt: null,
    };
  });
}

/** Per-scope member counts change only with the revision: computed once per engine. */
const perScopeCache = new WeakMap<Engine, Promise<Array<{ scope_id: string; n: number }>>>();

function perScopeCounts(
  s: Services,
  engine: Engine,
  orgId: string,
): Promise<Array<{ scope_id: string; n: number }>> {
  let p = perScopeCache.get(engine);
  if (!p) {
    p = sql<{ scope_id: string; n: number }>`
      select x.scope_id, count(distinct x.user_id)::int as n from (
        select a.scope_id, a.subject_id as user_id
          from assignments a
         where a.org_id = ${orgId} and a.subject_type = 'user'
        union all
        select a.scope_id, gm.member_id
          from assignments a
          join group_members gm on gm.org_id = a.org_id and gm.group_id = a.subject_id
          join members m on m.org_id = gm.org_id and m.user_id = gm.member_id
         where a.org_id = ${orgId} and a.subject_type = 'group'
      ) x group by x.scope_id`
      .execute(s.db)
      .then((r) => r.rows);
    p.catch(() => perScopeCache.delete(engine));
    perScopeCache.set(engine, p);
  }
  return p;
}

/** T6: the org at a glance. */
export interface DirectoryOverview {
  readonly revision: number;
  readonly members: {
    readonly total: number;
    readonly active: number;
    readonly deactivated: number;
  };
  readonly pendingInvitations: number;
  /** Active members who signed in to this org during the last 30 days. */
  readonly activeLast30Days: number;
  /** Per scope: people with an assignment placed there, own or through a group ("Member"). */
  readonly perScope: ReadonlyArray<{
    readonly scopeId: string;
    readonly name: string;
    readonly kind: string;
    readonly parentId: string | null;
    readonly members: number;
  }>;
  /**
   * The ten most recent sign-ins to this org (every member's last login to it is on their
   * directory row).
   */
  readonly recentLogins: ReadonlyArray<{
    readonly userId: string;
    readonly email: string;
    readonly name: string | null;
    readonly lastLoginAt: string;
  }>;
}

/**
 * T6: members per status and per scope, pending invitations, active in the last 30 days and the
 * latest sign-ins (`members.read` at the root). Counts are aggregate queries over the org's
 * index entries; nothing is loaded row by row.
 */
export async function directoryOverview(
  s: Services,
  caller: Caller,
  orgId: string,
): Promise<DirectoryOverview> {
  const engine = await authorizeRead(s, caller, orgId, 'members.read', orgId);
  const now = s.options?.now?.() ?? new Date();
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const [statuses, pending, recent, perScope, latest] = await Promise.all([
    s.db
      .selectFrom('members')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .groupBy('status')
      .execute(),
    s.db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow(),
    s.db
      .selectFrom('members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('m.org_id', '=', orgId)
      .where('m.status', '=', 'active')
      .where('m.last_login_at', '>=', since)
      .executeTakeFirstOrThrow(),
    perScopeCounts(s, engine, orgId),
    s.db
      .selectFrom('members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'u.email', 'u.name', 'm.last_login_at'])
      .where('m.org_id', '=', orgId)
      .where('m.last_login_at', 'is not', null)
      .orderBy('m.last_login_at', 'desc')
      .limit(10)
      .execute(),
  ]);
  const count = (st: string) => Number(statuses.find((r) => r.status === st)?.n ?? 0);
  const idx = scopeIndex(engine);
  return {
    revision: engine.revision,
    members: {
      total: count('active') + count('deactivated'),
      active: count('active'),
      deactivated: count('deactivated'),
    },
    pendingInvitations: Number(pending.n),
    activeLast30Days: Number(recent.n),
    perScope: perScope
      .filter((r) => idx.get(r.scope_id))
      .map((r) => {
        const n = idx.get(r.scope_id)!;
        return {
          scopeId: r.scope_id,
          name: n.name,
          kind: n.kind,
          parentId: n.parentId,
          members: Number(r.n),
        };
      })
      .sort((a, b) => b.members - a.members || (a.scopeId < b.scopeId ? -1 : 1)),
    recentLogins: latest.map((r) => ({
      userId: r.user_id,
      email: r.email,
      name: r.name,
      lastLoginAt: new Date(r.last_login_at!).toISOString(),
    })),
  };
}
