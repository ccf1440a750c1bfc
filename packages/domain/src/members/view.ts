/** A member as the API shows it, and the check that a user is one. */
import { notFound } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import { type AssignmentView, assignmentView } from '../rules/index.js';

/** A member as the API shows it. */
export interface MemberView {
  readonly userId: string;
  readonly email: string;
  readonly name: string | null;
  readonly status: 'active' | 'deactivated';
  /** The member's own assignments (group ones are listed with the group). */
  readonly roles: readonly AssignmentView[];
}

/** The user's status in the org, inside a write; undefined when they are not a member. */
export async function memberStatus(
  w: OrgWrite,
  userId: string,
): Promise<MemberView['status'] | undefined> {
  const m = await w.trx
    .selectFrom('members')
    .select('status')
    .where('org_id', '=', w.orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return m?.status;
}

/** The org's member with this email (lower-cased), with their status; undefined when none. */
export async function memberByEmail(
  w: OrgWrite,
  emailLower: string,
): Promise<{ readonly id: string; readonly status: MemberView['status'] } | undefined> {
  return w.trx
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['users.id', 'members.status'])
    .where('members.org_id', '=', w.orgId)
    .where('users.email_lower', '=', emailLower)
    .executeTakeFirst();
}

/** NOT_FOUND unless the user is a member of the org; their status. */
export async function requireMember(w: OrgWrite, userId: string): Promise<MemberView['status']> {
  const status = await memberStatus(w, userId);
  if (!status) throw notFound(`member ${userId}`);
  return status;
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
