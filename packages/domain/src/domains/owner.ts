/** I3: which org a person's email domain belongs to, for sign-in routing (SSO, auto-join). */
import { domainToASCII } from 'node:url';
import type { DB } from '@gatehouse/db';
import { readDomainPolicy } from './policy.js';

/** The org that has verified a domain, with its policies. */
export interface VerifiedDomainOwner {
  readonly orgId: string;
  readonly domainId: string;
  /** The verified domain (lower-cased, punycode). */
  readonly domain: string;
  readonly requireSso: boolean;
  readonly autoJoin: boolean;
}

/**
 * The domain part of an email address (or a bare domain), as domains are stored: lower-cased,
 * one final dot dropped, punycode; null when there is nothing usable.
 */
export function emailDomain(emailOrDomain: string): string | null {
  const at = emailOrDomain.lastIndexOf('@');
  let d = (at >= 0 ? emailOrDomain.slice(at + 1) : emailOrDomain).trim();
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d === '') return null;
  return domainToASCII(d) || null;
}

/**
 * I3: the org whose *verified* domain is exactly the email's domain (or `emailOrDomain` itself
 * when it has no `@`), with that org's policies; null when none. Exact match only:
 * `ana@eu.acme.com` does not belong to the org that verified `acme.com` (a subdomain is a
 * separate claim with its own TXT record), so verifying a parent never captures the people of a
 * subdomain someone else runs. A domain that failed its re-checks is not verified.
 *
 * @example
 * const owner = await verifiedDomainOwner(s.db, 'ana@acme.com');
 * if (owner?.requireSso) redirect(`/sso/authorize?org=${owner.orgId}`);
 */
export async function verifiedDomainOwner(
  db: Pick<DB, 'selectFrom'>,
  emailOrDomain: string,
): Promise<VerifiedDomainOwner | null> {
  const domain = emailDomain(emailOrDomain);
  if (!domain) return null;
  const row = await db
    .selectFrom('org_domains')
    .select(['org_id', 'id', 'domain'])
    .where('domain', '=', domain)
    .where('status', '=', 'verified')
    .executeTakeFirst();
  if (!row) return null;
  const policy = await readDomainPolicy(db, row.org_id);
  return {
    orgId: row.org_id,
    domainId: row.id,
    domain: row.domain,
    requireSso: policy.requireSso,
    autoJoin: policy.autoJoin,
  };
}
