/**
 * The seed 004 oracle ("each user must be an Owner of at least one organization"): checked by
 * brute force on fresh snapshots of every org a user belongs to, independently of how the domain
 * enforces it (packages/domain/src/rules/ownership.ts counts in SQL).
 */
import {
  type OrgSnapshot,
  type Preset,
  PresetRegistry,
  requiredRoleHolders,
} from '@gatehouse/core';
import type { DB } from '@gatehouse/db';
import { loadSnapshot, PresetStore } from '@gatehouse/domain';

/** The oracle runs on the built-in presets. */
const PRESETS = new PresetStore(PresetRegistry.withBuiltIns());

/** The users of `org` who own no org of `preset`, read from fresh snapshots (`org` included). */
export async function usersOwningNothing(
  db: DB,
  preset: Preset,
  org: OrgSnapshot,
  users: Iterable<string>,
): Promise<string[]> {
  const out: string[] = [];
  for (const user of users) {
    if (requiredRoleHolders(org, preset.ownerRole).includes(user)) continue;
    const others = await db
      .selectFrom('members')
      .innerJoin('orgs', 'orgs.id', 'members.org_id')
      .select('orgs.id')
      .where('members.user_id', '=', user)
      .where('orgs.preset', '=', preset.key)
      .where('orgs.id', '<>', org.orgId)
      .execute();
    let owns = false;
    for (const o of others) {
      const snapshot = await loadSnapshot(db, o.id, PRESETS);
      if (requiredRoleHolders(snapshot, preset.ownerRole).includes(user)) owns = true;
    }
    if (!owns) out.push(user);
  }
  return out;
}

/**
 * After a write from `before` to `after` in an org of a seed 004 preset, the users it could
 * have left owning nothing: those who stopped owning this org and those who became active
 * members of it. (A write changes no other org except by creating personal orgs, which only
 * add ownership; so if every user owned an org before, checking these keeps it true.)
 */
export function ownershipCandidates(
  preset: Preset,
  before: OrgSnapshot,
  after: OrgSnapshot,
): string[] {
  const owners = new Set(requiredRoleHolders(after, preset.ownerRole));
  const active = (s: OrgSnapshot) =>
    new Set(s.subjects.filter((x) => x.type === 'user' && x.active).map((x) => x.id));
  const was = active(before);
  const out = new Set(requiredRoleHolders(before, preset.ownerRole).filter((u) => !owners.has(u)));
  for (const u of active(after)) if (!was.has(u)) out.add(u);
  return [...out].sort();
}
