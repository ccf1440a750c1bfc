/** Ends a session (one's own, or another's when the caller outranks its user). */
import type { OrgCall } from '../call.js';
import { clock } from '../invitations/index.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import { endSession, loadSession } from './end.js';
import { isOwn, type SessionView } from './view.js';

/**
 * M6: ends one session at once (`members.update` at the root; a user may end their own).
 * Idempotent; audited. Sessions are not part of the engine's snapshot: the org's revision does
 * not move (`orgEventWrite`).
 */
export async function revokeSession(
  call: OrgCall,
  { sessionId }: { readonly sessionId: string },
): Promise<WriteResult<SessionView>> {
  const { caller, orgId, services: s } = call;
  return orgEventWrite(call, async (w) => {
    const row = await loadSession(w, sessionId);
    if (!isOwn(caller, row.user_id)) {
      w.authorize('members.update', orgId);
      w.authorizeTarget(row.user_id);
    }
    return endSession(w, row, clock(s), { action: 'Revoked', event: 'session.revoked' });
  });
}
