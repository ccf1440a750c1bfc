/** Loads an org's snapshot (C7) from the database: one query per table, keyed by org. */
import { type OrgSnapshot, type RoleDef, snapshotFor } from '@gatehouse/core';
import type { Database, DB, Transaction } from '@gatehouse/db';
import { notFound } from './errors.js';
import { presetOrThrow } from './presets.js';

type Q = DB | Transaction<Database>;

/** The org's state as the engine needs it, at the revision the org row shows. */
export async function loadSnapshot(db: Q, orgId: string): Promise<OrgSnapshot> {
  const org = await db
    .selectFrom('orgs')
    .select(['id', 'preset', 'revision'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!org) throw notFound(`organization ${orgId}`);
  const preset = presetOrThrow(org.preset);
  const [scopes, members, groups, clients, memberships, assignments, roles] = await Promise.all([
    db
      .selectFrom('scopes')
      .select(['id', 'parent_id', 'kind', 'name'])
      .where('org_id', '=', orgId)
      .execute(),
    db
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.user_id')
      .select(['members.user_id', 'members.status', 'users.email'])
      .where('members.org_id', '=', orgId)
      .execute(),
    db
      .selectFrom('groups')
      .select(['id', 'name', 'limited_to'])
      .where('org_id', '=', orgId)
      .execute(),
    db
      .selectFrom('api_clients')
      .select(['id', 'name', 'revoked_at'])
      .where('org_id', '=', orgId)
      .execute(),
    db
      .selectFrom('group_members')
      .select(['group_id', 'member_id'])
      .where('org_id', '=', orgId)
      .execute(),
    db
      .selectFrom('assignments')
      .select(['id', 'subject_id', 'role_key', 'scope_id', 'environment'])
      .where('org_id', '=', orgId)
      .execute(),
    db.selectFrom('roles').selectAll().where('org_id', '=', orgId).execute(),
  ]);
  const customRoles: RoleDef[] = roles.map((r) => ({
    key: r.key,
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
    permissions: r.permissions,
    slot: r.slot,
    scopeKinds: r.scope_kinds,
    builtIn: false,
  }));
  return snapshotFor(preset, {
    orgId,
    revision: org.revision,
    scopes: scopes.map((s) => ({ id: s.id, parentId: s.parent_id, kind: s.kind, name: s.name })),
    subjects: [
      ...members.map((m) => ({
        id: m.user_id,
        type: 'user' as const,
        active: m.status === 'active',
        label: m.email,
      })),
      ...groups.map((g) => ({
        id: g.id,
        type: 'group' as const,
        active: true,
        limitedTo: g.limited_to,
        label: g.name,
      })),
      ...clients.map((c) => ({
        id: c.id,
        type: 'client' as const,
        active: c.revoked_at === null,
        label: c.name,
      })),
    ],
    memberships: memberships.map((m) => ({ groupId: m.group_id, memberId: m.member_id })),
    assignments: assignments.map((a) => ({
      id: a.id,
      subjectId: a.subject_id,
      roleKey: a.role_key,
      scopeId: a.scope_id,
      environment: a.environment,
    })),
    customRoles,
  });
}
