/** M2: revoke a pending invitation. */
import type { OrgCall } from '../call.js';
import { cancelEmails } from '../emails/index.js';
import { invalid } from '../errors.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import { scopeOf } from './resend.js';
import { clock, type InvitationView, invitationView, loadInvitation } from './rows.js';

/** M2: revokes a pending (or expired) invitation: its link stops working. Idempotent. */
export async function revokeInvitation(
  call: OrgCall,
  { invitationId }: { readonly invitationId: string },
): Promise<WriteResult<InvitationView>> {
  const { services: s, orgId } = call;
  return orgEventWrite(call, async (w) => {
    const now = clock(s);
    const before = await loadInvitation(w, invitationId);
    w.authorize('members.invite', scopeOf(w, before));
    if (before.status === 'revoked') return invitationView(before, now);
    if (before.status === 'accepted') {
      throw invalid(
        `invitation ${invitationId} was already accepted; remove the member instead of revoking it`,
      );
    }
    const row = await w.trx
      .updateTable('invitations')
      .set({ status: 'revoked', revoked_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', invitationId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await cancelEmails(w.trx, invitationId);
    w.audit({
      action: 'InvitationRevoked',
      entityType: 'invitation',
      entityId: invitationId,
      scopeId: before.scope_id,
      before: { status: invitationView(before, now).status },
      after: { status: 'revoked' },
    });
    w.emit('invitation.revoked', { invitationId, email: row.email });
    return invitationView(row, now);
  });
}
