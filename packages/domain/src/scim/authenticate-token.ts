/** S4: the org a SCIM bearer token belongs to (cached briefly). */
import { DomainError } from '../errors.js';
import { verifyCredential } from '../rules/index.js';
import type { Services } from '../services.js';

/** A verified SCIM token: its org, id and name. */
export interface ScimTokenHolder {
  readonly orgId: string;
  readonly tokenId: string;
  readonly name: string;
}

/**
 * Resolves a presented SCIM bearer token to its org, or throws UNAUTHENTICATED (revoked,
 * rotated away, unknown or malformed). Compared in constant time; records last use at most
 * once a minute. Verified tokens are cached (issue 15: a lookup no longer reads the token row):
 * an entry holds until the org moves past the revision it was verified at other than through
 * this process's writes that change no credential (a revoke or rotate is refused at once in
 * this process, by NOTIFY in others), and for at most a minute.
 */
export async function authenticateScimToken(s: Services, token: string): Promise<ScimTokenHolder> {
  if (token.length > 200) throw new DomainError('UNAUTHENTICATED', 'invalid SCIM token');
  const t = await verifyCredential(s, 'scim_tokens', token, {
    id: /^sct_[0-9a-z]{1,60}$/,
    invalid: 'invalid SCIM token',
  });
  return { orgId: t.orgId, tokenId: t.id, name: t.name };
}
