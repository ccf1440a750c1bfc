/** The SQL reads behind a directory page: member rows and pending invitation rows. */
import type { Environment } from '@gatehouse/core';
import { type AuthMethod, sql } from '@gatehouse/db';
import { containsPattern } from '../rules/index.js';
import type { Services } from '../services.js';
import { type Cursor, compareKeys } from './cursor.js';
import type { DirectoryQuery } from './list.js';
import { fewIds, groupHolders, ownHolders, type Plan } from './plan.js';

/** A member as a directory page reads it. */
export interface MemberRow {
  readonly key: string;
  readonly id: string;
  readonly kind: 'member';
  readonly user_id: string;
  readonly status: 'active' | 'deactivated';
  readonly email: string;
  readonly name: string | null;
  readonly mfa_enrolled: boolean;
  readonly last_login_at: Date | null;
  readonly last_login_method: AuthMethod | null;
}

/** A pending invitation as a directory page reads it. */
export interface InvitationRow {
  readonly key: string;
  readonly id: string;
  readonly kind: 'invitation';
  readonly email: string;
  readonly name: string | null;
  readonly scope_id: string;
  readonly roles: Array<{ role: string; scopeId: string; environment: Environment | null }>;
  readonly expires_at: Date;
}

/** The members of one directory page, in SQL. */
export async function memberRows(
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
          'm.last_login_method',
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

/** The pending invitations of one directory page, in SQL. */
export async function invitationRows(
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
