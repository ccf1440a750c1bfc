/**
 * Seed 004 ("each user must be an Owner of at least one organization", `Preset.everyUserOwnsAnOrg`):
 * what a change of one org did to who owns it. The rule itself spans organizations, which no
 * engine sees; the server counts the other orgs in its database and uses these two answers for
 * the org being written.
 */
import type { Engine } from './engine.js';
import { engineIndex } from './engine.js';

/**
 * True when `subject` is an active user holding `roleKey` at the org root, through its own
 * assignment or an active group's placed at the root (a group limited away from the root holds
 * nothing there): the per-subject form of `requiredRoleHolders`.
 *
 * @example
 * holdsRoleAtRoot(engine, 'usr_ana', preset.ownerRole); // does Ana own this org?
 */
export function holdsRoleAtRoot(engine: Engine, subject: string, roleKey: string): boolean {
  const index = engineIndex(engine);
  const rec = index.subjects.get(subject);
  const root = index.tree.nodes[index.tree.root];
  if (!rec?.active || rec.type !== 'user' || !root) return false;
  const role = index.roles.get(roleKey);
  if (!role || (role.scopeKinds && !role.scopeKinds.includes(root.kind))) return false;
  const placed = (holder: string) =>
    (index.assignmentsOf.get(holder) ?? []).some(
      (a) => a.roleKey === roleKey && a.scopeId === root.id && a.environment === null,
    );
  if (placed(subject)) return true;
  for (const g of index.groupsOf.get(subject) ?? []) {
    const group = index.subjects.get(g);
    if (!group?.active || (group.info.limitedTo && !group.info.limitedTo.includes(root.id))) {
      continue;
    }
    if (placed(g)) return true;
  }
  return false;
}

/** Who a change of one org made stop owning it, and who joined it without owning it. */
export interface OwnershipChange {
  /** Held the owner role at the root before and not after (demoted, removed, deactivated, a group change). */
  readonly lost: readonly string[];
  /** Active users after who were not active members before (joined, reactivated) and do not own the org. */
  readonly joinedWithout: readonly string[];
}

/**
 * Seed 004: compares two engines of one org for the owner role `ownerRole`. `affected` names
 * the subjects the change touched (a group stands for its members); null looks at everyone.
 * Users are sorted, so callers lock them in one order.
 *
 * @example
 * const { lost, joinedWithout } = ownershipChange(before, after, 'owner', new Set(['usr_ana']));
 */
export function ownershipChange(
  before: Engine,
  after: Engine,
  ownerRole: string,
  affected: ReadonlySet<string> | null,
): OwnershipChange {
  const candidates = new Set<string>();
  const add = (engine: Engine, ids: Iterable<string>) => {
    const index = engineIndex(engine);
    for (const id of ids) {
      const rec = index.subjects.get(id);
      if (rec?.type === 'user') candidates.add(id);
      if (rec?.type !== 'group') continue;
      for (const m of index.members(id)) candidates.add(m);
    }
  };
  for (const engine of [before, after]) {
    add(engine, affected ?? engine.snapshot.subjects.map((s) => s.id));
  }
  const lost: string[] = [];
  const joinedWithout: string[] = [];
  const b = engineIndex(before);
  const a = engineIndex(after);
  for (const id of [...candidates].sort()) {
    const owns = holdsRoleAtRoot(after, id, ownerRole);
    if (!owns && holdsRoleAtRoot(before, id, ownerRole)) lost.push(id);
    const now = a.subjects.get(id);
    if (!owns && now?.active && now.type === 'user' && !b.subjects.get(id)?.active) {
      joinedWithout.push(id);
    }
  }
  return { lost, joinedWithout };
}
