/** C2: many checks in one call, against one revision. */
import type { CheckRequest, Decision } from '@gatehouse/core';
import type { Caller } from '../context.js';
import type { Services } from '../services.js';
import { type AtRevision, assertMayAsk, engineFor } from './shared.js';

/** C2: decisions in request order. */
export async function checkMany(
  s: Services,
  caller: Caller,
  orgId: string,
  requests: readonly CheckRequest[],
  minRevision?: number,
): Promise<AtRevision<Decision[]>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  for (const req of requests) assertMayAsk(caller, engine, req.subject, req.scope);
  return { revision: engine.revision, result: engine.checkMany(requests) };
}
