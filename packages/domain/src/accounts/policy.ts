/**
 * Who may get a password through a reset link. Not the people of a domain an org verified and
 * requires SSO for (I4, `verifiedDomainOwner`): their way in is their identity provider. Not an
 * account without a password on a deployment that signs nobody in with passwords
 * (`GATEHOUSE_PASSWORDS` off): a link must not add a credential the deployment does not use.
 */
import type { DB } from '@gatehouse/db';
import { ssoAuthorizePath, verifiedDomainOwner } from '../domains/index.js';
import { type DomainError, forbidden, invalid } from '../errors.js';
import type { Services } from '../services.js';

/** Why this account may not set its password by a reset link now; null when it may. */
export async function resetRefusal(
  s: Services,
  db: Pick<DB, 'selectFrom'>,
  user: { readonly email_lower: string; readonly password_hash: string | null },
): Promise<DomainError | null> {
  const owner = await verifiedDomainOwner(db, user.email_lower);
  if (owner?.requireSso) {
    const ssoPath = ssoAuthorizePath(owner.orgId);
    return forbidden(
      `${owner.domain} requires single sign-on: sign in through your identity provider (GET ${ssoPath}); passwords of ${owner.domain} addresses are not reset`,
      { reason: 'sso_required', domain: owner.domain, orgId: owner.orgId, ssoPath },
    );
  }
  if (!user.password_hash && !s.options?.passwords) {
    return invalid(
      'this account has no password, and this Gatehouse does not sign people in with passwords',
    );
  }
  return null;
}
