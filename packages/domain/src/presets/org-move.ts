/**
 * Moving one org onto a new version of its preset, inside that org's write: renamed roles,
 * permissions and scope kinds are rewritten where the org's rows name them (assignments,
 * pending invitations, custom roles, scopes), the org row points at the new version, and the
 * state that results is checked against the version (`modelIssues`, the invariants, pending
 * invitations of removed roles). What does not fit comes back as blockers, one sentence each.
 */
import { modelIssues, type Preset, type PresetChanges, requiredRoleHolders } from '@gatehouse/core';
import type { InvitationRole } from '@gatehouse/db';
import { loadSnapshot } from '../engine/index.js';
import type { OrgWrite } from '../org-write.js';
import type { PresetStore } from '../rules/index.js';
import type { PresetMoves } from './view.js';

/** What moving an org did, and what in it does not fit the new version. */
export interface OrgMove {
  readonly moved: PresetMoves;
  readonly blockers: string[];
}

/** Moves `w`'s org onto `preset` (a staged version) as `changes` say; see the file comment. */
export async function moveOrgToVersion(
  w: OrgWrite,
  q: { readonly preset: Preset; readonly changes: PresetChanges; readonly store: PresetStore },
): Promise<OrgMove> {
  const { trx, orgId } = w;
  const { changes } = q;
  const roleOf = renamer(changes.roles.renamed);
  const permOf = renamer(changes.permissions.renamed);
  const kindOf = renamer(changes.scopeKinds.renamed);
  let assignments = 0;
  for (const [from, to] of Object.entries(changes.roles.renamed)) {
    const r = await trx
      .updateTable('assignments')
      .set({ role_key: to })
      .where('org_id', '=', orgId)
      .where('role_key', '=', from)
      .executeTakeFirst();
    assignments += Number(r.numUpdatedRows);
  }
  let scopes = 0;
  for (const [from, to] of Object.entries(changes.scopeKinds.renamed)) {
    const r = await trx
      .updateTable('scopes')
      .set({ kind: to })
      .where('org_id', '=', orgId)
      .where('kind', '=', from)
      .executeTakeFirst();
    scopes += Number(r.numUpdatedRows);
  }
  let customRoles = 0;
  const roles = await trx
    .selectFrom('roles')
    .select(['key', 'permissions', 'scope_kinds'])
    .where('org_id', '=', orgId)
    .execute();
  for (const r of roles) {
    const permissions = r.permissions.map(permOf);
    const kinds = r.scope_kinds?.map(kindOf) ?? null;
    if (same(permissions, r.permissions) && same(kinds ?? [], r.scope_kinds ?? [])) continue;
    await trx
      .updateTable('roles')
      .set({ permissions, scope_kinds: kinds, updated_at: new Date() })
      .where('org_id', '=', orgId)
      .where('key', '=', r.key)
      .execute();
    customRoles++;
  }
  const blockers: string[] = [];
  let invitations = 0;
  const pending = await trx
    .selectFrom('invitations')
    .select(['id', 'roles'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'pending')
    .execute();
  const customKeys = new Set(roles.map((r) => r.key));
  const builtIn = new Set(q.preset.roles.map((r) => r.key));
  for (const inv of pending) {
    const given = inv.roles as InvitationRole[];
    const renamed = given.map((g) => ({ ...g, role: roleOf(g.role) }));
    for (const g of renamed) {
      if (!builtIn.has(g.role) && !customKeys.has(g.role)) {
        blockers.push(
          `pending invitation ${inv.id} gives role "${g.role}", which the preset no longer has (revoke it first)`,
        );
      }
    }
    if (renamed.some((g, i) => g.role !== given[i]!.role)) {
      await trx
        .updateTable('invitations')
        .set({ roles: JSON.stringify(renamed) })
        .where('org_id', '=', orgId)
        .where('id', '=', inv.id)
        .execute();
      invitations++;
    }
  }
  await trx
    .updateTable('orgs')
    .set({ preset_version: q.preset.version ?? null })
    .where('id', '=', orgId)
    .execute();
  const after = await loadSnapshot(trx, orgId, q.store);
  for (const issue of modelIssues(q.preset, after)) blockers.push(issue.message);
  // An invariant the new version leaves broken where the org kept it (M7), like any write.
  const before = w.engine.snapshot;
  for (const inv of after.invariants) {
    const now = requiredRoleHolders(after, inv.roleKey).length;
    if (now >= inv.min) continue;
    const oldKey = Object.entries(changes.roles.renamed).find(([, to]) => to === inv.roleKey)?.[0];
    const was = requiredRoleHolders(before, oldKey ?? inv.roleKey).length;
    if (now < was) {
      blockers.push(
        `the organization must keep at least ${inv.min} active ${inv.roleKey}; this version would leave ${now}`,
      );
    }
  }
  return { moved: { assignments, invitations, customRoles, scopes }, blockers };
}

/** A function mapping renamed names to their new ones and leaving the rest. */
function renamer(map: Readonly<Record<string, string>>): (name: string) => string {
  return (name) => (Object.hasOwn(map, name) ? map[name]! : name);
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
