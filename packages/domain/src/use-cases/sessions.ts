/**
 * User sessions as admins see them (M6): list an org's sessions, revoke one, and end every
 * session of a member inside the write that deactivates or removes them. Logging in and out is
 * in `login.ts`; turning a token into a caller is in `session-auth.ts`.
 */
import type { SessionRow } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { assertOrgAccess, type OrgWrite, orgEventWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import { clock } from './invitation-rows.js';

/** A session as the API shows it (never the token or its hash). */
export interface SessionView {
  readonly id: string;
  readonly orgId: string;
  readonly userId: string;
  readonly email: string;
  /** `active` until it expires, or until logout, revoke, deactivation or removal end it. */
  readonly status: 'active' | 'expired' | 'revoked';
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** Maps a session row (with the user's email) to its view at `now`. */
export function sessionView(r: SessionRow & { email: string }, now: Date): SessionView {
  const expiresAt = new Date(r.expires_at);
  return {
    id: r.id,
    orgId: r.org_id,
    userId: r.user_id,
    email: r.email,
    status: r.revoked_at ? 'revoked' : expiresAt <= now ? 'expired' : 'active',
    createdAt: new Date(r.created_at).toISOString(),
    expiresAt: expiresAt.toISOString(),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
    userAgent: r.user_agent,
    ip: r.ip,
  };
}

/** True when the caller is the user session of `userId`. */
function isOwn(caller: Caller, userId: string | undefined): boolean {
  return caller.principal.kind === 'user' && caller.principal.userId === userId;
}

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
  s: Services,
  caller: Caller,
  orgId: string,
  opts: ListSessionsOptions = {},
): Promise<{ items: SessionView[]; nextCursor: string | null }> {
  if (isOwn(caller, opts.userId)) assertOrgAccess(caller, orgId);
  else await authorizeRead(s, caller, orgId, 'members.read', orgId);
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

/**
 * M6: ends one session at once (`members.update` at the root; a user may end their own).
 * Idempotent; audited. Sessions are not part of the engine's snapshot: the org's revision does
 * not move (`orgEventWrite`).
 */
export async function revokeSession(
  s: Services,
  caller: Caller,
  orgId: string,
  sessionId: string,
): Promise<WriteResult<SessionView>> {
  return orgEventWrite(s, caller, orgId, async (w) => {
    const row = await loadSession(w, sessionId);
    if (!isOwn(caller, row.user_id)) {
      w.authorize('members.update', orgId);
      w.authorizeTarget(row.user_id);
    }
    return endSession(w, row, clock(s), { action: 'Revoked', event: 'session.revoked' });
  });
}

/**
 * Ends one loaded session at `now` (logout, revoke): revoked, audited with `action` and announced
 * as `event`. Idempotent: an ended session is returned as it is.
 */
export async function endSession(
  w: OrgWrite,
  row: SessionRow & { email: string },
  now: Date,
  how: { action: string; event: string },
): Promise<SessionView> {
  if (row.revoked_at) return sessionView(row, now);
  await w.trx
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('org_id', '=', w.orgId)
    .where('id', '=', row.id)
    .execute();
  w.audit({
    action: how.action,
    entityType: 'session',
    entityId: row.id,
    scopeId: w.orgId,
    after: { userId: row.user_id },
  });
  w.emit(how.event, { sessionId: row.id, userId: row.user_id });
  return sessionView({ ...row, revoked_at: now }, now);
}

/** The session row with its user's email, inside a write; NOT_FOUND outside the org. */
export async function loadSession(
  w: OrgWrite,
  sessionId: string,
): Promise<SessionRow & { email: string }> {
  const row = await w.trx
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('sessions')
    .select('users.email')
    .where('sessions.org_id', '=', w.orgId)
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst();
  if (!row) throw notFound(`session ${sessionId}`);
  return row;
}

/**
 * Ends every open session of `userId` in the write's org (deactivation, removal), each audited
 * with `reason`. Returns how many were ended.
 */
export async function endSessionsOf(w: OrgWrite, userId: string, reason: string): Promise<number> {
  const ended = await w.trx
    .updateTable('sessions')
    .set({ revoked_at: new Date() })
    .where('org_id', '=', w.orgId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  for (const { id } of ended) {
    w.audit({
      action: 'Revoked',
      entityType: 'session',
      entityId: id,
      scopeId: w.orgId,
      after: { userId, reason },
    });
  }
  if (ended.length > 0) {
    w.emit('session.revoked', { userId, sessionIds: ended.map((e) => e.id), reason });
  }
  return ended.length;
}
