/** Ends a session (one's own, or another's when the caller outranks its user). */
import type { Caller } from '../context.js';
import { clock } from '../invitations/index.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import { endSession, loadSession } from './end.js';
import { isOwn, type SessionView } from './view.js';

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
