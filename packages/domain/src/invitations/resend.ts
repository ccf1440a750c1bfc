/** M2: a new link for a pending invitation (the old one stops working). */

import { type InvitationRow, sql } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { cancelEmails } from '../emails/index.js';
import { invalid } from '../errors.js';
import { memberByEmail } from '../members/index.js';
import { type OrgWrite, orgEventWrite, type WriteResult } from '../org-write.js';
import { authorizeMoveDown, hashSecret, instanceSecretKey, newSecret } from '../rules/index.js';
import { ttlOf } from './invite.js';
import { clock, type InvitationView, invitationView, loadInvitation } from './rows.js';
import { sendInvitationEmail } from './send-email.js';

/** Where rights over an invitation are checked: its scope, or the root if the scope is gone. */
export const scopeOf = (w: OrgWrite, row: InvitationRow) =>
  w.engine.hasScope(row.scope_id) ? row.scope_id : w.orgId;

/**
 * M2: sends a new one-time link with a fresh expiry (also for an expired invitation); the old
 * link stops working at once and its unsent email is cancelled. The roles are re-checked (R6)
 * against whoever resends, and so is ending what they would move a member down from (seed 002).
 */
export async function resendInvitation(
  call: OrgCall,
  { invitationId }: { readonly invitationId: string },
): Promise<WriteResult<InvitationView>> {
  const { services: s, orgId } = call;
  const key = await instanceSecretKey(s.db, s.options?.secretKey);
  return orgEventWrite(call, async (w) => {
    const now = clock(s);
    const before = await loadInvitation(w, invitationId);
    w.authorize('members.invite', scopeOf(w, before));
    if (before.status !== 'pending') {
      throw invalid(`invitation ${invitationId} was ${before.status}; it cannot be resent`);
    }
    for (const r of before.roles) w.authorizeAssign(r);
    const member = await memberByEmail(w, before.email_lower);
    if (member) authorizeMoveDown(w, member.id, before.roles);
    const token = newSecret();
    const ttlMs = await ttlOf(w);
    const row = await w.trx
      .updateTable('invitations')
      .set((eb) => ({
        token_hash: hashSecret(token),
        replaced_token_hashes: sql<
          string[]
        >`array_append(${eb.ref('replaced_token_hashes')}, ${before.token_hash})`,
        expires_at: new Date(now.getTime() + ttlMs),
        last_sent_at: now,
        resend_count: eb('resend_count', '+', 1),
      }))
      .where('org_id', '=', orgId)
      .where('id', '=', invitationId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await cancelEmails(w.trx, invitationId);
    await sendInvitationEmail(s, w, { row, token, key, resent: true });
    const view = invitationView(row, now);
    w.audit({
      action: 'InvitationResent',
      entityType: 'invitation',
      entityId: invitationId,
      scopeId: before.scope_id,
      before: { expiresAt: new Date(before.expires_at).toISOString() },
      after: { expiresAt: view.expiresAt, resendCount: view.resendCount },
    });
    w.emit('invitation.resent', {
      invitationId,
      email: row.email,
      expiresAt: view.expiresAt,
    });
    return view;
  });
}
