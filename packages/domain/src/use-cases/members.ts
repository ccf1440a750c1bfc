/** Members (M5): add an existing or new user with roles, change roles, remove from a scope or the org. */
import type { AssignmentRow } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { notFound } from '../errors.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import {
  type AssignmentView,
  assertNoSlotClash,
  assignmentView,
  grantRole,
  type RoleAt,
  revokeAssignment,
} from './grants.js';
import { ensureMember } from './people.js';
import { endSessionsOf } from './sessions.js';

/** A member as the API shows it. */
export interface MemberView {
  readonly userId: string;
  readonly email: string;
  readonly name: string | null;
  readonly status: 'active' | 'deactivated';
  /** The member's own assignments (group ones are listed with the group). */
  readonly roles: readonly AssignmentView[];
}

/** Input of `addMember`. */
export interface AddMemberInput {
  readonly email: string;
  readonly name?: string | undefined;
  /** Roles to give; none: the preset's default role at the root (M1). */
  readonly roles?: readonly RoleAt[] | undefined;
}

/** M5: adds a user (created if new) to the org with roles. */
export async function addMember(
  s: Services,
  caller: Caller,
  orgId: string,
  input: AddMemberInput,
): Promise<WriteResult<MemberView>> {
  return orgWrite(s, caller, orgId, async (w) => {
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
  s: Services,
  caller: Caller,
  orgId: string,
  input: SetMemberRolesInput,
): Promise<WriteResult<MemberView>> {
  return orgWrite(s, caller, orgId, async (w) => {
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

/** Input of `removeMember`: from one scope (and below), or from the whole org. */
export interface RemoveMemberInput {
  readonly userId: string;
  /** Omitted or the org id: remove from the organization entirely. */
  readonly scopeId?: string | undefined;
}

/**
 * M5: removes the member's own assignments at a scope and below, or removes them from the org
 * (assignments, group memberships, membership, and their sessions in the org end). Refused when
 * it would leave no Owner (M7).
 */
export async function removeMember(
  s: Services,
  caller: Caller,
  orgId: string,
  input: RemoveMemberInput,
): Promise<WriteResult<{ removed: number }>> {
  return orgWrite(s, caller, orgId, (w) => removeMemberIn(w, input));
}

/** `removeMember` inside a write that is already open (SCIM checks its If-Match first). */
export async function removeMemberIn(
  w: OrgWrite,
  input: RemoveMemberInput,
): Promise<{ removed: number }> {
  const orgId = w.orgId;
  {
    const scopeId = input.scopeId ?? orgId;
    if (!w.engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
    w.authorize('members.remove', scopeId);
    await requireMember(w, input.userId);
    if (scopeId === orgId) w.authorizeTarget(input.userId);
    const below = new Set(w.engine.scopesBelow(scopeId));
    const rows = (
      await w.trx
        .selectFrom('assignments')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('subject_id', '=', input.userId)
        .execute()
    ).filter((a) => below.has(a.scope_id));
    for (const a of rows) await revokeAssignment(w, a);
    if (scopeId === orgId) {
      await w.trx
        .deleteFrom('group_members')
        .where('org_id', '=', orgId)
        .where('member_id', '=', input.userId)
        .execute();
      await w.trx
        .deleteFrom('members')
        .where('org_id', '=', orgId)
        .where('user_id', '=', input.userId)
        .execute();
      w.audit({
        action: 'MemberRemoved',
        entityType: 'member',
        entityId: input.userId,
        scopeId: orgId,
      });
      w.emit('member.removed', { userId: input.userId });
      await endSessionsOf(w, input.userId, 'member removed');
    }
    return { removed: rows.length };
  }
}

async function requireMember(w: OrgWrite, userId: string): Promise<void> {
  const m = await w.trx
    .selectFrom('members')
    .select('user_id')
    .where('org_id', '=', w.orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!m) throw notFound(`member ${userId}`);
}

/** The member's view inside a write (after its changes). */
export async function memberView(w: OrgWrite, userId: string): Promise<MemberView> {
  const row = await w.trx
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['members.user_id', 'members.status', 'users.email', 'users.name'])
    .where('members.org_id', '=', w.orgId)
    .where('members.user_id', '=', userId)
    .executeTakeFirstOrThrow();
  const roles = await w.trx
    .selectFrom('assignments')
    .selectAll()
    .where('org_id', '=', w.orgId)
    .where('subject_id', '=', userId)
    .orderBy('id')
    .execute();
  return {
    userId,
    email: row.email,
    name: row.name,
    status: row.status,
    roles: roles.map(assignmentView),
  };
}
