/** C3: the scopes where a subject holds a permission. */

import type { Environment, Page, ScopeRef } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { type AtRevision, assertMayAsk, engineFor, listErrors } from './shared.js';

/** C5: scopes where a subject has a permission, one page per call. */
export async function listScopesFor(
  call: OrgCall,
  q: {
    subject: string;
    permission: string;
    environment?: Environment | undefined;
    cursor?: string | null | undefined;
    limit?: number | undefined;
  },
  minRevision?: number,
): Promise<AtRevision<Page<ScopeRef>>> {
  const { caller, orgId } = call;
  const engine = await engineFor(call, minRevision);
  // The scopes can be anywhere in the org: about others, members.read at the root.
  assertMayAsk(caller, engine, q.subject, orgId);
  return {
    revision: engine.revision,
    result: listErrors(() => engine.listScopes(q.subject, q.permission, q)),
  };
}
