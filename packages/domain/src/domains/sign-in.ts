/**
 * I4: "require SSO" refuses the other ways in. Password login, invitation acceptance and
 * invitation sending call `assertSignInAllowed` for the org being signed in to.
 */
import type { DB } from '@gatehouse/db';
import { forbidden } from '../errors.js';
import { verifiedDomainOwner } from './owner.js';

/**
 * The ways in other than SSO that a require-SSO policy refuses: password sign-in, accepting an
 * invitation, and sending one (it could never be accepted).
 */
export type NonSsoSignIn = 'password' | 'invitation' | 'invite';

/** Where an org's people sign in with SSO (served by the SSO sign-in). */
export const ssoAuthorizePath = (orgId: string) =>
  `/sso/authorize?org=${encodeURIComponent(orgId)}`;

/**
 * I4: throws FORBIDDEN when `email`'s domain is verified by `orgId` itself and that org requires
 * SSO, with a message naming the way in (`acme.com requires single sign-on: sign in through
 * your identity provider (GET /sso/authorize?org=org_…)`) and `details`
 * `{ reason: 'sso_required', domain, orgId, ssoPath }`. It decides by the address's domain and
 * the org's policy only, both public facts, so it tells nobody whether an account exists.
 * People of other domains, and orgs that have not verified the domain, are not affected.
 */
export async function assertSignInAllowed(
  db: Pick<DB, 'selectFrom'>,
  input: { readonly orgId: string; readonly email: string; readonly method: NonSsoSignIn },
): Promise<void> {
  const owner = await verifiedDomainOwner(db, input.email);
  if (!owner || owner.orgId !== input.orgId || !owner.requireSso) return;
  const ssoPath = ssoAuthorizePath(owner.orgId);
  const tail = {
    password: `password sign-in is turned off for ${owner.domain} addresses`,
    invitation: `an invitation to a ${owner.domain} address is accepted by signing in that way`,
    invite: `people of ${owner.domain} join by signing in that way (just-in-time provisioning, roles from the connection's group mappings), so an invitation could never be accepted`,
  }[input.method];
  throw forbidden(
    `${owner.domain} requires single sign-on: sign in through your identity provider (GET ${ssoPath}); ${tail}`,
    { reason: 'sso_required', domain: owner.domain, orgId: owner.orgId, ssoPath },
  );
}
