/** Ending sessions: one, or all of a user's in an org. */
import type { SessionRow } from '@gatehouse/db';
import { notFound } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import { type SessionView, sessionView } from './view.js';

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
 * Ends every open session of `userId` in the write's org (deactivation, removal, a new password),
 * each audited with `reason`, but `except` (the session changing its own password). Returns how
 * many were ended.
 */
export async function endSessionsOf(
  w: OrgWrite,
  userId: string,
  reason: string,
  options: { readonly except?: string | undefined } = {},
): Promise<number> {
  const ended = await w.trx
    .updateTable('sessions')
    .set({ revoked_at: new Date() })
    .where('org_id', '=', w.orgId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .$if(options.except !== undefined, (q) => q.where('id', '!=', options.except!))
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
