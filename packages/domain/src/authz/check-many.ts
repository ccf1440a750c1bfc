/** C2: many checks in one call, against one revision. */

import type { CheckRequest, Decision, Engine } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { type AtRevision, assertMayAsk, engineFor } from './shared.js';

/** The org's engine, once the caller may ask every one of `requests`. */
async function engineToAsk(
  call: OrgCall,
  requests: readonly CheckRequest[],
  minRevision: number | undefined,
): Promise<Engine> {
  const engine = await engineFor(call, minRevision);
  for (const req of requests) assertMayAsk(call.caller, engine, req.subject, req.scope);
  return engine;
}

/** C2: decisions in request order. */
export async function checkMany(
  call: OrgCall,
  requests: readonly CheckRequest[],
  minRevision?: number,
): Promise<AtRevision<Decision[]>> {
  const engine = await engineToAsk(call, requests, minRevision);
  return { revision: engine.revision, result: engine.checkMany(requests) };
}

/**
 * C2 without reasons: whether each check is allowed, in request order. The same questions and
 * the same rules as `checkMany`, answered with `engine.can`: no decision objects, and an answer a
 * tenth the size on the wire.
 */
export async function canMany(
  call: OrgCall,
  requests: readonly CheckRequest[],
  minRevision?: number,
): Promise<AtRevision<boolean[]>> {
  const engine = await engineToAsk(call, requests, minRevision);
  return { revision: engine.revision, result: engine.canMany(requests) };
}
