/**
 * I3: which connection a sign-in goes through when `GET /sso/authorize` does not name one. An
 * org alone: its enabled connection (the oldest when it has several). An email alone
 * (home-realm discovery): the org that verified the email's domain (exact match, see
 * `verifiedDomainOwner`), then that org's connection. Nothing here tells more than DNS does: a
 * verified domain is public in its TXT record.
 */
import type { DB } from '@gatehouse/db';
import { verifiedDomainOwner } from '../domains/index.js';
import { invalid, notFound } from '../errors.js';

const ORG_ID = /^org_[A-Za-z0-9_-]{1,100}$/;
const CONNECTION_ID = /^ssoc_[A-Za-z0-9_-]{1,100}$/;

/** What `GET /sso/authorize` may name: a connection (with its org), an org, or an email. */
export interface SsoRouteInput {
  readonly orgId?: string | undefined;
  readonly connectionId?: string | undefined;
  readonly email?: string | undefined;
}

/**
 * The org and connection a sign-in uses. INVALID when nothing names one (or a connection comes
 * without its org); NOT_FOUND when the email's domain is verified by no org, or the org has no
 * enabled connection.
 */
export async function routeSsoSignIn(
  db: Pick<DB, 'selectFrom'>,
  input: SsoRouteInput,
): Promise<{ orgId: string; connectionId: string }> {
  // Checked before any query: a query string may hold anything (a NUL byte fails in SQL).
  if (input.orgId !== undefined && !ORG_ID.test(input.orgId)) {
    throw notFound(`organization ${input.orgId.slice(0, 100)}`);
  }
  if (input.connectionId !== undefined && !CONNECTION_ID.test(input.connectionId)) {
    throw notFound(`SSO connection ${input.connectionId.slice(0, 100)}`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (input.email !== undefined && /[\x00-\x1f\x7f]/.test(input.email)) {
    throw invalid('email holds control characters');
  }
  let orgId = input.orgId;
  if (input.connectionId) {
    if (!orgId) throw invalid('connection needs its org');
    return { orgId, connectionId: input.connectionId };
  }
  if (!orgId) {
    if (!input.email) throw invalid('org, connection or email is required');
    if (input.email.length > 320) throw invalid('email must be at most 320 characters');
    const owner = await verifiedDomainOwner(db, input.email);
    if (!owner) {
      throw notFound(
        `an organization that verified the domain of ${input.email} for single sign-on`,
      );
    }
    orgId = owner.orgId;
  }
  const conn = await db
    .selectFrom('sso_connections')
    .select('id')
    .where('org_id', '=', orgId)
    .where('enabled', '=', true)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!conn) throw notFound(`an enabled SSO connection of organization ${orgId}`);
  return { orgId, connectionId: conn.id };
}
