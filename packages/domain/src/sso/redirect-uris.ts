/**
 * Where Gatehouse may send a browser back with a one-time code: an exact match against the
 * org's allowlist (set here) or the instance's (`GATEHOUSE_SSO_REDIRECT_URIS`). A URI on neither
 * is refused with an error page and never redirected to (no open redirect).
 */
import type { DB } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { authorizeConnectionAdmin } from './connection-view.js';

/** An absolute http(s) URL without fragment or credentials, as given (matched exactly). */
export function checkRedirectUri(uri: string): string {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw invalid(`redirect URI "${uri}" is not an absolute URL`);
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.hash || u.username || u.password) {
    throw invalid(`redirect URI "${uri}" must be an http(s) URL without fragment or credentials`);
  }
  return uri;
}

/**
 * Replaces the org's redirect allowlist. Authorized as connection changes are: a code sent to a
 * URI is a session for whoever signed in.
 */
export async function setSsoRedirectUris(
  call: OrgCall,
  input: { uris: readonly string[] },
): Promise<WriteResult<string[]>> {
  const uris = [...new Set(input.uris.map(checkRedirectUri))].sort();
  return orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const before = await w.trx
      .deleteFrom('sso_redirect_uris')
      .where('org_id', '=', w.orgId)
      .returning('uri')
      .execute();
    if (uris.length > 0) {
      await w.trx
        .insertInto('sso_redirect_uris')
        .values(uris.map((uri) => ({ org_id: w.orgId, uri })))
        .execute();
    }
    w.audit({
      action: 'Updated',
      entityType: 'sso_redirect_uris',
      entityId: w.orgId,
      scopeId: w.orgId,
      before: { uris: before.map((r) => r.uri).sort() },
      after: { uris },
    });
    w.emit('sso.redirect_uris.updated', { uris });
    return uris;
  });
}

/** True when `uri` is exactly on the instance's or the org's allowlist. */
export async function redirectAllowed(
  db: DB,
  q: { orgId: string; uri: string; instanceUris: readonly string[] },
): Promise<boolean> {
  if (q.instanceUris.includes(q.uri)) return true;
  const row = await db
    .selectFrom('sso_redirect_uris')
    .select('uri')
    .where('org_id', '=', q.orgId)
    .where('uri', '=', q.uri)
    .executeTakeFirst();
  return row !== undefined;
}
