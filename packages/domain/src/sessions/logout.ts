/** Ends the caller's own session. */
import type { Caller } from '../context.js';
import { invalid } from '../errors.js';
import { clock } from '../invitations/index.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import { endSession, loadSession } from './end.js';
import type { SessionView } from './view.js';

/** Ends the caller's own session (a user session only); audited `LoggedOut`. Idempotent. */
export async function logout(s: Services, caller: Caller): Promise<WriteResult<SessionView>> {
  const p = caller.principal;
  if (p.kind !== 'user') throw invalid('logout ends a user session; this caller is not one');
  return orgEventWrite(s, caller, p.orgId, async (w) =>
    endSession(w, await loadSession(w, p.sessionId), clock(s), {
      action: 'LoggedOut',
      event: 'session.ended',
    }),
  );
}
