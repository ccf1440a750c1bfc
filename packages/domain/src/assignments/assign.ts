/** R6: give a subject a role at a scope. */
import type { Environment } from '@gatehouse/core';
import type { Caller } from '../context.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { type AssignmentView, grantRole, subjectTypeOf } from '../rules/index.js';
import type { Services } from '../services.js';

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
  s: Services,
  caller: Caller,
  orgId: string,
  input: AssignInput,
): Promise<WriteResult<AssignmentView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    const type = await subjectTypeOf(w, input.subjectId);
    return grantRole(w, { id: input.subjectId, type }, input);
  });
}
