/** M4: the directory of an org or scope, filtered and paged with a cursor. */

import type { Engine } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { type ScopeIndex, scopeIndex } from '../engine/index.js';
import { invalid, notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import type { Services } from '../services.js';
import { compareKeys, decodeCursor, encodeCursor } from './cursor.js';
import type { DirectoryEntry, DirectoryRole, DirectoryStatus } from './entry.js';
import { type Plan, plan } from './plan.js';
import { type InvitationRow, invitationRows, type MemberRow, memberRows } from './rows.js';

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
export async function listDirectory(call: OrgCall, q: DirectoryQuery = {}): Promise<DirectoryPage> {
  const { orgId, services: s } = call;
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw invalid('limit must be an integer from 1 to 500');
  }
  if (q.search !== undefined && q.search.length > 320) throw invalid('search is too long');
  const sort = q.sort ?? 'id';
  const cursor = q.cursor ? decodeCursor(q.cursor, sort) : null;
  const engine = await authorizeRead(call, 'members.read', q.scopeId ?? orgId);
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
        lastLoginMethod: null,
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
      ...(src.overriddenBy
        ? {
            overriddenBy: src.overriddenBy.map((o) => ({
              assignmentId: o.assignmentId,
              role: o.roleKey,
              scopeId: o.scopeId,
              environment: o.environment,
            })),
          }
        : {}),
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
      lastLoginMethod: r.last_login_method,
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
