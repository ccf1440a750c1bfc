/** R6: give a subject a role at a scope. */

import type { Environment } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { type AssignmentView, grantRole, subjectTypeOf } from '../rules/index.js';

/** Input of `assignRole`. */
export interface AssignInput {
  readonly subjectId: string;
  readonly role: string;
  readonly scopeId?: string | undefined;
  readonly environment?: Environment | null | undefined;
  /** Replace the holder of the role's exclusive slot at that scope (R5). */
  readonly replace?: boolean | undefined;
}

/** Gives a role to a user, group or API client at a scope. */
export async function assignRole(
  call: OrgCall,
  input: AssignInput,
): Promise<WriteResult<AssignmentView>> {
  return orgWrite(call, async (w) => {
    const type = await subjectTypeOf(w, input.subjectId);
    return grantRole(w, { id: input.subjectId, type }, input);
  });
}
