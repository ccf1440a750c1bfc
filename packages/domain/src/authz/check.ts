/** C1: may this subject do this here? */
import type { CheckRequest, Decision } from '@gatehouse/core';
import type { Caller } from '../context.js';
import type { Services } from '../services.js';
import { type AtRevision, assertMayAsk, engineFor } from './shared.js';

/** C1. */
export async function check(
  s: Services,
  caller: Caller,
  orgId: string,
  req: CheckRequest,
  minRevision?: number,
): Promise<AtRevision<Decision>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  assertMayAsk(caller, engine, req.subject, req.scope);
  return { revision: engine.revision, result: engine.check(req) };
}
