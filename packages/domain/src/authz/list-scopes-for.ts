/** C3: the scopes where a subject holds a permission. */
import type { Environment, Page, ScopeRef } from '@gatehouse/core';
import type { Caller } from '../context.js';
import type { Services } from '../services.js';
import { type AtRevision, assertMayAsk, engineFor, listErrors } from './shared.js';

/** C5: scopes where a subject has a permission, one page per call. */
export async function listScopesFor(
  s: Services,
  caller: Caller,
  orgId: string,
  q: {
    subject: string;
    permission: string;
    environment?: Environment | undefined;
    cursor?: string | null | undefined;
    limit?: number | undefined;
  },
  minRevision?: number,
): Promise<AtRevision<Page<ScopeRef>>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  // The scopes can be anywhere in the org: about others, members.read at the root.
  assertMayAsk(caller, engine, q.subject, orgId);
  return {
    revision: engine.revision,
    result: listErrors(() => engine.listScopes(q.subject, q.permission, q)),
  };
}
