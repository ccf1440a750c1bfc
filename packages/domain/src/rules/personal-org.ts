/**
 * Seed 004: the organization of their own a user gets on joining an org whose preset has
 * `everyUserOwnsAnOrg` while owning none of that preset (the seed's product gives one on
 * sign-up). `orgWrite` creates it in the joining write's transaction, as its own write on the
 * new org by the system (with the triggering call's source and request id), so the join and
 * the new org commit or roll back together and the new org's audit chain starts with its
 * creation.
 */
import type { Preset } from '@gatehouse/core';
import { type Database, newId, type Transaction } from '@gatehouse/db';
import type { OrgWrite } from '../org-write.js';
import { addFirstOwner, insertOrgRows, recordOrgCreated } from './org-rows.js';

/** A personal org whose rows exist; `write` is the body of its first write. */
export interface PersonalOrg {
  readonly orgId: string;
  write(w: OrgWrite): Promise<void>;
}

/** "Ana's organization", or "ana@acme.test's organization" for a user without a name. */
export function personalOrgName(user: { readonly email: string; readonly name: string | null }) {
  const who = user.name?.trim() || user.email;
  return `${who.length > 120 ? `${who.slice(0, 119)}…` : who}'s organization`;
}

/**
 * Inserts the org and root scope of `userId`'s personal org on `preset` (free slug); its first
 * write audits the creation (naming the user and the org they joined) and makes them Owner.
 */
export async function preparePersonalOrg(
  trx: Transaction<Database>,
  q: { readonly userId: string; readonly preset: Preset; readonly joinedOrgId: string },
): Promise<PersonalOrg> {
  const user = await trx
    .selectFrom('users')
    .select(['email', 'name'])
    .where('id', '=', q.userId)
    .executeTakeFirstOrThrow();
  const name = personalOrgName(user);
  const orgId = newId('org');
  const slug = await insertOrgRows(trx, { id: orgId, name, preset: q.preset });
  return {
    orgId,
    async write(w) {
      recordOrgCreated(
        w,
        { name, slug, preset: q.preset },
        { personalFor: q.userId, joinedOrgId: q.joinedOrgId },
      );
      await addFirstOwner(w, { email: user.email });
    },
  };
}
