/** C5: the org's compiled access model, for checks in the caller's process. */

import type { OrgSnapshot } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { assertMayAsk, engineFor } from './shared.js';

/** C7: the org snapshot, for local checks with the same engine. */
export async function snapshot(
  call: OrgCall,
  { minRevision }: { readonly minRevision?: number | undefined } = {},
): Promise<OrgSnapshot> {
  const { caller, orgId } = call;
  const engine = await engineFor(call, minRevision);
  assertMayAsk(caller, engine, undefined, orgId);
  return engine.snapshot;
}
