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

/** NOT_FOUND unless the user is a member of the org. */
export async function requireMember(w: OrgWrite, userId: string): Promise<void> {
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
