/** Ends the caller's own session. */
import type { Call } from '../call.js';
import { invalid } from '../errors.js';
import { clock } from '../invitations/index.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import { endSession, loadSession } from './end.js';
import type { SessionView } from './view.js';

/** Ends the caller's own session (a user session only); audited `LoggedOut`. Idempotent. */
export async function logout(call: Call): Promise<WriteResult<SessionView>> {
  const { caller, services: s } = call;
  const p = caller.principal;
  if (p.kind !== 'user') throw invalid('logout ends a user session; this caller is not one');
  return orgEventWrite({ services: s, caller, orgId: p.orgId }, async (w) =>
    endSession(w, await loadSession(w, p.sessionId), clock(s), {
      action: 'LoggedOut',
      event: 'session.ended',
    }),
  );
}
