/**
 * A user acting on their own multi-factor settings: a user session only (an API key has no
 * account), and the change recorded in every org the account belongs to, as a new password is
 * (../accounts/every-org.ts): audited by the user in the session's org, by the system on the
 * user's behalf in the others, all in one transaction.
 */
import type { Database, Transaction } from '@gatehouse/db';
import { inEachOrg, orgsOfUser } from '../accounts/index.js';
import type { Call } from '../call.js';
import type { Caller, Principal } from '../context.js';
import { forbidden, notFound } from '../errors.js';
import type { OrgWrite, WriteResult } from '../org-write.js';

/** The signed-in account. */
export interface OwnAccount {
  readonly principal: Extract<Principal, { kind: 'user' }>;
  readonly id: string;
  readonly email: string;
  readonly email_lower: string;
}

/** The account of the calling session; FORBIDDEN for any other caller. */
export async function ownAccount(call: Call, what: string): Promise<OwnAccount> {
  const p = call.caller.principal;
  if (p.kind !== 'user') {
    throw forbidden(
      `${what} needs the user's own session (a ses_ token from sessions.login): an API key or the admin key has no account; an administrator removes a member's factors with members.resetMfa`,
    );
  }
  const user = await call.services.db
    .selectFrom('users')
    .select(['id', 'email', 'email_lower'])
    .where('id', '=', p.userId)
    .executeTakeFirst();
  if (!user) throw notFound(`user ${p.userId}`);
  return { principal: p, ...user };
}

/**
 * Runs `fn` in one transaction with an event write for every org of the account (the account's
 * row locked); `fn` gets the writes (audit in each) and the transaction. The revision is the session org's.
 */
export async function inEveryOrgOf<T>(
  call: Call,
  me: OwnAccount,
  fn: (writes: readonly OrgWrite[], trx: Transaction<Database>) => Promise<T>,
): Promise<WriteResult<T>> {
  const { services: s, caller } = call;
  const system: Caller = {
    principal: { kind: 'system' },
    source: caller.source,
    requestId: caller.requestId,
  };
  let revision = 0;
  const result = await s.db.transaction().execute(async (trx) => {
    const ids = await orgsOfUser(trx, me.id);
    if (!ids.includes(me.principal.orgId)) ids.push(me.principal.orgId);
    const callerFor = (orgId: string) => (orgId === me.principal.orgId ? caller : system);
    return inEachOrg(s, trx, { ids, callerFor }, async (writes) => {
      await trx.selectFrom('users').select('id').where('id', '=', me.id).forNoKeyUpdate().execute();
      revision = writes.find((w) => w.orgId === me.principal.orgId)?.revision ?? 0;
      return fn(writes, trx);
    });
  });
  return { result, revision };
}
