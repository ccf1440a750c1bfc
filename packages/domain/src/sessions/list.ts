/** A user's sessions, or an org's. */
import type { OrgCall } from '../call.js';
import { clock } from '../invitations/index.js';
import { authorizeRead } from '../org-read.js';
import { assertOrgAccess } from '../org-write.js';
import { isOwn, type SessionView, sessionView } from './view.js';

/** Options of `listSessions`. */
export interface ListSessionsOptions {
  /** Only this user's sessions. */
  readonly userId?: string | undefined;
  /** Only sessions still usable (not revoked, not expired). */
  readonly activeOnly?: boolean | undefined;
  /** The last id of the previous page. */
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

/**
 * M6: the org's sessions, newest first, keyset-paginated (`members.read` at the root). A user
 * session may list its own user's sessions without it.
 */
export async function listSessions(
  call: OrgCall,
  opts: ListSessionsOptions = {},
): Promise<{ items: SessionView[]; nextCursor: string | null }> {
  const { caller, orgId, services: s } = call;
  if (isOwn(caller, opts.userId)) assertOrgAccess(caller, orgId);
  else await authorizeRead(call, 'members.read', orgId);
  const now = clock(s);
  const limit = opts.limit ?? 100;
  let q = s.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('sessions')
    .select('users.email')
    .where('sessions.org_id', '=', orgId)
    .orderBy('sessions.id', 'desc')
    .limit(limit + 1);
  if (opts.userId) q = q.where('sessions.user_id', '=', opts.userId);
  if (opts.activeOnly) {
    q = q.where('sessions.revoked_at', 'is', null).where('sessions.expires_at', '>', now);
  }
  if (opts.cursor) q = q.where('sessions.id', '<', opts.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map((r) => sessionView(r, now));
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
