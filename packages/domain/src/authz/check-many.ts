/** C2: many checks in one call, against one revision. */

import type { CheckRequest, Decision } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { type AtRevision, assertMayAsk, engineFor } from './shared.js';

/** C2: decisions in request order. */
export async function checkMany(
  call: OrgCall,
  requests: readonly CheckRequest[],
  minRevision?: number,
): Promise<AtRevision<Decision[]>> {
  const { caller } = call;
  const engine = await engineFor(call, minRevision);
  for (const req of requests) assertMayAsk(caller, engine, req.subject, req.scope);
  return { revision: engine.revision, result: engine.checkMany(requests) };
}
