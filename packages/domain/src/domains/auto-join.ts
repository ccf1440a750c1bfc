/**
 * I3 auto-join: an org that verified a domain and turned `autoJoin` on lets the people of that
 * domain join it by signing in, with the preset's default role; with it off they join only by
 * invitation (or through the org's SSO connections, whose just-in-time provisioning is the
 * connection's own setting). A password sign-in calls `autoJoinOnSignIn` for an account that is
 * not a member yet, after the password was found right: the account's address was proven when
 * its password was set (by an invitation's or a reset's emailed link), and the org vouches for
 * the domain by DNS.
 */
import type { DB } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { grantDefaultRole, joinOrg } from '../rules/index.js';
import type { Services } from '../services.js';
import { verifiedDomainOwner } from './owner.js';

/**
 * The verified domain through which `email` may auto-join `orgId` (null: it may not): the
 * address's domain is verified by that org, which has `autoJoin` on and does not require SSO
 * (a require-SSO org takes its domain's people through its IdP only).
 */
export async function autoJoinDomain(
  db: Pick<DB, 'selectFrom'>,
  orgId: string,
  email: string,
): Promise<string | null> {
  const owner = await verifiedDomainOwner(db, email);
  if (!owner || owner.orgId !== orgId || !owner.autoJoin || owner.requireSso) return null;
  return owner.domain;
}

/** What auto-joining did. */
export interface AutoJoined {
  /** False when nothing happened: the policy no longer allows it, or they became a member. */
  readonly joined: boolean;
  /** The default role granted at the root (null: the preset has none for the root). */
  readonly role: string | null;
}

/**
 * I3: makes `user` an active member of `orgId` with the default role, when the org's auto-join
 * policy covers the user's address (checked again under the org lock). One write acting as the
 * system for the policy the org's admins set: `MemberAdded` and `AutoJoined` audit entries, a
 * `member.added` event, the revision bumped. An existing membership (deactivated included) is
 * left as it is.
 *
 * @example
 * if (await autoJoinDomain(s.db, orgId, email)) await autoJoinOnSignIn(s, { orgId, user });
 */
export async function autoJoinOnSignIn(
  s: Services,
  input: { readonly orgId: string; readonly user: { readonly id: string; readonly email: string } },
  opts: { readonly requestId?: string | undefined } = {},
): Promise<WriteResult<AutoJoined>> {
  const caller: Caller = {
    principal: { kind: 'system' },
    source: 'api',
    requestId: opts.requestId,
  };
  return orgWrite({ services: s, caller, orgId: input.orgId }, async (w) => {
    const domain = await autoJoinDomain(w.trx, w.orgId, input.user.email);
    if (!domain) return { joined: false, role: null };
    if (!(await joinOrg(w, input.user))) return { joined: false, role: null };
    const role = await grantDefaultRole(w, input.user.id);
    w.audit({
      action: 'AutoJoined',
      entityType: 'member',
      entityId: input.user.id,
      scopeId: w.orgId,
      after: { domain, role },
    });
    return { joined: true, role };
  });
}
