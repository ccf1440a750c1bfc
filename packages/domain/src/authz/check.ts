/** C1: may this subject do this here? */

import type { CheckRequest, Decision } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { type AtRevision, assertMayAsk, engineFor } from './shared.js';

/** C1. */
export async function check(
  call: OrgCall,
  req: CheckRequest,
  minRevision?: number,
): Promise<AtRevision<Decision>> {
  const { caller } = call;
  const engine = await engineFor(call, minRevision);
  assertMayAsk(caller, engine, req.subject, req.scope);
  return { revision: engine.revision, result: engine.check(req) };
}
