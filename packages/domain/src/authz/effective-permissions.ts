/** C3: everything a subject may do at a scope. */

import type { Environment } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { type AtRevision, assertMayAsk, engineFor } from './shared.js';

/** C4. */
export async function effectivePermissions(
  call: OrgCall,
  q: { subject: string; scope: string; environment?: Environment | undefined },
  minRevision?: number,
): Promise<AtRevision<string[]>> {
  const { caller } = call;
  const engine = await engineFor(call, minRevision);
  if (!engine.hasScope(q.scope)) throw invalid(`unknown scope ${q.scope}`);
  assertMayAsk(caller, engine, q.subject, q.scope);
  return {
    revision: engine.revision,
    result: engine.effectivePermissions(q.subject, q.scope, q.environment),
  };
}
