/**
 * Loads an org's snapshot (C7) from the database: in full (one query per table, keyed by org),
 * or as a catch-up from an earlier snapshot through the snapshot journal (`snapshot-delta.ts`).
 * Both read rows through the same per-entity readers below, so they cannot disagree.
 */
import { type OrgSnapshot, type RoleDef, snapshotFor } from '@gatehouse/core';
import { type Database, type DB, type RoleRow, sql, type Transaction } from '@gatehouse/db';
import { notFound } from '../errors.js';
import type { PresetStore } from '../rules/index.js';

type Q = DB | Transaction<Database>;
type Snapshot = OrgSnapshot;

/**
 * How each entity kind's row (the columns its reader selects, as the driver or `json_agg`
 * returns them) becomes snapshot data. Shared by the readers below and the one-statement
 * journal catch-up (`journal-rows.ts`), so the two cannot disagree.
 */
export const rowMaps = {
  scope: (s: { id: string; parent_id: string | null; kind: string; name: string }) => ({
    id: s.id,
    parentId: s.parent_id,
    kind: s.kind,
    name: s.name,
  }),
  member: (m: { user_id: string; status: string; email: string }) => ({
    id: m.user_id,
    type: 'user' as const,
    active: m.status === 'active',
    label: m.email,
  }),
  group: (g: { id: string; name: string; limited_to: string[] | null }) => ({
    id: g.id,
    type: 'group' as const,
    active: true,
    limitedTo: g.limited_to,
    label: g.name,
  }),
  client: (c: { id: string; name: string; revoked_at: unknown }) => ({
    id: c.id,
    type: 'client' as const,
    active: c.revoked_at === null,
    label: c.name,
  }),
  membership: (m: { group_id: string; member_id: string }) => ({
    groupId: m.group_id,
    memberId: m.member_id,
  }),
  assignment: (a: {
    id: string;
    subject_id: string;
    role_key: string;
    scope_id: string;
    environment: 'live' | 'sandbox' | null;
  }) => ({
    id: a.id,
    subjectId: a.subject_id,
    roleKey: a.role_key,
    scopeId: a.scope_id,
    environment: a.environment,
  }),
};

/**
 * The snapshot rows an entity kind contributes, read by org and optionally only for `keys`
 * (the journal's keys for that kind).
 */
export const readers = {
  scope: async (db: Q, orgId: string, keys?: readonly string[]) =>
    (
      await filterKeys(
        db
          .selectFrom('scopes')
          .select(['id', 'parent_id', 'kind', 'name'])
          .where('org_id', '=', orgId),
        'id',
        keys,
      ).execute()
    ).map(rowMaps.scope),

  member: async (db: Q, orgId: string, keys?: readonly string[]) =>
    (
      await filterKeys(
        db
          .selectFrom('members')
          .innerJoin('users', 'users.id', 'members.user_id')
          .select(['members.user_id', 'members.status', 'users.email'])
          .where('members.org_id', '=', orgId),
        'members.user_id',
        keys,
      ).execute()
    ).map(rowMaps.member),

  group: async (db: Q, orgId: string, keys?: readonly string[]) =>
    (
      await filterKeys(
        db.selectFrom('groups').select(['id', 'name', 'limited_to']).where('org_id', '=', orgId),
        'id',
        keys,
      ).execute()
    ).map(rowMaps.group),

  client: async (db: Q, orgId: string, keys?: readonly string[]) =>
    (
      await filterKeys(
        db
          .selectFrom('api_clients')
          .select(['id', 'name', 'revoked_at'])
          .where('org_id', '=', orgId),
        'id',
        keys,
      ).execute()
    ).map(rowMaps.client),

  membership: async (db: Q, orgId: string, keys?: readonly string[]) => {
    let q = db
      .selectFrom('group_members')
      .select(['group_id', 'member_id'])
      .where('org_id', '=', orgId);
    if (keys) {
      if (keys.length === 0) return [];
      // Two array parameters whatever the number of pairs (a 10k-member PATCH journals 10k).
      const groupIds = keys.map((k) => k.slice(0, k.indexOf(' ')));
      const memberIds = keys.map((k) => k.slice(k.indexOf(' ') + 1));
      q = q.where(
        sql<boolean>`(group_id, member_id) in (select * from unnest(${groupIds}::text[], ${memberIds}::text[]))`,
      );
    }
    return (await q.execute()).map(rowMaps.membership);
  },

  assignment: async (db: Q, orgId: string, keys?: readonly string[]) =>
    (
      await filterKeys(
        db
          .selectFrom('assignments')
          .select(['id', 'subject_id', 'role_key', 'scope_id', 'environment'])
          .where('org_id', '=', orgId),
        'id',
        keys,
      ).execute()
    ).map(rowMaps.assignment),

  role: async (db: Q, orgId: string, keys?: readonly string[]): Promise<RoleDef[]> =>
    (
      await filterKeys(
        db.selectFrom('roles').selectAll().where('org_id', '=', orgId),
        'key',
        keys,
      ).execute()
    ).map(roleDef),
};

/**
 * Narrows a query to `keys` on `column` (all rows when `keys` is undefined), as one array
 * parameter: an IN list of thousands of keys exceeds bind-parameter and parser limits.
 */
// biome-ignore lint/suspicious/noExplicitAny: one helper for seven differently typed builders.
function filterKeys<B extends { where: (...a: any[]) => any }>(
  q: B,
  column: string,
  keys: readonly string[] | undefined,
): B {
  if (!keys) return q;
  return q.where(sql<boolean>`${sql.ref(column)} = any(${[...keys]}::text[])`) as B;
}

/** The org row a snapshot is built against. */
export async function orgHead(
  db: Q,
  orgId: string,
): Promise<{ preset: string; preset_version: number | null; revision: number }> {
  const org = await db
    .selectFrom('orgs')
    .select(['preset', 'preset_version', 'revision'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!org) throw notFound(`organization ${orgId}`);
  return org;
}

/**
 * The org's state as the engine needs it, at the revision the org row shows. Pass a transaction
 * (as writes and `EngineCache` do) for a consistent read: on a pool, the queries run on
 * different connections and could see different revisions.
 */
export async function loadSnapshot(db: Q, orgId: string, presets: PresetStore): Promise<Snapshot> {
  const org = await orgHead(db, orgId);
  const preset = await presets.resolve(db, org.preset, org.preset_version);
  const [scopes, members, groups, clients, memberships, assignments, customRoles] =
    await Promise.all([
      readers.scope(db, orgId),
      readers.member(db, orgId),
      readers.group(db, orgId),
      readers.client(db, orgId),
      readers.membership(db, orgId),
      readers.assignment(db, orgId),
      readers.role(db, orgId),
    ]);
  return snapshotFor(preset, {
    orgId,
    revision: org.revision,
    scopes,
    subjects: [...members, ...groups, ...clients],
    memberships,
    assignments,
    customRoles,
  });
}

/** A custom role row as the engine's role definition. */
export function roleDef(r: RoleRow): RoleDef {
  return {
    key: r.key,
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
    permissions: r.permissions,
    slot: r.slot,
    scopeKinds: r.scope_kinds,
    builtIn: false,
  };
}
