/** M5: set a member's own roles at one scope. */

import type { AssignmentRow } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { assertNoSlotClash, grantRole, type RoleAt, revokeAssignment } from '../rules/index.js';
import { type MemberView, memberView, requireMember } from './view.js';

/** Input of `setMemberRoles`: the complete set of the member's own roles at one scope. */
export interface SetMemberRolesInput {
  readonly userId: string;
  readonly scopeId?: string | undefined;
  readonly roles: ReadonlyArray<Omit<RoleAt, 'scopeId'>>;
}

/**
 * M5: makes the member's own roles at exactly one scope equal to `roles` (their own included):
 * removed ones are revoked, new ones granted, each under R6; the last Owner cannot be demoted.
 */
export async function setMemberRoles(
  call: OrgCall,
  input: SetMemberRolesInput,
): Promise<WriteResult<MemberView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    const scopeId = input.scopeId ?? orgId;
    await requireMember(w, input.userId);
    if (!w.engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
    const wanted = input.roles.map((r) => ({ ...r, scopeId }));
    assertNoSlotClash(w, wanted);
    const current = await w.trx
      .selectFrom('assignments')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('subject_id', '=', input.userId)
      .where('scope_id', '=', scopeId)
      .execute();
    const same = (a: AssignmentRow, r: RoleAt) =>
      a.role_key === r.role && a.environment === (r.environment ?? null);
    for (const a of current) if (!wanted.some((r) => same(a, r))) await revokeAssignment(w, a);
    for (const r of wanted) {
      if (!current.some((a) => same(a, r))) {
        await grantRole(w, { id: input.userId, type: 'user' }, r);
      }
    }
    return memberView(w, input.userId);
  });
}
