/** M5: add an existing or new user to the org with roles. */
import type { OrgCall } from '../call.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { assertNoSlotClash, ensureMember, grantRole, type RoleAt } from '../rules/index.js';
import { type MemberView, memberView } from './view.js';

/** Input of `addMember`. */
export interface AddMemberInput {
  readonly email: string;
  readonly name?: string | undefined;
  /** Roles to give; none: the preset's default role at the root (M1). */
  readonly roles?: readonly RoleAt[] | undefined;
}

/** M5: adds a user (created if new) to the org with roles. */
export async function addMember(
  call: OrgCall,
  input: AddMemberInput,
): Promise<WriteResult<MemberView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    const roles = input.roles?.length ? input.roles : defaultRoles(w);
    for (const r of roles.length ? roles : [{ role: '', scopeId: orgId }]) {
      w.authorize('members.invite', r.scopeId ?? orgId);
    }
    assertNoSlotClash(w, roles);
    const user = await ensureMember(w, input.email, input.name);
    for (const r of roles) await grantRole(w, { id: user.id, type: 'user' }, r);
    return memberView(w, user.id);
  });
}

function defaultRoles(w: OrgWrite): RoleAt[] {
  const role = w.preset.defaultRoles[w.preset.rootKind];
  return role ? [{ role, scopeId: w.orgId }] : [];
}
