/**
 * A user's password is the account's, in every org they belong to: a new one ends their
 * sessions in each and is audited in each. These run one event write per org (the org lock,
 * its audit chain and outbox, the revision left alone: sessions are not in the snapshot) nested
 * in one transaction, the orgs locked in id order before any other row.
 */
import type { Database, Transaction } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { type OrgWrite, orgEventWriteIn } from '../org-write.js';
import type { Services } from '../services.js';

/** The orgs a user's password concerns: where they are a member (any status) or still have an open session; by id. */
export async function orgsOfUser(trx: Transaction<Database>, userId: string): Promise<string[]> {
  const members = await trx
    .selectFrom('members')
    .select('org_id')
    .where('user_id', '=', userId)
    .execute();
  const sessions = await trx
    .selectFrom('sessions')
    .select('org_id')
    .distinct()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  return [...new Set([...members, ...sessions].map((r) => r.org_id))].sort();
}

/**
 * Runs `fn` with one event write per org of `orgIds` (each with the caller `callerFor` gives),
 * all in `trx`; their audit entries and events are written when `fn` returns.
 */
export async function inEachOrg<T>(
  s: Services,
  trx: Transaction<Database>,
  orgs: { readonly ids: readonly string[]; readonly callerFor: (orgId: string) => Caller },
  fn: (writes: readonly OrgWrite[]) => Promise<T>,
): Promise<T> {
  const ids = [...orgs.ids].sort();
  const nest = async (i: number, writes: OrgWrite[]): Promise<T> => {
    const orgId = ids[i];
    if (orgId === undefined) return fn(writes);
    const call = { services: s, caller: orgs.callerFor(orgId), orgId };
    const { result } = await orgEventWriteIn(trx, call, (w) => nest(i + 1, [...writes, w]));
    return result;
  };
  return nest(0, []);
}
