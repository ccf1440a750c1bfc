/** C4: why a check is allowed or denied. */

import type { CheckRequest, Explanation } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { type AtRevision, assertMayAsk, engineFor } from './shared.js';

/** C3. */
export async function explain(
  call: OrgCall,
  req: CheckRequest,
  minRevision?: number,
): Promise<AtRevision<Explanation>> {
  const { caller } = call;
  const engine = await engineFor(call, minRevision);
  assertMayAsk(caller, engine, req.subject, req.scope);
  return { revision: engine.revision, result: engine.explain(req) };
}
