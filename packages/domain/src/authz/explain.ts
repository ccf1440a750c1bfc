/** C4: why a check is allowed or denied. */
import type { CheckRequest, Explanation } from '@gatehouse/core';
import type { Caller } from '../context.js';
import type { Services } from '../services.js';
import { type AtRevision, assertMayAsk, engineFor } from './shared.js';

/** C3. */
export async function explain(
  s: Services,
  caller: Caller,
  orgId: string,
  req: CheckRequest,
  minRevision?: number,
): Promise<AtRevision<Explanation>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  assertMayAsk(caller, engine, req.subject, req.scope);
  return { revision: engine.revision, result: engine.explain(req) };
}
