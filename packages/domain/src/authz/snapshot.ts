/** C5: the org's compiled access model, for checks in the caller's process. */
import type { OrgSnapshot } from '@gatehouse/core';
import type { Caller } from '../context.js';
import type { Services } from '../services.js';
import { assertMayAsk, engineFor } from './shared.js';

/** C7: the org snapshot, for local checks with the same engine. */
export async function snapshot(
  s: Services,
  caller: Caller,
  orgId: string,
  minRevision?: number,
): Promise<OrgSnapshot> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  assertMayAsk(caller, engine, undefined, orgId);
  return engine.snapshot;
}
