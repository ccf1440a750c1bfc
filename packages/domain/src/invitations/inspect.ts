/**
 * M3: what the page an invitation email links to shows before the person accepts: the
 * organization, the invited address, and whether they set a password (a new account) or sign in
 * (an existing one). Public: the link's token is the credential. Reads only.
 */
import { assertSignInAllowed } from '../domains/index.js';
import { hashSecret } from '../rules/index.js';
import type { Services } from '../services.js';
import { assertAcceptable, findByToken } from './accept.js';
import { clock } from './rows.js';

/** An acceptable invitation, as its landing page shows it. */
export interface InvitationPreview {
  readonly orgId: string;
  readonly orgName: string;
  readonly email: string;
  readonly expiresAt: string;
  /** True when an account with this address exists: it accepts by signing in, not by a password. */
  readonly existingAccount: boolean;
  /** True when accepting creates the account and this deployment needs a password for it. */
  readonly passwordRequired: boolean;
}

/**
 * M3: the invitation behind `token`, or the error accepting it would give now (used, revoked,
 * expired, replaced, unknown link; the domain requires SSO). Changes nothing.
 *
 * @example
 * const p = await inspectInvitation(s, { token });
 * p.existingAccount ? showSignIn(p) : showSetPassword(p);
 */
export async function inspectInvitation(
  s: Services,
  input: { readonly token: string },
): Promise<InvitationPreview> {
  const row = await findByToken(s, hashSecret(input.token));
  assertAcceptable(row, clock(s));
  await assertSignInAllowed(s.db, {
    orgId: row.org_id,
    email: row.email_lower,
    method: 'invitation',
  });
  const org = await s.db
    .selectFrom('orgs')
    .select('name')
    .where('id', '=', row.org_id)
    .executeTakeFirstOrThrow();
  const user = await s.db
    .selectFrom('users')
    .select('id')
    .where('email_lower', '=', row.email_lower)
    .executeTakeFirst();
  return {
    orgId: row.org_id,
    orgName: org.name,
    email: row.email,
    expiresAt: new Date(row.expires_at).toISOString(),
    existingAccount: user !== undefined,
    passwordRequired: user === undefined && Boolean(s.options?.passwords),
  };
}
