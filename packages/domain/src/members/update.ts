/**
 * Editing a user (M6 "Edit user"): name and email, audited. A user may belong to several orgs;
 * an org's admins may edit only people who belong to their org alone, so one org cannot change
 * (or take over, through the email) another org's member. The instance admin may edit anyone.
 */
import type { OrgCall } from '../call.js';
import { conflict, forbidden, invalid, isUniqueViolation, notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { normalizeEmail } from '../rules/index.js';
import { type MemberView, memberView } from './view.js';

/** Input of `updateUser`: fields left out stay as they are. */
export interface UpdateUserInput {
  readonly userId: string;
  /** Null clears the name. */
  readonly name?: string | null | undefined;
  /** A new email; must not belong to another user (CONFLICT). */
  readonly email?: string | undefined;
}

/**
 * M6: edits a member's name or email (`members.update` at the root). The email stays unique
 * across users, case-insensitively: taking one that exists is a CONFLICT.
 *
 * @example
 * await updateUser(s, caller, orgId, { userId, name: 'Ann Lee', email: 'ann.lee@acme.test' });
 */
export async function updateUser(
  call: OrgCall,
  input: UpdateUserInput,
): Promise<WriteResult<MemberView>> {
  const { orgId, caller } = call;
  const email = input.email !== undefined ? normalizeEmail(input.email) : undefined;
  if (input.name !== undefined && input.name !== null && input.name.length > 200) {
    throw invalid('name must be at most 200 characters');
  }
  try {
    return await orgWrite(call, async (w) => {
      w.authorize('members.update', orgId);
      const user = await w.trx
        .selectFrom('members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.email', 'u.email_lower', 'u.name'])
        .where('m.org_id', '=', orgId)
        .where('m.user_id', '=', input.userId)
        .forUpdate()
        .executeTakeFirst();
      if (!user) throw notFound(`member ${input.userId}`);
      // A new email is a way into the account: only someone above the member may set it.
      w.authorizeTarget(input.userId);
      if (caller.principal.kind !== 'instance_admin' && caller.principal.kind !== 'system') {
        const elsewhere = await w.trx
          .selectFrom('members')
          .select('org_id')
          .where('user_id', '=', input.userId)
          .where('org_id', '!=', orgId)
          .limit(1)
          .executeTakeFirst();
        if (elsewhere) {
          throw forbidden(
            `${input.userId} also belongs to other organizations; only they or the instance admin can edit the account`,
          );
        }
      }
      if (email && email.lower !== user.email_lower) {
        const taken = await w.trx
          .selectFrom('users')
          .select('id')
          .where('email_lower', '=', email.lower)
          .executeTakeFirst();
        if (taken) throw conflict(`${email.email} belongs to another user`);
      }
      const name = input.name === undefined ? user.name : (input.name?.trim() ?? null) || null;
      const next = email ?? { email: user.email, lower: user.email_lower };
      if (name !== user.name || next.email !== user.email) {
        await w.trx
          .updateTable('users')
          .set({ name, email: next.email, email_lower: next.lower, updated_at: new Date() })
          .where('id', '=', input.userId)
          .execute();
        w.audit({
          action: 'Updated',
          entityType: 'user',
          entityId: input.userId,
          scopeId: orgId,
          before: { email: user.email, name: user.name },
          after: { email: next.email, name },
        });
        w.emit('member.updated', { userId: input.userId, email: next.email, name });
      }
      return memberView(w, input.userId);
    });
  } catch (e) {
    // Two renames to one email at the same moment: the unique index decides.
    if (isUniqueViolation(e)) throw conflict(`${email?.email} belongs to another user`);
    throw e;
  }
}
