/**
 * I3 I4: how a person signs in from Gatehouse's own sign-in page, decided from their address
 * (and the org, when the link named one): the org (given, or the one that verified the address's
 * domain), the org's enabled SSO connection, and whether the address must or should go through
 * it. Nothing here tells more than DNS and the sign-in URL do: verified domains are public in
 * their TXT records, and whether an org has SSO is what `GET /sso/authorize?org=` tells anyone.
 */
import type { DB } from '@gatehouse/db';
import { verifiedDomainOwner } from '../domains/index.js';
import { routeSsoSignIn } from './route.js';

/** The ways in the sign-in page offers an address. */
export interface SignInOptions {
  /** The org to sign in to: the one named, or the one that verified the address's domain. */
  readonly orgId: string | null;
  /** The org's enabled SSO connection (the oldest when it has several), or null. */
  readonly connectionId: string | null;
  /** True when the org verified the address's domain: its people go through its IdP. */
  readonly domainVerified: boolean;
  /** True when the org requires SSO for the address's domain (password sign-in is refused). */
  readonly ssoRequired: boolean;
}

/**
 * I3 I4: the sign-in options of `email` (into `orgId` when given). Reads only; an org id that
 * is not one gives no connection.
 *
 * @example
 * const o = await signInOptions(s.db, { email: 'ana@acme.com' });
 * if (o.connectionId && o.domainVerified) redirect(`/sso/authorize?org=${o.orgId}&…`);
 */
export async function signInOptions(
  db: Pick<DB, 'selectFrom'>,
  input: { readonly email: string; readonly orgId?: string | undefined },
): Promise<SignInOptions> {
  const owner = await verifiedDomainOwner(db, input.email);
  const orgId = input.orgId ?? owner?.orgId ?? null;
  let connectionId: string | null = null;
  if (orgId) {
    try {
      connectionId = (await routeSsoSignIn(db, { orgId })).connectionId;
    } catch {
      connectionId = null;
    }
  }
  const domainVerified = owner !== null && owner.orgId === orgId;
  return {
    orgId,
    connectionId,
    domainVerified,
    ssoRequired: domainVerified && owner.requireSso,
  };
}
