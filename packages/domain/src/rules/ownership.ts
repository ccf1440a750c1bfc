/**
 * Seed 004: "each user must be an Owner of at least one organization" (`Preset.everyUserOwnsAnOrg`),
 * checked by `orgWrite` after every write to such an org, on the engine the write leaves behind
 * (like the last-Owner invariant), so every path is covered at once: roles set or revoked,
 * groups left, limited or deleted, members removed or deactivated, SCIM deprovisioning.
 *
 * "Owns" is what the last-Owner invariant counts (`requiredRoleHolders`): an active member
 * holding the preset's owner role at the root, directly or through an active group placed there.
 * The engine knows one org; the other orgs of the preset are counted in SQL inside the write,
 * after locking the users concerned (`FOR NO KEY UPDATE`, in id order, after the org lock every
 * write takes first), so two writes in two orgs that each take one of a user's two ownerships
 * are serialized and the second sees the first. `NO KEY UPDATE` does not conflict with the key
 * share lock a new membership row takes on its user, so joins in two orgs cannot deadlock.
 */
import { type Engine, ownershipChange, type Preset } from '@gatehouse/core';
import { type Database, sql, type Transaction } from '@gatehouse/db';
import { invariant } from '../errors.js';

/**
 * Refuses (INVARIANT) a write that leaves a user who owned this org owning no org of its
 * preset; returns the users who joined it owning none (they get an org of their own). Nothing
 * to do unless the preset has `everyUserOwnsAnOrg`.
 */
export async function assertEveryUserOwnsAnOrg(q: {
  readonly trx: Transaction<Database>;
  readonly orgId: string;
  readonly preset: Preset;
  readonly before: Engine;
  readonly after: Engine;
  readonly affected: ReadonlySet<string> | null;
}): Promise<string[]> {
  if (!q.preset.everyUserOwnsAnOrg) return [];
  const { lost, joinedWithout } = ownershipChange(
    q.before,
    q.after,
    q.preset.ownerRole,
    q.affected,
  );
  const users = [...lost, ...joinedWithout].sort();
  if (users.length === 0) return [];
  await q.trx
    .selectFrom('users')
    .select('id')
    .where('id', 'in', users)
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
  const owning = await ownersElsewhere(q.trx, {
    userIds: users,
    preset: q.preset,
    exceptOrgId: q.orgId,
  });
  const orphaned = lost.filter((id) => !owning.has(id));
  if (orphaned.length > 0) {
    throw invariant(
      `seed 004: every user must own at least one organization; ${orphaned.join(', ')} would own none (make them ${q.preset.ownerRole} of another ${q.preset.key} organization first)`,
    );
  }
  return joinedWithout.filter((id) => !owning.has(id));
}

/**
 * Of `userIds`, those who own an org of `preset` other than `exceptOrgId` (as the transaction
 * sees it): active member, the owner role at the root, own or through a group not limited away.
 */
export async function ownersElsewhere(
  trx: Transaction<Database>,
  q: { readonly userIds: readonly string[]; readonly preset: Preset; readonly exceptOrgId: string },
): Promise<Set<string>> {
  if (q.userIds.length === 0) return new Set();
  const rows = await trx
    .selectFrom('members as m')
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .select('m.user_id')
    .distinct()
    .where('m.user_id', 'in', q.userIds)
    .where('m.status', '=', 'active')
    .where('m.org_id', '<>', q.exceptOrgId)
    .where('o.preset', '=', q.preset.key)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('assignments as a')
          .select('a.id')
          .whereRef('a.org_id', '=', 'm.org_id')
          .whereRef('a.scope_id', '=', 'm.org_id')
          .where('a.role_key', '=', q.preset.ownerRole)
          .where('a.environment', 'is', null)
          .where((eb) =>
            eb.or([
              eb.and([
                eb('a.subject_type', '=', 'user'),
                eb('a.subject_id', '=', eb.ref('m.user_id')),
              ]),
              eb.and([
                eb('a.subject_type', '=', 'group'),
                eb.exists(
                  eb
                    .selectFrom('group_members as gm')
                    .innerJoin('groups as g', (j) =>
                      j.onRef('g.org_id', '=', 'gm.org_id').onRef('g.id', '=', 'gm.group_id'),
                    )
                    .select('g.id')
                    .whereRef('gm.org_id', '=', 'm.org_id')
                    .whereRef('gm.group_id', '=', 'a.subject_id')
                    .whereRef('gm.member_id', '=', 'm.user_id')
                    .where((g) =>
                      g.or([
                        g('g.limited_to', 'is', null),
                        sql<boolean>`m.org_id = any(g.limited_to)`,
                      ]),
                    ),
                ),
              ]),
            ]),
          ),
      ),
    )
    .execute();
  return new Set(rows.map((r) => r.user_id));
}
